import { describe, expect, it } from 'vitest';
import { applyEdits, diffLines, minimalEdits, splitLinesKeepEnds } from './format-edits';

describe('splitLinesKeepEnds', () => {
  it('keeps each terminator with its line, so the parts join back into the text', () => {
    for (const text of ['', 'a', 'a\n', 'a\nb', 'a\r\nb\r\n', '\n\n', 'a\rb']) expect(splitLinesKeepEnds(text).join('')).toBe(text);
    expect(splitLinesKeepEnds('a\r\nb\nc')).toEqual(['a\r\n', 'b\n', 'c']);
  });
});

describe('diffLines', () => {
  it('finds the runs of differing lines, not one block from the first change to the last', () => {
    const a = ['keep', 'old1', 'same', 'same2', 'old2', 'tail'];
    const b = ['keep', 'new1', 'same', 'same2', 'new2', 'extra', 'tail'];
    expect(diffLines(a, b)).toEqual([
      { aStart: 1, aEnd: 2, bStart: 1, bEnd: 2 },
      { aStart: 4, aEnd: 5, bStart: 4, bEnd: 6 },
    ]);
    expect(diffLines(a, a)).toEqual([]);
    expect(diffLines([], ['x'])).toEqual([{ aStart: 0, aEnd: 0, bStart: 0, bEnd: 1 }]);
    expect(diffLines(['x', 'y'], ['y'])).toEqual([{ aStart: 0, aEnd: 1, bStart: 0, bEnd: 0 }]);
  });

  it('past its cost limit replaces the differing middle whole', () => {
    const a = ['s', '1', 'x', '2', 'e'];
    const b = ['s', '3', 'x', '4', 'e'];
    expect(diffLines(a, b, 1)).toEqual([{ aStart: 1, aEnd: 4, bStart: 1, bEnd: 4 }]);
    expect(diffLines(a, b)).toHaveLength(2);
  });
});

/** A small deterministic generator, so the random cases are the same on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

describe('minimalEdits', () => {
  it('edits only the characters that differ', () => {
    const before = 'x = {  "a":37}\nprint( x )\n\n\n\ny=2\n';
    const after = 'x = {"a": 37}\nprint(x)\n\n\ny = 2\n';
    const edits = minimalEdits(before, after);
    expect(applyEdits(before, edits)).toBe(after);
    // Three separate places, each a few characters wide.
    expect(edits.length).toBeGreaterThanOrEqual(3);
    for (const edit of edits) expect(edit.range.endLineNumber - edit.range.startLineNumber).toBeLessThanOrEqual(2);
    expect(edits[0]).toEqual({ range: { startLineNumber: 1, startColumn: 6, endLineNumber: 1, endColumn: 12 }, text: '"a": ' });
  });

  it('leaves lines that did not change out of every edit (a partner’s caret there stays put)', () => {
    const untouched = 'def untouched(a, b):\n    return a + b\n';
    const before = `import os\n${untouched}z=os.sep\n`;
    const after = `import os\n\n\n${untouched}\n\nz = os.sep\n`;
    const edits = minimalEdits(before, after);
    expect(applyEdits(before, edits)).toBe(after);
    for (const { range } of edits) expect(range.startLineNumber === 2 && range.endLineNumber === 3).toBe(false);
    for (const { range } of edits) expect(range.endLineNumber <= 2 || range.startLineNumber >= 4 || range.endLineNumber === range.startLineNumber).toBe(true);
  });

  it('handles the end of the text, empty texts and \\r\\n', () => {
    for (const [before, after] of [
      ['x=1', 'x = 1\n'],
      ['', 'x = 1\n'],
      ['x = 1\n', ''],
      ['a\r\nb=1\r\n', 'a\r\nb = 1\r\n'],
      ['a\r\n\r\n\r\n\r\nb\r\n', 'a\r\n\r\n\r\nb\r\n'],
      ['x = 1\n\n\n', 'x = 1\n'],
    ] as const) {
      expect(applyEdits(before, minimalEdits(before, after))).toBe(after);
    }
    expect(minimalEdits('same\n', 'same\n')).toEqual([]);
  });

  it('turns any text into any other (random line edits)', () => {
    const next = random(42);
    const pool = ['a', 'b', 'c', '', '    d', 'e = 1', 'f()', '\tg'];
    const pick = (): string => pool[Math.floor(next() * pool.length)]!;
    for (let run = 0; run < 300; run++) {
      const eol = next() < 0.2 ? '\r\n' : '\n';
      const before = Array.from({ length: Math.floor(next() * 12) }, pick).join(eol) + (next() < 0.5 ? eol : '');
      const lines = before.split(eol);
      const changed = lines.flatMap((line) => {
        const roll = next();
        if (roll < 0.15) return [];
        if (roll < 0.3) return [line, pick()];
        if (roll < 0.45) return [pick()];
        return [line];
      });
      const after = changed.join(eol);
      expect(applyEdits(before, minimalEdits(before, after)), JSON.stringify({ before, after })).toBe(after);
    }
  });
});
