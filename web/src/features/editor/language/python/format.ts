import type * as Monaco from 'monaco-editor/esm/vs/editor/editor.api.js';
import { minimalEdits, type TextEdit } from './format-edits';
import { failureMessage, type FormatRequestOptions, type FormatResult } from './ruff-format';
import type { FormatRequest, FormatResponse } from './ruff-protocol';

/**
 * Format Document for Python: Ruff in a worker of its own (this module and the worker are
 * loaded on the first format, never with the room). See format-provider.ts for the provider.
 */

type Editor = Monaco.editor.ICodeEditor;
type Model = Monaco.editor.ITextModel;

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, (result: FormatResult) => void>();

function failAll(message: string): void {
  for (const resolve of pending.values()) resolve({ ok: false, reason: 'unavailable', message });
  pending.clear();
}

function ruffWorker(): Worker {
  if (worker) return worker;
  const started = new Worker(new URL('./ruff-worker.ts', import.meta.url), { type: 'module', name: 'pairpad-ruff' });
  started.onmessage = (event: MessageEvent<FormatResponse>) => {
    const { id, result } = event.data;
    pending.get(id)?.(result);
    pending.delete(id);
  };
  started.onerror = (event) => {
    // A script that failed to load (a deploy in between, the connection gone): the next format starts a new one.
    event.preventDefault();
    started.terminate();
    if (worker === started) worker = null;
    failAll(event.message || 'the formatter did not start');
  };
  worker = started;
  return started;
}

/** `text` formatted by Ruff with the given indentation (Ruff's defaults otherwise). */
export function formatPython(text: string, options: FormatRequestOptions, range?: FormatRequest['range']): Promise<FormatResult> {
  const id = nextId++;
  const request: FormatRequest = { id, text, options: { tabSize: options.tabSize, insertSpaces: options.insertSpaces }, ...(range && { range }) };
  return new Promise<FormatResult>((resolve) => {
    pending.set(id, resolve);
    ruffWorker().postMessage(request);
  });
}

/** Shows `message` under the caret, as Monaco shows "Cannot edit in read-only editor". */
function showMessage(editor: Editor | null, message: string): void {
  const position = editor?.getPosition();
  const controller = editor?.getContribution('editor.contrib.messageController') as { showMessage?(message: string, position: Monaco.IPosition): void } | null;
  if (position && controller?.showMessage) controller.showMessage(message, position);
}

/**
 * The provider's answer (Format Document, or Format Selection with `range`: the statements it
 * touches): the edits from the model's text to Ruff's, each touching only what changed (see format-edits.ts); none, and a message in `editor`, when Ruff cannot parse the
 * file. None either when the text changed meanwhile (a partner typed): Monaco would cancel the
 * format anyway, and the edits were computed for the old text.
 */
export async function formatDocumentEdits(
  model: Model,
  options: Monaco.languages.FormattingOptions,
  token: Monaco.CancellationToken,
  editor: Editor | null,
  range?: Monaco.IRange,
): Promise<TextEdit[]> {
  performance.mark('pairpad:format:start');
  const version = model.getVersionId();
  const text = model.getValue();
  const offsets = range && { start: model.getOffsetAt({ lineNumber: range.startLineNumber, column: range.startColumn }), end: model.getOffsetAt({ lineNumber: range.endLineNumber, column: range.endColumn }) };
  const result = await formatPython(text, options, offsets);
  performance.mark('pairpad:format:formatted');
  if (token.isCancellationRequested || model.isDisposed() || model.getVersionId() !== version) return [];
  if (!result.ok) {
    showMessage(editor, failureMessage(result));
    return [];
  }
  const edits = minimalEdits(text, result.text.replace(/\r\n|\r|\n/g, model.getEOL()));
  performance.mark('pairpad:format:edits', { detail: edits.length });
  if (edits.length <= MONACO_EDITS || !editor || editor.getModel() !== model) return edits;
  applyInBatches(editor, edits);
  return [];
}

/**
 * Monaco's text buffer applies 1000 or more edits of one operation as a single edit from the
 * first to the last (pieceTreeTextBuffer's `_reduceOperations`), and y-monaco shares each model
 * change as it comes: the partner would get the whole file replaced, and their caret moved to
 * the first change. Monaco's formatter also splits a provider's edits further
 * (computeMoreMinimalEdits), so past half that many they are applied here instead, in batches
 * under the limit, last first (the earlier ranges stay valid), as one undo step.
 */
const MONACO_EDITS = 450;
const BATCH = 900;

function applyInBatches(editor: Editor, edits: readonly TextEdit[]): void {
  editor.pushUndoStop();
  for (let end = edits.length; end > 0; end -= BATCH) {
    const batch = edits.slice(Math.max(0, end - BATCH), end);
    editor.executeEdits(
      'format',
      batch.map(({ range, text }) => ({ range, text, forceMoveMarkers: true })),
    );
  }
  editor.pushUndoStop();
}
