import type { Language } from '@pairpad/shared';
import data from './tables/calibration.json' with { type: 'json' };

/** Fitted weights of the choice model (layout: ChoiceWeights in features.ts). */
export interface FittedChoiceWeights {
  candidate: readonly number[];
  none: readonly number[];
  candidateHidden: readonly (readonly number[])[];
  noneHidden: readonly (readonly number[])[];
}

// tables/calibration.json, fitted by `npm run gen:autocomplete` on the dev split only: one set
// fitted on all three evaluated languages (used for every other language) and one per
// evaluated language.
export const CHOICE_WEIGHTS: FittedChoiceWeights = data.shared;

export const CHOICE_WEIGHTS_BY_LANGUAGE: Partial<Record<Language, FittedChoiceWeights>> = data.byLanguage;
