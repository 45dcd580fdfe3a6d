import type { AutocompleteResult, Language } from '@pairpad/shared';
import { monaco } from './monaco-setup';
import { createAutocompleteScheduler, type AutocompleteBody, type ReadySuggestion } from './autocomplete';
import { utf8Bytes } from '../../lib/utf8';
import { editFits, tooLargeMessage } from './edit-size';
import { createScope, toDisposable, type Disposable } from './disposable';
// Replaces Monaco's own JS/TS completion list before any model exists.
import './language/typescript-completions';
import { memberGuess, rankCompletionsWith } from './language/completion-ranking';
import type { UndoControls } from './text-binding';

export type Editor = monaco.editor.IStandaloneCodeEditor;
type Model = monaco.editor.ITextModel;

declare global {
  interface Window {
    /** Read-only peek for end-to-end tests and debugging. */
    __pairpad?: { text(): string; language(): string; editor: Editor };
  }
}

/** A Monaco editor on its own LF-only model in `host`; disposing it disposes both. */
export function createCodeEditor(host: HTMLElement, language: Language, readOnly: boolean): Disposable & { editor: Editor; model: Model } {
  const model = monaco.editor.createModel('', language);
  // y-monaco maps offsets 1:1; a CRLF model on Windows would drift from Unix peers.
  model.setEOL(monaco.editor.EndOfLineSequence.LF);
  const editor = monaco.editor.create(host, {
    model,
    theme: 'pairpad-dark',
    automaticLayout: true,
    readOnly,
    domReadOnly: readOnly,
    minimap: { enabled: false },
    fontSize: 14,
    lineHeight: 21,
    fontFamily: "'JetBrains Mono', 'Fira Code', ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace",
    scrollBeyondLastLine: false,
    // Room above line 1 for a cursor label.
    padding: { top: 22, bottom: 12 },
    // Indentation is the model's, per language (language/indentation.ts).
    renderLineHighlight: 'all',
    smoothScrolling: true,
    cursorBlinking: 'smooth',
    // Ghost text is the suggestion while typing; a list popping up on every word would fight it
    // for Tab. The language service's completion list opens where a list is what one wants:
    // after a trigger character (`obj.`) and on Ctrl+Space. Languages without a service have
    // no list (no word-based guesses).
    quickSuggestions: false,
    suggestOnTriggerCharacters: true,
    wordBasedSuggestions: 'off',
    inlineSuggest: { enabled: true, showToolbar: 'never' },
    fixedOverflowWidgets: true,
  });
  return {
    editor,
    model,
    dispose: () => {
      editor.dispose();
      model.dispose();
    },
  };
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
export function clampLineQueries(editor: Editor, model: Model): Disposable {
  const original = editor.getBottomForLineNumber;
  const bottomFor = original.bind(editor) as (lineNumber: number, includeViewZones?: boolean) => number;
  editor.getBottomForLineNumber = (lineNumber: number, includeViewZones?: boolean): number => {
    const lineCount = model.isDisposed() ? 1 : model.getLineCount();
    return bottomFor(Math.min(Math.max(1, lineNumber), lineCount), includeViewZones);
  };
  return toDisposable(() => {
    editor.getBottomForLineNumber = original;
  });
}

/**
 * A paste that would take the room past its size limit is refused here, before it enters the
 * document: the server would refuse the update and close the connection (1009).
 */
export function guardEditSize(host: HTMLElement, editor: Editor, model: Model): Disposable {
  const onPaste = (event: ClipboardEvent): void => {
    const pasted = event.clipboardData?.getData('text/plain') ?? '';
    if (pasted.length === 0) return;
    const selected = editor.getSelections()?.reduce((sum, range) => sum + utf8Bytes(model.getValueInRange(range)), 0) ?? 0;
    if (editFits(utf8Bytes(model.getValue()), pasted, selected)) return;
    event.preventDefault();
    event.stopPropagation();
    const messages = editor.getContribution('editor.contrib.messageController') as { showMessage?(message: string, position: monaco.IPosition): void } | null;
    const position = editor.getPosition();
    if (messages?.showMessage && position) messages.showMessage(tooLargeMessage(), position);
  };
  host.addEventListener('paste', onPaste, true);
  return toDisposable(() => host.removeEventListener('paste', onPaste, true));
}

/** window.__pairpad, for end-to-end tests and debugging. */
export function exposeForTests(editor: Editor, model: Model): Disposable {
  window.__pairpad = { text: () => model.getValue(), language: () => model.getLanguageId(), editor };
  return toDisposable(() => {
    if (window.__pairpad?.editor === editor) delete window.__pairpad;
  });
}

/** Ctrl/Cmd+Z undoes this user's own edits, Ctrl/Cmd+Shift+Z and Ctrl/Cmd+Y redo them. */
export function bindUndoKeys(editor: Editor, undo: UndoControls): Disposable {
  // Monaco's addCommand has no remover (the commands go with the editor); after dispose they do nothing.
  let bound = true;
  editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyZ, () => bound && undo.undo());
  editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyMod.Shift | monaco.KeyCode.KeyZ, () => bound && undo.redo());
  editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyY, () => bound && undo.redo());
  return toDisposable(() => {
    bound = false;
  });
}

