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

/** One widget per line that has remote cursors: their labels side by side after the line's text. */
interface LineWidget extends Monaco.editor.IContentWidget {
  /** Monaco's node (it sets its display and position); `row` inside it lays the labels out. */
  node: HTMLDivElement;
  row: HTMLDivElement;
  lineNumber: number;
  column: number;
}

interface LabelState {
  clientId: number;
  name: string;
  color: string;
  viewer: boolean;
  head: Monaco.IPosition;
  active: boolean;
  typing: boolean;
}

export class RemoteCursors {
  private readonly style: HTMLStyleElement;
  private readonly widgets = new Map<number, LineWidget>();
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
    const css: string[] = [];
    const labels: LabelState[] = [];
    let nextExpiry = Infinity;
    this.awareness.getStates().forEach((raw, clientId) => {
      if (clientId === this.doc.clientID) return;
      const state = raw as RemoteState;
      const name = typeof state.user?.name === 'string' ? state.user.name : '';
      if (!name) return;
      const color = safeColor(state.user?.color, name);
      const viewer = state.user?.role === 'viewer';
      css.push(
        `.yRemoteSelection-${clientId}{background-color:${withAlpha(color, viewer ? 0.12 : 0.28)}}`,
        `.yRemoteSelectionHead-${clientId}{--cursor-color:${color};border-color:${color}${viewer ? ';border-left-style:dashed' : ''}}`,
      );
      if (viewer) css.push(`.yRemoteSelectionHead-${clientId}::after{background:transparent;border:1px solid ${color}}`);
      const head = this.resolve(state.selection?.head ?? null);
      if (!head) return;
      const key = `${head.lineNumber}:${head.column}`;
      const move = this.lastMove.get(clientId);
      if (!move || move.key !== key) this.lastMove.set(clientId, { key, at: now });
      const movedAt = this.lastMove.get(clientId)?.at ?? now;
      const typing = state.typing === true;
      const active = typing || now - movedAt < ACTIVE_MS;
      if (active && !typing) nextExpiry = Math.min(nextExpiry, movedAt + ACTIVE_MS - now);
      labels.push({ clientId, name, color, viewer, head, active, typing });
    });
    const seen = new Set(labels.map((label) => label.clientId));
    for (const clientId of [...this.lastMove.keys()]) if (!seen.has(clientId)) this.lastMove.delete(clientId);
    this.renderLines(labels);
    const cssText = css.join('\n');
    if (cssText !== this.cssKey) {
      this.cssKey = cssText;
      this.style.textContent = cssText;
    }
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = Number.isFinite(nextExpiry) ? setTimeout(this.render, nextExpiry + 20) : null;
  };

  private renderLines(labels: LabelState[]): void {
    const model = this.editor.getModel();
    const byLine = new Map<number, LabelState[]>();
    for (const label of labels) {
      const line = byLine.get(label.head.lineNumber) ?? [];
      line.push(label);
      byLine.set(label.head.lineNumber, line);
    }
    for (const lineNumber of [...this.widgets.keys()]) if (!byLine.has(lineNumber)) this.removeWidget(lineNumber);
    for (const [lineNumber, onLine] of byLine) {
      // Left to right as the carets stand; ties (same spot) by client id, so the order is stable.
      onLine.sort((a, b) => a.head.column - b.head.column || a.clientId - b.clientId);
      const column = model ? model.getLineMaxColumn(lineNumber) : 1;
      let widget = this.widgets.get(lineNumber);
      if (!widget) {
        const node = document.createElement('div');
        node.className = 'remote-cursor-widget';
        const row = document.createElement('div');
        row.className = 'remote-cursor-line';
        node.appendChild(row);
        const created: LineWidget = {
          node,
          row,
          lineNumber,
          column,
          allowEditorOverflow: false,
          suppressMouseDown: true,
          getId: () => `pairpad.remote-cursors.line-${lineNumber}`,
          getDomNode: () => node,
          getPosition: () => ({
            position: { lineNumber: created.lineNumber, column: created.column },
            preference: [this.monaco.editor.ContentWidgetPositionPreference.EXACT],
          }),
        };
        widget = created;
        this.widgets.set(lineNumber, widget);
        this.editor.addContentWidget(widget);
      }
      widget.column = column;
      this.syncLabels(widget.row, onLine);
      this.editor.layoutContentWidget(widget);
    }
  }

  private syncLabels(container: HTMLDivElement, labels: LabelState[]): void {
    while (container.children.length > labels.length) container.lastElementChild?.remove();
    labels.forEach((label, index) => {
      let node = container.children[index] as HTMLDivElement | undefined;
      if (!node) {
        node = document.createElement('div');
        node.className = 'remote-cursor-label';
        node.dataset.testid = 'remote-cursor-label';
        node.appendChild(document.createElement('span'));
        container.appendChild(node);
      }
      const text = label.viewer ? `${label.name} (watching)` : label.name;
      const span = node.firstChild as HTMLSpanElement;
      if (span.textContent !== text) span.textContent = text;
      node.dataset.name = label.name;
      node.dataset.role = label.viewer ? 'viewer' : 'editor';
      node.title = `${text}: line ${label.head.lineNumber}, column ${label.head.column}`;
      node.style.setProperty('--cursor-color', label.color);
      node.classList.toggle('is-active', label.active);
      node.classList.toggle('is-typing', label.typing);
      node.classList.toggle('is-viewer', label.viewer);
    });
  }

  private removeWidget(lineNumber: number): void {
    const widget = this.widgets.get(lineNumber);
    if (!widget) return;
    this.editor.removeContentWidget(widget);
    this.widgets.delete(lineNumber);
  }
}
