import { MonacoBinding } from 'y-monaco';
import * as Y from 'yjs';
import { monaco } from './monaco-setup';
import { RemoteCursors } from './remote-cursors';
import { applyMinimalEdit, normalizeLineEndings } from './text-sync';
import { createScope, toDisposable, type Disposable } from './disposable';
import type { BufferText, CrdtText, RoomSession } from './room-session';

type Editor = monaco.editor.IStandaloneCodeEditor;
type Model = monaco.editor.ITextModel;

export interface UndoState {
  canUndo: boolean;
  canRedo: boolean;
}

/** Undo and redo of this user's own edits (sessions whose traits say `supportsUndo`). */
export interface UndoControls {
  undo(): void;
  redo(): void;
  /** Calls `listener` whenever what can be undone or redone changes. */
  onChange(listener: (state: UndoState) => void): Disposable;
}

/** A Monaco model bound to a session's text. */
export interface TextBinding extends Disposable {
  /** Null when the session cannot tell this user's edits from others'. */
  readonly undo: UndoControls | null;
  /** Keeps the editor scrolled to a participant's cursor, where the session shares cursors. */
  follow(clientId: number): Disposable;
}

/** Binds `model` to whatever text `session` holds; `onLocalEdit` runs after each edit typed here. */
export function bindSessionText(session: RoomSession, editor: Editor, model: Model, onLocalEdit: () => void): TextBinding {
  return session.bindText<TextBinding>({
    crdt: (text) => bindCrdtText(text, editor, model, onLocalEdit),
    buffer: (text) => bindBufferText(text, model, onLocalEdit),
  });
}

/** y-monaco, own-edits undo, remote cursors, LF-only text, and a caret that stays put when a partner types at it. */
function bindCrdtText(shared: CrdtText, editor: Editor, model: Model, onLocalEdit: () => void): TextBinding {
  const scope = createScope();
  const binding = new MonacoBinding(shared.text, model, new Set([editor]), shared.awareness);
  scope.add(toDisposable(() => binding.destroy()));
  const undo = scope.add(bindUndoManager(shared.createUndoManager(binding)));
  const cursors = new RemoteCursors(monaco, editor, shared.awareness, shared.doc, shared.text);
  scope.add(toDisposable(() => cursors.destroy()));
  scope.add(keepLineFeeds(shared, model));
  scope.add(reportLocalEdits(shared, binding, onLocalEdit));
  scope.add(anchorCaretLeft(shared, binding, editor, model));
  return {
    undo,
    follow(clientId) {
      const reveal = (): void => {
        const position = cursors.headPosition(clientId);
        if (position) editor.revealPositionInCenterIfOutsideViewport(position, monaco.editor.ScrollType.Smooth);
      };
      reveal();
      shared.awareness.on('change', reveal);
      return toDisposable(() => shared.awareness.off('change', reveal));
    },
    dispose: () => scope.dispose(),
  };
}

function bindUndoManager(manager: Y.UndoManager): UndoControls & Disposable {
  return {
    undo: () => manager.undo(),
    redo: () => manager.redo(),
    onChange(listener) {
      const emit = (): void => listener({ canUndo: manager.canUndo(), canRedo: manager.canRedo() });
      manager.on('stack-item-added', emit);
      manager.on('stack-item-popped', emit);
      manager.on('stack-cleared', emit);
      return toDisposable(() => {
        manager.off('stack-item-added', emit);
        manager.off('stack-item-popped', emit);
        manager.off('stack-cleared', emit);
      });
    },
    dispose: () => manager.destroy(),
  };
}

/** A transaction of this editor's binding that changed the text is a local edit. */
function reportLocalEdits(shared: CrdtText, binding: MonacoBinding, onLocalEdit: () => void): Disposable {
  const onTransaction = (tr: { origin: unknown; changed: Map<unknown, unknown> }): void => {
    if (tr.origin === binding && tr.changed.has(shared.text)) onLocalEdit();
  };
  shared.doc.on('afterTransaction', onTransaction);
  return toDisposable(() => shared.doc.off('afterTransaction', onTransaction));
}

/** Someone on another OS (or the LWW endpoint) may have put CR characters in the text; y-monaco maps offsets 1:1. */
function keepLineFeeds(shared: CrdtText, model: Model): Disposable {
  const onText = (): void => {
    if (!shared.readOnly && shared.text.toString().includes('\r')) {
      queueMicrotask(() => normalizeLineEndings(shared.doc, shared.text, 'eol'));
    }
    if (model.getEOL() !== '\n') model.setEOL(monaco.editor.EndOfLineSequence.LF);
  };
  shared.text.observe(onText);
  onText();
  return toDisposable(() => shared.text.unobserve(onText));
}

/**
 * y-monaco restores the local selection with right-associated positions, so when a partner
 * types exactly at my caret their characters land before it and our keystrokes interleave
 * ("aBlRpA..."). Re-anchor the caret to the character on its left instead: each person's run
 * stays contiguous.
 */
function anchorCaretLeft(shared: CrdtText, binding: MonacoBinding, editor: Editor, model: Model): Disposable {
  let kept: { anchor: Y.RelativePosition; head: Y.RelativePosition } | null = null;
  const keepSelection = (): void => {
    kept = null;
    const tr = (shared.doc as unknown as { _transaction: { origin: unknown } | null })._transaction;
    if (!tr || tr.origin === binding || !editor.hasTextFocus()) return;
    const selection = editor.getSelection();
    if (!selection) return;
    const anchor = model.getOffsetAt(selection.getSelectionStart());
    const head = model.getOffsetAt(selection.getPosition());
    kept = {
      anchor: Y.createRelativePositionFromTypeIndex(shared.text, anchor, -1),
      head: Y.createRelativePositionFromTypeIndex(shared.text, head, -1),
    };
  };
  const restoreSelection = (event: Y.YTextEvent): void => {
    if (!kept || event.transaction.origin === binding) return;
    const anchor = Y.createAbsolutePositionFromRelativePosition(kept.anchor, shared.doc);
    const head = Y.createAbsolutePositionFromRelativePosition(kept.head, shared.doc);
    kept = null;
    if (!anchor || !head) return;
    const a = model.getPositionAt(anchor.index);
    const h = model.getPositionAt(head.index);
    const current = editor.getSelection();
    if (current && current.getSelectionStart().equals(a) && current.getPosition().equals(h)) return;
    editor.setSelection(new monaco.Selection(a.lineNumber, a.column, h.lineNumber, h.column));
  };
  shared.doc.on('beforeAllTransactions', keepSelection);
  shared.text.observe(restoreSelection);
  return toDisposable(() => {
    shared.doc.off('beforeAllTransactions', keepSelection);
    shared.text.unobserve(restoreSelection);
  });
}

/** Whole-buffer writes for the simple-sync mode: each server buffer lands as the smallest edit, each local edit sends the buffer. */
function bindBufferText(shared: BufferText, model: Model, onLocalEdit: () => void): TextBinding {
  let applyingRemote = false;
  const applyRemote = (code: string): void => {
    applyingRemote = true;
    try {
      applyMinimalEdit(model, code.replace(/\r\n?/g, '\n'));
    } finally {
      applyingRemote = false;
    }
  };
  if (shared.latestCode !== null) applyRemote(shared.latestCode);
  const off = shared.onCode(applyRemote);
  const change = model.onDidChangeContent(() => {
    if (applyingRemote) return;
    shared.sendCode(model.getValue());
    onLocalEdit();
  });
  return {
    undo: null,
    follow: () => toDisposable(() => {}),
    dispose: () => {
      change.dispose();
      off();
    },
  };
}
