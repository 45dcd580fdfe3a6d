import { describe, expect, it } from 'vitest';
import { blameHighlights } from './authorship';
import { formatClock } from './format';

describe('blameHighlights', () => {
  it('tints authored ranges with their colour and names them on hover; server text stays plain', () => {
    const at = '2026-01-01T14:02:00Z';
    const highlights = blameHighlights({
      version: null,
      length: 12,
      ranges: [
        { start: 0, end: 4, author: null, color: null, at: null },
        { start: 4, end: 8, author: 'Alice', color: '#ff6b6b', at },
        { start: 8, end: 10, author: 'Bobby', color: '#4dabf7', at: null },
        { start: 10, end: 12, author: 'Mallory', color: 'red;}body{display:none', at },
      ],
      authors: [],
    });
    expect(highlights).toEqual([
      { start: 4, end: 8, color: '#ff6b6b', hover: `Alice · ${formatClock(at)}` },
      { start: 8, end: 10, color: '#4dabf7', hover: 'Bobby' },
    ]);
  });
});
