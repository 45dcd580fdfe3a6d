import { useEffect, useRef, useState, type ReactElement } from 'react';
import { MonacoBinding } from 'y-monaco';
import * as Y from 'yjs';
import type { AutocompleteResult, Language } from '@pairpad/shared';
import { monaco } from './monaco-setup';
import { CollabSession } from './collab-session';
import type { LwwSession } from './lww-session';
import { RemoteCursors } from './remote-cursors';
import { createAutocompleteScheduler, type AutocompleteBody, type AutocompleteScheduler, type ReadySuggestion } from './autocomplete';
import { applyMinimalEdit, normalizeLineEndings } from './text-sync';
import { editFits, tooLargeMessage, utf8Bytes } from './edit-size';
import { useLatest } from '../../lib/use-latest';

type Editor = monaco.editor.IStandaloneCodeEditor;

export interface CodeEditorProps {
  session: CollabSession | LwwSession;
  language: Language;
  readOnly: boolean;
  followClientId: number | null;
  onStopFollow(): void;
  /** Ghost-text suggestions (editors only). */
  autocomplete: {
    enabled: boolean;
    delayMs: number;
    fetch(body: AutocompleteBody, signal: AbortSignal): Promise<AutocompleteResult>;
    onRequest(offset: number): void;
    onSuggestion(suggestion: ReadySuggestion): void;
    onClear(): void;
  };
}

declare global {
  interface Window {
    /** Read-only peek for end-to-end tests and debugging. */
    __pairpad?: { text(): string; language(): string; editor: Editor };
  }
}

/**
 * Monaco's sticky scroll (0.52) checks that its candidate ranges match the model's version,
 * then awaits the folding model, and then measures those ranges with getBottomForLineNumber,
 * which throws "Illegal value for lineNumber" for a line past the end. The folding model is
 * still pending whenever two edits came ~300-350 ms apart (its debounce is 300 ms, the
 * candidates' 350 ms), so when a line is deleted in that window (a partner's Ctrl+Shift+K while
 * you type at a human pace, issue 14 defect 6) the ranges are one version old and point past
 * the last line. getTopForLineNumber already clamps; this makes getBottomForLineNumber clamp the
 * same way for this editor. The stale frame is redrawn as soon as the candidates catch up
 * (about 350 ms later), so sticky scroll keeps working instead of being turned off.
 */
function clampLineQueries(editor: Editor, model: monaco.editor.ITextModel): void {
  const bottomFor = editor.getBottomForLineNumber.bind(editor) as (lineNumber: number, includeViewZones?: boolean) => number;
  editor.getBottomForLineNumber = (lineNumber: number, includeViewZones?: boolean): number => {
    const lineCount = model.isDisposed() ? 1 : model.getLineCount();
    return bottomFor(Math.min(Math.max(1, lineNumber), lineCount), includeViewZones);
  };
}

/**
 * Monaco bound to the session: y-monaco for Yjs (cursors, own-edits undo), or whole-buffer
 * writes for the LWW fallback. Monaco objects never leave this component.
 */
