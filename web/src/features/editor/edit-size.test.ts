import { MAX_DOCUMENT_BYTES_DEFAULT } from '@pairpad/shared';
import { describe, expect, it } from 'vitest';
import { editFits } from './edit-size';

describe('edit size guard', () => {
  it('refuses a paste that would take the room past its limit, and takes one that fits (also over a selection)', () => {
    const mb = 1024 * 1024;
    expect(editFits(0, 'x'.repeat(1.2 * mb))).toBe(true);
    expect(editFits(4.5 * mb, 'x'.repeat(1.2 * mb))).toBe(false);
    // Replacing a selection frees its bytes first.
    expect(editFits(4.5 * mb, 'x'.repeat(1.2 * mb), 1 * mb)).toBe(true);
    expect(editFits(0, 'x'.repeat(MAX_DOCUMENT_BYTES_DEFAULT + 1))).toBe(false);
  });
});
