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
    // `x = {  "a":37}` -> `x = {"a": 37}`: two spaces out, one in; `"a"` and `37` untouched.
    expect(edits.filter(({ range }) => range.startLineNumber === 1)).toEqual([
      { range: { startLineNumber: 1, startColumn: 6, endLineNumber: 1, endColumn: 8 }, text: '' },
      { range: { startLineNumber: 1, startColumn: 12, endLineNumber: 1, endColumn: 12 }, text: ' ' },
    ]);
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

  it('edits a reindented, requoted block line by line, even where lines were added around it', () => {
    const before = "def f(a,b):\n  x={'a':1}\n  return  x\nclass C :\n  pass\n";
    const after = 'def f(a, b):\n    x = {"a": 1}\n    return x\n\n\nclass C:\n    pass\n';
    const edits = minimalEdits(before, after);
    expect(applyEdits(before, edits)).toBe(after);
    // No edit reaches from one line into the next, but for the two blank lines inserted before `class`.
    const multiline = edits.filter(({ range }) => range.endLineNumber !== range.startLineNumber);
    expect(multiline).toEqual([]);
    // `  return  x` -> `    return x`: two spaces in front, one out before `x`; `return` is not touched.
    expect(edits.filter(({ range }) => range.startLineNumber === 3)).toEqual([
      { range: { startLineNumber: 3, startColumn: 3, endLineNumber: 3, endColumn: 3 }, text: '  ' },
      { range: { startLineNumber: 3, startColumn: 10, endLineNumber: 3, endColumn: 11 }, text: '' },
    ]);
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

  it('past a bound on their number, joins the edits closest together first', () => {
    const before = Array.from({ length: 700 }, (_, i) => `x${i}=1`).join('\n');
    const after = Array.from({ length: 700 }, (_, i) => `x${i} = 1`).join('\n');
    const all = minimalEdits(before, after);
    expect(all).toHaveLength(1400);
    const capped = minimalEdits(before, after, 800);
    expect(capped.length).toBeLessThanOrEqual(800);
    expect(applyEdits(before, capped)).toBe(after);
    // Joined around `=` within a line (1 character apart) before across lines.
    expect(capped.every(({ range }) => range.startLineNumber === range.endLineNumber)).toBe(true);
    expect(applyEdits(before, minimalEdits(before, after, 1))).toBe(after);
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
