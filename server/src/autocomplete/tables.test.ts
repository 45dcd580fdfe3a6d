import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { check } from '../../../scripts/gen-autocomplete/generate.js';
import { CHOICE_WEIGHTS, CHOICE_WEIGHTS_BY_LANGUAGE } from './calibration.js';
import { CANDIDATE_FEATURES, QUERY_FEATURES } from './features.js';
import calibration from './tables/calibration.json' with { type: 'json' };

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

describe('generated autocomplete tables', () => {
  // `npm run gen:autocomplete -- --check`: the tables are rebuilt from the corpus that `npm ci`
  // installs and compared byte for byte; the calibration (minutes to refit) by its input digest.
  it('tables/*.json match what their recorded inputs produce', () => {
    expect(check(repoRoot, { fit: false, log: () => {} })).toEqual([]);
  }, 120_000);

  // The weights are read by position: weights fitted before a feature was added, removed or
  // moved would silently weigh the wrong numbers.
  it('the fitted weights were fitted on the features the engine computes, in the same order', () => {
    expect(calibration.provenance.features.candidate).toEqual(CANDIDATE_FEATURES);
    expect(calibration.provenance.features.query).toEqual(QUERY_FEATURES);
    const c = CANDIDATE_FEATURES.length;
    const q = QUERY_FEATURES.length;
    for (const weights of [CHOICE_WEIGHTS, ...Object.values(CHOICE_WEIGHTS_BY_LANGUAGE)]) {
      expect(weights.candidate).toHaveLength(c);
      expect(weights.none).toHaveLength(q);
      expect(weights.candidateHidden.length).toBeGreaterThan(0);
      for (const unit of weights.candidateHidden) expect(unit).toHaveLength(c + q + 2);
      for (const unit of weights.noneHidden) expect(unit).toHaveLength(q + 2);
    }
  });
});
