import * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import type { AwarenessUser } from '@pairpad/shared';
import { safeColor, withAlpha } from '../../lib/colors';
import type { monaco as Monaco } from './monaco-setup';

type Editor = Monaco.editor.IStandaloneCodeEditor;
type MonacoApi = typeof Monaco;

interface RemoteState {
  user?: Partial<AwarenessUser>;
  typing?: boolean;
  selection?: { anchor?: unknown; head?: unknown } | null;
}

/** How long a label stays open after its cursor moved. */
const ACTIVE_MS = 2500;

interface LabelWidget extends Monaco.editor.IContentWidget {
  node: HTMLDivElement;
  position: Monaco.IPosition | null;
}

/**
 * Colours y-monaco's remote selection decorations per client and adds a name label above
 * each remote cursor. The label is a content widget (real DOM, so it can take hover and a
 * test id); it opens while that person types or just moved, and on hover otherwise.
 */
export class RemoteCursors {
  private readonly style: HTMLStyleElement;
  private readonly widgets = new Map<number, LabelWidget>();
  private readonly lastMove = new Map<number, { key: string; at: number }>();
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private cssKey = '';

  constructor(
    private readonly monaco: MonacoApi,
    private readonly editor: Editor,
    private readonly awareness: Awareness,
    private readonly doc: Y.Doc,
    private readonly text: Y.Text,
  ) {
    this.style = document.createElement('style');
    this.style.dataset.pairpad = 'remote-cursors';
    document.head.appendChild(this.style);
    awareness.on('change', this.render);
    text.observe(this.render);
    this.render();
  }

  /** Absolute position of a peer's cursor head, or null. */
  headPosition(clientId: number): Monaco.IPosition | null {
    const state = this.awareness.getStates().get(clientId) as RemoteState | undefined;
    return this.resolve(state?.selection?.head ?? null);
  }

  destroy(): void {
    this.awareness.off('change', this.render);
    this.text.unobserve(this.render);
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    for (const widget of this.widgets.values()) this.editor.removeContentWidget(widget);
    this.widgets.clear();
    this.style.remove();
  }

  private resolve(relative: unknown): Monaco.IPosition | null {
    if (!relative || typeof relative !== 'object') return null;
    const model = this.editor.getModel();
    if (!model) return null;
    try {
      const rel = Y.createRelativePositionFromJSON(relative);
      const abs = Y.createAbsolutePositionFromRelativePosition(rel, this.doc);
      if (!abs || abs.type !== this.text) return null;
      return model.getPositionAt(abs.index);
    } catch {
      return null;
    }
  }

  private readonly render = (): void => {
    const now = Date.now();
    const seen = new Set<number>();
    const css: string[] = [];
    let nextExpiry = Infinity;
    this.awareness.getStates().forEach((raw, clientId) => {
      if (clientId === this.doc.clientID) return;
      const state = raw as RemoteState;
      const name = typeof state.user?.name === 'string' ? state.user.name : '';
      if (!name) return;
      const color = safeColor(state.user?.color, name);
      css.push(
        `.yRemoteSelection-${clientId}{background-color:${withAlpha(color, 0.28)}}`,
        `.yRemoteSelectionHead-${clientId}{--cursor-color:${color};border-color:${color}}`,
      );
      const head = this.resolve(state.selection?.head ?? null);
      if (!head) {
        this.removeWidget(clientId);
        return;
      }
      seen.add(clientId);
      const key = `${head.lineNumber}:${head.column}`;
      const move = this.lastMove.get(clientId);
      if (!move || move.key !== key) this.lastMove.set(clientId, { key, at: now });
      const movedAt = this.lastMove.get(clientId)?.at ?? now;
      const active = state.typing === true || now - movedAt < ACTIVE_MS;
      if (active && state.typing !== true) nextExpiry = Math.min(nextExpiry, movedAt + ACTIVE_MS - now);
      this.upsertWidget(clientId, name, color, head, active, state.typing === true);
    });
    for (const clientId of [...this.widgets.keys()]) if (!seen.has(clientId)) this.removeWidget(clientId);
    for (const clientId of [...this.lastMove.keys()]) if (!seen.has(clientId)) this.lastMove.delete(clientId);
    const cssText = css.join('\n');
    if (cssText !== this.cssKey) {
      this.cssKey = cssText;
      this.style.textContent = cssText;
    }
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = Number.isFinite(nextExpiry) ? setTimeout(this.render, nextExpiry + 20) : null;
  };

  private upsertWidget(clientId: number, name: string, color: string, position: Monaco.IPosition, active: boolean, typing: boolean): void {
    let widget = this.widgets.get(clientId);
    if (!widget) {
      const node = document.createElement('div');
      node.className = 'remote-cursor-label';
      node.dataset.testid = 'remote-cursor-label';
      const text = document.createElement('span');
      node.appendChild(text);
      const created: LabelWidget = {
        node,
        position,
        allowEditorOverflow: false,
        suppressMouseDown: true,
        getId: () => `pairpad.remote-cursor.${clientId}`,
        getDomNode: () => node,
        getPosition: () =>
          created.position
            ? {
                position: created.position,
                preference: [
                  this.monaco.editor.ContentWidgetPositionPreference.ABOVE,
                  this.monaco.editor.ContentWidgetPositionPreference.BELOW,
                ],
              }
            : null,
      };
      widget = created;
      this.widgets.set(clientId, widget);
      this.editor.addContentWidget(widget);
    }
    const node = widget.node;
    const span = node.firstChild as HTMLSpanElement;
    if (span.textContent !== name) span.textContent = name;
    node.dataset.name = name;
    node.style.setProperty('--cursor-color', color);
    node.classList.toggle('is-active', active);
    node.classList.toggle('is-typing', typing);
    widget.position = position;
    this.editor.layoutContentWidget(widget);
  }

  private removeWidget(clientId: number): void {
    const widget = this.widgets.get(clientId);
    if (!widget) return;
    this.editor.removeContentWidget(widget);
    this.widgets.delete(clientId);
  }
}
