import type * as Y from 'yjs';

/** Common prefix/suffix diff: one replace that turns `from` into `to`. */
export function diffText(from: string, to: string): { start: number; deleteCount: number; insert: string } | null {
  if (from === to) return null;
  let start = 0;
  const max = Math.min(from.length, to.length);
  while (start < max && from.charCodeAt(start) === to.charCodeAt(start)) start++;
  let endFrom = from.length;
  let endTo = to.length;
  while (endFrom > start && endTo > start && from.charCodeAt(endFrom - 1) === to.charCodeAt(endTo - 1)) {
    endFrom--;
    endTo--;
  }
  return { start, deleteCount: endFrom - start, insert: to.slice(start, endTo) };
}

interface EditableModel {
  getValue(): string;
  getPositionAt(offset: number): { lineNumber: number; column: number };
  applyEdits(
    edits: { range: { startLineNumber: number; startColumn: number; endLineNumber: number; endColumn: number }; text: string }[],
  ): unknown;
}

/** Replaces a model's text with `next` through the smallest edit, so cursors stay where they were. */
export function applyMinimalEdit(model: EditableModel, next: string): void {
  const diff = diffText(model.getValue(), next);
  if (!diff) return;
  const start = model.getPositionAt(diff.start);
  const end = model.getPositionAt(diff.start + diff.deleteCount);
  model.applyEdits([
    {
      range: { startLineNumber: start.lineNumber, startColumn: start.column, endLineNumber: end.lineNumber, endColumn: end.column },
      text: diff.insert,
    },
  ]);
}

/** Removes CR characters from the shared text (CRLF and lone CR become LF), in one transaction. */
export function normalizeLineEndings(doc: Y.Doc, text: Y.Text, origin: unknown): void {
  const value = text.toString();
  if (!value.includes('\r')) return;
  doc.transact(() => {
    for (let i = value.length - 1; i >= 0; i--) {
      if (value[i] !== '\r') continue;
      if (value[i + 1] === '\n') text.delete(i, 1);
      else {
        text.delete(i, 1);
        text.insert(i, '\n');
      }
    }
  }, origin);
}