export function CodeEditor(props: CodeEditorProps): ReactElement {
  const container = useRef<HTMLDivElement>(null);
  const propsRef = useLatest(props);
  const editorRef = useRef<Editor | null>(null);
  const cursorsRef = useRef<RemoteCursors | null>(null);
  const undoRef = useRef<Y.UndoManager | null>(null);
  const [undoState, setUndoState] = useState({ canUndo: false, canRedo: false });
  const { session } = props;

  useEffect(() => {
    const host = container.current;
    if (!host) return;
    const model = monaco.editor.createModel('', propsRef.current.language);
    // y-monaco maps offsets 1:1; a CRLF model on Windows would drift from Unix peers.
    model.setEOL(monaco.editor.EndOfLineSequence.LF);
    const editor = monaco.editor.create(host, {
      model,
      theme: 'pairpad-dark',
      automaticLayout: true,
      readOnly: session.readOnly,
      domReadOnly: session.readOnly,
      minimap: { enabled: false },
      fontSize: 14,
      lineHeight: 21,
      fontFamily: "'JetBrains Mono', 'Fira Code', ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace",
      scrollBeyondLastLine: false,
      // Room above line 1 for a cursor label.
      padding: { top: 22, bottom: 12 },
      tabSize: 2,
      renderLineHighlight: 'all',
      smoothScrolling: true,
      cursorBlinking: 'smooth',
      // Ghost text is the suggestion UI; the word-list popup would fight it for Tab.
      quickSuggestions: false,
      suggestOnTriggerCharacters: false,
      wordBasedSuggestions: 'off',
      inlineSuggest: { enabled: true, showToolbar: 'never' },
      fixedOverflowWidgets: true,
    });
    editorRef.current = editor;
    clampLineQueries(editor, model);
    // A paste that would take the room past its size limit is refused here, before it enters the
    // document: the server would refuse the update and close the connection (1009).
    const onPaste = (event: ClipboardEvent): void => {
      const pasted = event.clipboardData?.getData('text/plain') ?? '';
      if (pasted.length === 0 || session.readOnly) return;
      const selected = editor.getSelections()?.reduce((sum, range) => sum + utf8Bytes(model.getValueInRange(range)), 0) ?? 0;
      if (editFits(utf8Bytes(model.getValue()), pasted, selected)) return;
      event.preventDefault();
      event.stopPropagation();
      const messages = editor.getContribution('editor.contrib.messageController') as { showMessage?(message: string, position: monaco.IPosition): void } | null;
      const position = editor.getPosition();
      if (messages?.showMessage && position) messages.showMessage(tooLargeMessage(), position);
    };
    host.addEventListener('paste', onPaste, true);
    window.__pairpad = { text: () => model.getValue(), language: () => model.getLanguageId(), editor };
    const disposables: { dispose(): void }[] = [];
    let scheduler: AutocompleteScheduler | null = null;

    const onLocalEdit = (): void => {
      session.markTyping();
      scheduler?.typed();
      if (propsRef.current.followClientId !== null) propsRef.current.onStopFollow();
    };

    if (session instanceof CollabSession) {
      const binding = new MonacoBinding(session.text, model, new Set([editor]), session.awareness);
      const undo = session.createUndoManager(binding);
      undoRef.current = undo;
      const syncUndo = (): void => setUndoState({ canUndo: undo.canUndo(), canRedo: undo.canRedo() });
      undo.on('stack-item-added', syncUndo);
      undo.on('stack-item-popped', syncUndo);
      undo.on('stack-cleared', syncUndo);
      editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyZ, () => undo.undo());
      editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyMod.Shift | monaco.KeyCode.KeyZ, () => undo.redo());
      editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyY, () => undo.redo());
      cursorsRef.current = new RemoteCursors(monaco, editor, session.awareness, session.doc, session.text);

      const onTransaction = (tr: { origin: unknown; local: boolean; changed: Map<unknown, unknown> }): void => {
        if (tr.origin === binding && tr.changed.has(session.text)) onLocalEdit();
      };
      session.doc.on('afterTransaction', onTransaction);
      // Someone on another OS (or the LWW endpoint) may have put CR characters in the text.
      const onText = (): void => {
        if (!session.readOnly && session.text.toString().includes('\r')) {
          queueMicrotask(() => normalizeLineEndings(session.doc, session.text, 'eol'));
        }
        if (model.getEOL() !== '\n') model.setEOL(monaco.editor.EndOfLineSequence.LF);
      };
      session.text.observe(onText);
      onText();

      // y-monaco restores the local selection with right-associated positions, so when a
      // partner types exactly at my caret their characters land before it and our keystrokes
      // interleave ("aBlRpA..."). Re-anchor the caret to the character on its left instead:
      // each person's run stays contiguous.
      let kept: { anchor: Y.RelativePosition; head: Y.RelativePosition } | null = null;
      const keepSelection = (): void => {
        kept = null;
        const tr = (session.doc as unknown as { _transaction: { origin: unknown } | null })._transaction;
        if (!tr || tr.origin === binding || !editor.hasTextFocus()) return;
        const selection = editor.getSelection();
        if (!selection) return;
        const anchor = model.getOffsetAt(selection.getSelectionStart());
        const head = model.getOffsetAt(selection.getPosition());
        kept = {
          anchor: Y.createRelativePositionFromTypeIndex(session.text, anchor, -1),
          head: Y.createRelativePositionFromTypeIndex(session.text, head, -1),
        };
      };
      const restoreSelection = (event: Y.YTextEvent): void => {
        if (!kept || event.transaction.origin === binding) return;
        const anchor = Y.createAbsolutePositionFromRelativePosition(kept.anchor, session.doc);
        const head = Y.createAbsolutePositionFromRelativePosition(kept.head, session.doc);
        kept = null;
        if (!anchor || !head) return;
        const a = model.getPositionAt(anchor.index);
        const h = model.getPositionAt(head.index);
        const current = editor.getSelection();
        if (current && current.getSelectionStart().equals(a) && current.getPosition().equals(h)) return;
        editor.setSelection(new monaco.Selection(a.lineNumber, a.column, h.lineNumber, h.column));
      };
      session.doc.on('beforeAllTransactions', keepSelection);
      session.text.observe(restoreSelection);

      disposables.push({
        dispose: () => {
          session.doc.off('beforeAllTransactions', keepSelection);
          session.text.unobserve(restoreSelection);
          session.doc.off('afterTransaction', onTransaction);
          session.text.unobserve(onText);
          cursorsRef.current?.destroy();
          cursorsRef.current = null;
          undo.destroy();
          undoRef.current = null;
          binding.destroy();
        },
      });
    } else {
      let applyingRemote = false;
      const applyRemote = (code: string): void => {
        applyingRemote = true;
        try {
          applyMinimalEdit(model, code.replace(/\r\n?/g, '\n'));
        } finally {
          applyingRemote = false;
        }
      };
      if (session.latestCode !== null) applyRemote(session.latestCode);
      const off = session.onCode(applyRemote);
      const change = model.onDidChangeContent(() => {
        if (applyingRemote) return;
        session.sendCode(model.getValue());
        onLocalEdit();
      });
      disposables.push({ dispose: off }, change);
    }

    if (!session.readOnly && propsRef.current.autocomplete.enabled) {
      const ac = (): CodeEditorProps['autocomplete'] => propsRef.current.autocomplete;
      const active = createAutocompleteScheduler({
        delayMs: ac().delayMs,
        read: () => {
          const selection = editor.getSelection();
          if (!selection || !selection.isEmpty() || !editor.hasTextFocus()) return null;
          const code = model.getValue();
          if (code.length === 0) return null;
          return { code, cursorPosition: model.getOffsetAt(selection.getPosition()), language: propsRef.current.language };
        },
        fetch: (body, signal) => ac().fetch(body, signal),
        onRequest: (offset) => ac().onRequest(offset),
        onSuggestion: (suggestion) => {
          ac().onSuggestion(suggestion);
          editor.trigger('pairpad', 'editor.action.inlineSuggest.trigger', {});
        },
        onClear: () => ac().onClear(),
      });
      scheduler = active;
      const provider = monaco.languages.registerInlineCompletionsProvider('*', {
        provideInlineCompletions(target, position) {
          const shown = active.current();
          if (target !== model || !shown) return { items: [] };
          const offset = target.getOffsetAt(position);
          if (offset !== shown.offset || target.getValue().slice(0, offset) !== shown.prefix) return { items: [] };
          const range = new monaco.Range(position.lineNumber, position.column, position.lineNumber, position.column);
          // Monaco shows a multi-line ghost only at the end of a line; mid-line, offer its first line.
          const restOfLine = target.getLineContent(position.lineNumber).slice(position.column - 1);
          const insertText = restOfLine.trim() && shown.text.includes('\n') ? (shown.text.split('\n')[0] ?? '') : shown.text;
          if (!insertText) return { items: [] };
          return { items: [{ insertText, range }] };
        },
        freeInlineCompletions() {},
      });
      const keys = editor.onKeyDown((event) => {
        if (event.keyCode === monaco.KeyCode.Escape) active.cancel();
      });
      const cursor = editor.onDidChangeCursorPosition((event) => {
        if (event.reason === monaco.editor.CursorChangeReason.Explicit) active.cancel();
      });
      const blur = editor.onDidBlurEditorText(() => active.cancel());
      disposables.push(provider, keys, cursor, blur, { dispose: () => active.dispose() });
    }

    return () => {
      host.removeEventListener('paste', onPaste, true);
      for (const d of disposables.reverse()) d.dispose();
      if (window.__pairpad?.editor === editor) delete window.__pairpad;
      editorRef.current = null;
      editor.dispose();
      model.dispose();
    };
  }, [session, propsRef]);

  useEffect(() => {
    const model = editorRef.current?.getModel();
    if (model && model.getLanguageId() !== props.language) monaco.editor.setModelLanguage(model, props.language);
  }, [props.language]);

  useEffect(() => {
    editorRef.current?.updateOptions({ readOnly: props.readOnly, domReadOnly: props.readOnly });
  }, [props.readOnly]);

  useEffect(() => {
    const follow = props.followClientId;
    const editor = editorRef.current;
    if (follow === null || !editor || !(session instanceof CollabSession)) return;
    const reveal = (): void => {
      const position = cursorsRef.current?.headPosition(follow);
      if (position) editor.revealPositionInCenterIfOutsideViewport(position, monaco.editor.ScrollType.Smooth);
    };
    reveal();
    session.awareness.on('change', reveal);
    return () => session.awareness.off('change', reveal);
  }, [props.followClientId, session]);

  const readOnly = session.readOnly;
  return (
    <div className="editor-shell">
      <div ref={container} className="editor-host" data-testid="editor" data-readonly={readOnly ? 'true' : 'false'} />
      {session instanceof CollabSession && !readOnly && (
        <div className="editor-actions">
          <button
            type="button"
            className="icon-button"
            data-testid="undo"
            title="Undo your last edit (Ctrl+Z) — never your partner's"
            disabled={!undoState.canUndo}
            onClick={() => {
              undoRef.current?.undo();
              editorRef.current?.focus();
            }}
          >
            ↶ Undo
          </button>
          <button
            type="button"
            className="icon-button"
            data-testid="redo"
            title="Redo (Ctrl+Shift+Z)"
            disabled={!undoState.canRedo}
            onClick={() => {
              undoRef.current?.redo();
              editorRef.current?.focus();
            }}
          >
            ↷ Redo
          </button>
        </div>
      )}
    </div>
  );
}
