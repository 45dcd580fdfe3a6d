import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { check } from '../../../scripts/gen-autocomplete/generate.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

describe('generated autocomplete data', () => {
  // `npm run gen:autocomplete -- --check`: the tables are rebuilt from the corpus that `npm ci`
  // installs and compared byte for byte; the calibration (minutes to refit) by its input digest.
  it('tables/*.json match what their recorded inputs produce', () => {
    expect(check(repoRoot, { fit: false, log: () => {} })).toEqual([]);
  }, 120_000);
});
