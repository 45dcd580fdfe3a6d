import { describe, expect, it } from 'vitest';
import { prng } from './prng';
import { applyEdits, diffHunks, mergeWrite, roughDistance } from './text-merge';


const merge = (base: string, current: string, next: string) => applyEdits(current, mergeWrite(base, current, next));

describe('diffHunks', () => {
  it('finds several separate hunks, not one span from the first change to the last', () => {
    const hunks = diffHunks('alpha\nbeta\ngamma\n', 'ALPHA\nbeta\ngamma!\n');
    expect(hunks.length).toBe(2);
    expect(applyEdits('alpha\nbeta\ngamma\n', hunks.map((h) => ({ index: h.start, deleteCount: h.end - h.start, insert: h.insert })))).toBe('ALPHA\nbeta\ngamma!\n');
  });

  it('never splits a surrogate pair', () => {
    // U+1F600 and U+1F601 share their high surrogate; a unit diff would keep it and swap the low one.
    for (const [from, to] of [['a😀b', 'a😁b'], ['😀', '😁'], ['x😀', 'x😀😁'], ['😀😁', '😁']]) {
      const hunks = diffHunks(from!, to!);
      for (const h of hunks) {
        expect(h.start === 0 || !/[\ud800-\udbff]/.test(from![h.start - 1]!)).toBe(true);
        expect(/^[\udc00-\udfff]/.test(h.insert)).toBe(false);
        expect(/[\ud800-\udbff]$/.test(h.insert)).toBe(false);
      }
    }
  });
});

describe('roughDistance', () => {
  it('counts the characters outside the common prefix and suffix', () => {
    expect(roughDistance('abc', 'abc')).toBe(0);
    expect(roughDistance('hello world', 'hello brave world')).toBe(6);
    expect(roughDistance('a', 'b')).toBe(2);
    expect(roughDistance('', 'xyz')).toBe(3);
  });
});

describe('mergeWrite (three-way merge of a whole-buffer write)', () => {
  it('applies the edit relative to the base where the base text now stands, keeping concurrent edits', () => {
    const base = 'one\ntwo\nthree\n';
    // Someone else inserted a line at the top meanwhile; the writer changed "three".
    const current = 'zero\none\ntwo\nthree\n';
    const next = 'one\ntwo\nTHREE\n';
    expect(merge(base, current, next)).toBe('zero\none\ntwo\nTHREE\n');
  });

  it('two typists on two lines at once never interleave (the old diff-against-current bug)', () => {
    const base = '\n';
    const a = 'let x = 1\n';
    const b = '\nlet y = 2';
    // Both writes start from the same base; the server applies a first, then b.
    const afterA = merge(base, base, a);
    const afterB = merge(base, afterA, b);
    expect(afterB).toBe('let x = 1\nlet y = 2');
    // And character by character, each typist sending after every key with a stale base.
    let server = '\n';
    let baseA = server;
    let baseB = server;
    const lineA = 'x la = 1';
    const lineB = 'py = is';
    for (let i = 1; i <= Math.max(lineA.length, lineB.length); i++) {
      const bufferA = lineA.slice(0, i) + '\n';
      const bufferB = '\n' + lineB.slice(0, i);
      server = merge(baseA, server, bufferA);
      baseA = bufferA;
      server = merge(baseB, server, bufferB);
      baseB = bufferB;
    }
    expect(server).toBe('x la = 1\npy = is');
  });

  it('typing at the same spot keeps both insertions whole, theirs first', () => {
    expect(merge('ab', 'aXYZb', 'a123b')).toBe('aXYZ123b');
  });

  it('deleting text someone else already deleted deletes nothing more', () => {
    const base = 'keep this; drop this; keep that';
    const current = 'keep this; keep that';
    expect(merge(base, current, 'keep this; keep that')).toBe('keep this; keep that');
    // ...and a larger delete that covers theirs removes only what is still there.
    expect(merge(base, 'keep this; drop this; KEEP THAT', 'keep that')).toBe('KEEP THAT');
  });

  it('last write wins only where both changed the same characters', () => {
    const base = 'const a = 1; const b = 2;';
    const current = 'const a = 7; const b = 2;';
    expect(merge(base, current, 'const a = 9; const b = 2;')).toBe('const a = 9; const b = 2;');
    // Different characters of the same line: both kept.
    expect(merge(base, current, 'const a = 1; const b = 3;')).toBe('const a = 7; const b = 3;');
  });

  it('typing inside a range they deleted keeps the typing after their change', () => {
    expect(merge('abcdef', 'af', 'abcXdef')).toBe('aXf');
  });

  it('an unchanged write changes nothing, whatever others did', () => {
    expect(mergeWrite('abc', 'xyz', 'abc')).toEqual([]);
  });

  it('random concurrent edits: the other side\'s untouched text survives and the write\'s own text appears', () => {
    const random = prng(7);
    const alphabet = 'abc \n😀';
    const pick = () => [...alphabet][Math.floor(random() * [...alphabet].length)]!;
    const mutate = (text: string, marker: string) => {
      const at = Math.floor(random() * (text.length + 1));
      const cut = Math.min(text.length - at, Math.floor(random() * 3));
      const start = /[\udc00-\udfff]/.test(text[at] ?? '') ? at - 1 : at;
      let end = start + cut;
      if (/[\udc00-\udfff]/.test(text[end] ?? '')) end++;
      return text.slice(0, start) + marker + text.slice(end);
    };
    for (let round = 0; round < 300; round++) {
      let base = '';
      for (let i = 0; i < 30; i++) base += pick();
      const current = mutate(base, '<THEIRS>');
      const next = mutate(base, '[MINE]');
      const merged = merge(base, current, next);
      expect(merged).toContain('[MINE]');
      expect(merged).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
      // Their insertion is either whole or (only when both changed the same characters) gone.
      if (!merged.includes('<THEIRS>')) expect(merged).not.toMatch(/<|THEIRS|>/);
    }
  });
});
