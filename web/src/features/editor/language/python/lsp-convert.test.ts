import { describe, expect, it } from 'vitest';
import type * as Monaco from 'monaco-editor/esm/vs/editor/editor.api.js';
import { toCompletionItem, toHover, toLspChanges, toLspPosition, toMarker, toSignatureHelp } from './lsp-convert';

const range = (startLineNumber: number, startColumn: number, endLineNumber: number, endColumn: number) => ({ startLineNumber, startColumn, endLineNumber, endColumn });

describe('LSP <-> Monaco', () => {
  it('positions: LSP counts from 0, Monaco from 1, both in UTF-16 units', () => {
    expect(toLspPosition({ lineNumber: 1, column: 1 })).toEqual({ line: 0, character: 0 });
    expect(toLspPosition({ lineNumber: 3, column: 7 })).toEqual({ line: 2, character: 6 });
  });

  it('content changes become incremental LSP changes, in the order Monaco lists them; a flush sends the whole text', () => {
    const event = {
      changes: [
        { range: range(2, 5, 2, 5), rangeOffset: 0, rangeLength: 0, text: 'b' },
        { range: range(1, 1, 1, 3), rangeOffset: 0, rangeLength: 2, text: '' },
      ],
      eol: '\n',
      versionId: 7,
      isUndoing: false,
      isRedoing: false,
      isFlush: false,
      isEolChange: false,
    } as Monaco.editor.IModelContentChangedEvent;
    expect(toLspChanges(event, () => 'unused')).toEqual([
      { range: { start: { line: 1, character: 4 }, end: { line: 1, character: 4 } }, text: 'b' },
      { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 2 } }, text: '' },
    ]);
    expect(toLspChanges({ ...event, isFlush: true }, () => 'all of it')).toEqual([{ text: 'all of it' }]);
  });

  it('a diagnostic becomes a marker with Monaco severity and tags', () => {
    const marker = toMarker({
      range: { start: { line: 0, character: 9 }, end: { line: 0, character: 12 } },
      severity: 1,
      message: 'Type "Literal[\'a\']" is not assignable to declared type "int"',
      source: 'basedpyright',
      code: 'reportAssignmentType',
      tags: [1],
    });
    expect(marker).toMatchObject({ ...range(1, 10, 1, 13), severity: 8, source: 'basedpyright', code: 'reportAssignmentType', tags: [1] });
    expect(toMarker({ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, severity: 2, message: 'w' }).severity).toBe(4);
    expect(toMarker({ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, message: 'no severity' }).severity).toBe(8);
  });

  it('a completion item replaces the word being typed unless the server gives its own edit, and keeps its LSP item for resolve', () => {
    const word = range(2, 3, 2, 5);
    const method = toCompletionItem({ label: 'upper', kind: 2, sortText: '09.9999.upper' }, word);
    expect(method).toMatchObject({ label: 'upper', kind: 0, insertText: 'upper', range: word, sortText: '09.9999.upper' });
    expect(method.lsp.label).toBe('upper');
    const edited = toCompletionItem(
      { label: 'x', textEdit: { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, newText: 'xyz' }, insertTextFormat: 2 },
      word,
    );
    expect(edited).toMatchObject({ insertText: 'xyz', range: range(1, 1, 1, 2), insertTextRules: 4 });
  });

  it('hover contents become markdown; an empty hover is none', () => {
    expect(toHover({ contents: { kind: 'markdown', value: '```python\nx: int\n```' } })?.contents).toEqual([{ value: '```python\nx: int\n```' }]);
    expect(toHover({ contents: { language: 'python', value: 'x: int' } })?.contents).toEqual([{ value: '```python\nx: int\n```' }]);
    expect(toHover({ contents: '' })).toBeNull();
    expect(toHover(null)).toBeNull();
  });

  it('signature help keeps the active signature and parameter', () => {
    const help = toSignatureHelp({
      signatures: [{ label: 'max(a: int, b: int) -> int', parameters: [{ label: [4, 10] }, { label: 'b: int' }], activeParameter: 1 }],
      activeSignature: 0,
      activeParameter: 1,
    });
    expect(help).toEqual({
      signatures: [{ label: 'max(a: int, b: int) -> int', documentation: undefined, parameters: [{ label: [4, 10], documentation: undefined }, { label: 'b: int', documentation: undefined }], activeParameter: 1 }],
      activeSignature: 0,
      activeParameter: 1,
    });
    expect(toSignatureHelp({ signatures: [] })).toBeNull();
  });
});
