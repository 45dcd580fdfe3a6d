import { describe, expect, it } from 'vitest';
import { utf8Bytes } from './utf8';

describe('utf8Bytes', () => {
  it('counts UTF-8 bytes as TextEncoder writes them, lone surrogates included', () => {
    for (const text of ['', 'abc', 'é', '€', '😀', 'a😀b€\n', '\ud800', '\ud800x', 'x\udc00', '\udc00\ud800']) {
      expect(utf8Bytes(text)).toBe(new TextEncoder().encode(text).length);
    }
  });
});