export interface AutocompleteOptions {
  delayMs: number;
  fetch(body: AutocompleteBody, signal: AbortSignal): Promise<AutocompleteResult>;
  onRequest(offset: number): void;
  onSuggestion(suggestion: ReadySuggestion): void;
  onClear(): void;
}

/**
 * Ghost-text suggestions: asks after a pause in typing (`typed()`), shows the answer as an
 * inline completion at the cursor it was asked for, and cancels on Escape, a click or blur.
 * `options()` is read on every use, so the page's callbacks and the language stay current.
 */
export function bindAutocomplete(
  editor: Editor,
  model: Model,
  options: () => AutocompleteOptions & { language: Language },
): Disposable & { typed(): void } {
  const scheduler = createAutocompleteScheduler({
    delayMs: options().delayMs,
    read: () => {
      const selection = editor.getSelection();
      if (!selection || !selection.isEmpty() || !editor.hasTextFocus()) return null;
      const code = model.getValue();
      if (code.length === 0) return null;
      return { code, cursorPosition: model.getOffsetAt(selection.getPosition()), language: options().language };
    },
    fetch: (body, signal) => options().fetch(body, signal),
    fallback: (body) => memberGuess(model, body.code, body.cursorPosition),
    onRequest: (offset) => options().onRequest(offset),
    onSuggestion: (suggestion) => {
      options().onSuggestion(suggestion);
      editor.trigger('pairpad', 'editor.action.inlineSuggest.trigger', {});
    },
    onClear: () => options().onClear(),
  });
  const provider = monaco.languages.registerInlineCompletionsProvider('*', {
    provideInlineCompletions(target, position) {
      const shown = scheduler.current();
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
    if (event.keyCode === monaco.KeyCode.Escape) scheduler.cancel();
  });
  const cursor = editor.onDidChangeCursorPosition((event) => {
    if (event.reason === monaco.editor.CursorChangeReason.Explicit) scheduler.cancel();
  });
  const blur = editor.onDidBlurEditorText(() => scheduler.cancel());
  const scope = createScope();
  scope.add(provider);
  scope.add(keys);
  scope.add(cursor);
  scope.add(blur);
  scope.add(toDisposable(() => scheduler.dispose()));
  // The language services' completion lists are ranked with the same engine's words at the list's cursor.
  scope.add(
    rankCompletionsWith(model, async (offset, signal) => {
      const result = await options().fetch({ code: model.getValue(), cursorPosition: offset, language: options().language }, signal);
      return result.suggestions.filter((s) => s.kind !== 'line' && s.kind !== 'snippet').map((s) => s.label);
    }),
  );
  return { typed: () => scheduler.typed(), dispose: () => scope.dispose() };
}
