import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { format, format_range, initSync } from '@wasm-fmt/ruff_fmt/web';
import { applyEdits, minimalEdits } from './format-edits';
import { failureMessage, formatRangeWith, formatWith, offsetOfByte, positionOfByte, ruffSettings, syntaxError } from './ruff-format';

// The same WebAssembly the browser loads, compiled here from the package's file.
beforeAll(() => {
  const require = createRequire(import.meta.url);
  initSync(readFileSync(require.resolve('@wasm-fmt/ruff_fmt/ruff_fmt_bg.wasm')));
});

const fmt = (text: string, tabSize = 4, insertSpaces = true) => formatWith(format, text, { tabSize, insertSpaces });

describe('Ruff with the model’s indentation', () => {
  it('formats with 4 spaces, double quotes and line length 88 by default', () => {
    const result = fmt("x = {  'a':37,'b':42,\n'c':927}\ndef f(a,b):\n  return a+b\n");
    expect(result).toEqual({ ok: true, text: 'x = {"a": 37, "b": 42, "c": 927}\n\n\ndef f(a, b):\n    return a + b\n' });
    const long = `call(${Array.from({ length: 12 }, (_, i) => `argument_${i}`).join(', ')})\n`;
    const wrapped = fmt(long);
    expect(wrapped.ok && wrapped.text.split('\n').every((line) => line.length <= 88)).toBe(true);
    expect(wrapped.ok && wrapped.text.startsWith('call(\n    argument_0,')).toBe(true);
  });

  it('follows the model’s tab size and tabs', () => {
    expect(fmt('if x:\n        y = 1\n', 2)).toEqual({ ok: true, text: 'if x:\n  y = 1\n' });
    expect(fmt('if x:\n    y = 1\n', 4, false)).toEqual({ ok: true, text: 'if x:\n\ty = 1\n' });
    expect(ruffSettings({ tabSize: 0, insertSpaces: true })).toMatchObject({ indent_width: 4 });
  });

  it('writes \\n line endings, as the editor’s model has (y-monaco keeps every model LF-only)', () => {
    expect(fmt('x=1\r\ny=2\r\n')).toEqual({ ok: true, text: 'x = 1\ny = 2\n' });
  });

  it('reports a syntax error with its line and column, not an exception', () => {
    const result = fmt('x = 1\n\ndef f(:\n    pass\n');
    expect(result).toEqual({ ok: false, reason: 'syntax', message: 'Expected a parameter or the end of the parameter list', lineNumber: 3, column: 7 });
    expect(failureMessage(result as Exclude<typeof result, { ok: true }>)).toBe(
      'Format Document: syntax error on line 3: Expected a parameter or the end of the parameter list. The text was not changed.',
    );
    const unclosed = fmt('x = 1\ny = (\n');
    expect(unclosed).toMatchObject({ ok: false, reason: 'syntax', lineNumber: 3 });
  });
});

describe('Format Selection', () => {
  const messy = "x  =  {'a':1}\ndef f(a,b):\n  return a+b\ny  =  'é😀'+'z'\n";

  it('formats the statements the selection touches and leaves the rest as it is', () => {
    const start = messy.indexOf('def');
    const end = messy.indexOf('a+b') + 3;
    const result = formatRangeWith(format_range, messy, { start, end }, { tabSize: 4, insertSpaces: true });
    expect(result).toEqual({ ok: true, text: "x  =  {'a':1}\ndef f(a, b):\n    return a + b\ny  =  'é😀'+'z'\n" });
  });

  it('counts the range in UTF-16 units around multi-byte characters', () => {
    const start = messy.indexOf('y  =');
    const result = formatRangeWith(format_range, messy, { start, end: messy.length - 1 }, { tabSize: 4, insertSpaces: true });
    expect(result).toEqual({ ok: true, text: `${messy.slice(0, start)}y = "é😀" + "z"\n` });
    expect(offsetOfByte('é😀z', 6)).toBe(3);
  });

  it('refuses a file Ruff cannot parse, with the line', () => {
    const broken = 'x = 1\ndef f(:\n  pass\n';
    expect(formatRangeWith(format_range, broken, { start: 0, end: 5 }, { tabSize: 4, insertSpaces: true })).toMatchObject({ ok: false, reason: 'syntax', lineNumber: 2 });
  });
});

describe('the edits of a format', () => {
  it('turn a badly formatted file into Ruff’s output, leaving every token where it was', () => {
    const block = (i: number): string =>
      [
        `def func_${i}(a,b = 2 , *args,**kwargs):`,
        "  x={'a':1,'b':[1,2,3 ],'c':(a,b)}",
        '  if a>b :',
        "      return x[ 'a' ]",
        '  else:',
        '   for k in range( 10 ):print(k,a ,b)',
        `class Thing_${i} :`,
        '  def value(self) :return self.v*2',
      ].join('\n');
    const before = `import os,sys\n${Array.from({ length: 40 }, (_, i) => block(i)).join('\n')}\nprint("done")\n`;
    const result = fmt(before);
    if (!result.ok) throw new Error(result.message);
    const edits = minimalEdits(before, result.text);
    expect(applyEdits(before, edits)).toBe(result.text);
    // Ruff adds spaces, blank lines and line breaks and turns quotes: no edit removes a name.
    for (const { range } of edits) {
      const removed = before.split('\n').slice(range.startLineNumber - 1, range.endLineNumber).join('\n');
      const start = range.startColumn - 1;
      const end = removed.length - (before.split('\n')[range.endLineNumber - 1]!.length - (range.endColumn - 1));
      expect(removed.slice(start, end)).toMatch(/^[\s'"]*$/);
    }
  });
});

describe('positions of Ruff’s byte offsets', () => {
  it('counts UTF-8 bytes, and columns in UTF-16 units as Monaco does', () => {
    expect(positionOfByte('ab\ncd', 4)).toEqual({ lineNumber: 2, column: 2 });
    // "é" is 2 bytes, "😀" 4 bytes and 2 UTF-16 units.
    expect(positionOfByte('é😀x\ny', 6)).toEqual({ lineNumber: 1, column: 4 });
    expect(positionOfByte('é😀x\ny', 8)).toEqual({ lineNumber: 2, column: 1 });
    expect(positionOfByte('a\r\nb', 3)).toEqual({ lineNumber: 2, column: 1 });
    expect(syntaxError('', new Error('something odd'))).toEqual({ ok: false, reason: 'syntax', message: 'something odd', lineNumber: null, column: null });
  });
});
