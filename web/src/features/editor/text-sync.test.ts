import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { applyMinimalEdit, diffText, normalizeLineEndings } from './text-sync';

describe('diffText', () => {
  it('finds the one changed span', () => {
    expect(diffText('hello world', 'hello brave world')).toEqual({ start: 6, deleteCount: 0, insert: 'brave ' });
    expect(diffText('abcdef', 'abXf')).toEqual({ start: 2, deleteCount: 3, insert: 'X' });
    expect(diffText('same', 'same')).toBeNull();
  });
});

describe('applyMinimalEdit', () => {
  it('turns the model text into the new text with one edit', () => {
    let value = 'line1\nline2\n';
    const edits: unknown[] = [];
    const model = {
      getValue: () => value,
      getPositionAt: (offset: number) => {
        const before = value.slice(0, offset).split('\n');
        return { lineNumber: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 };
      },
      applyEdits: (list: { range: { startLineNumber: number; startColumn: number }; text: string }[]) => {
        edits.push(...list);
        value = 'line1\nline2 changed\n';
      },
    };
    applyMinimalEdit(model, 'line1\nline2 changed\n');
    expect(edits).toEqual([{ range: { startLineNumber: 2, startColumn: 6, endLineNumber: 2, endColumn: 6 }, text: ' changed' }]);
  });
});

describe('normalizeLineEndings', () => {
  it('turns CRLF and lone CR into LF', () => {
    const doc = new Y.Doc();
    const text = doc.getText('code');
    text.insert(0, 'a\r\nb\rc\n');
    normalizeLineEndings(doc, text, 'eol');
    expect(text.toString()).toBe('a\nb\nc\n');
  });
});
