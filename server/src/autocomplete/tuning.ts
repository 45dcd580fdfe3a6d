import type { Language } from '@pairpad/shared';
import { CHOICE_WEIGHTS, CHOICE_WEIGHTS_BY_LANGUAGE } from './calibration.js';
import type { ChoiceWeights } from './choice.js';
import { NGRAMS, type NgramTable } from './ngrams.js';
import { COMMON_WORDS } from './vocabulary.js';

/**
 * Knobs of the ranking model. The defaults were tuned on the development split of the
 * evaluation corpus (scripts/eval-autocomplete); the harness may pass others.
 */
export interface SuggestTuning extends SuggestTables {
  /** Characters lexed before / after the cursor; the rest of the file only feeds word counts. */
  windowBefore: number;
  windowAfter: number;
  /** Longest token context compared when ranking (tokens before the word). */
  maxContext: number;
  /** Context tokens taken from before the last line break (the previous line is weak evidence). */
  crossLine: number;
  /** Extra weight of an occurrence near the cursor: 1 + nearBoost * exp(-distance / nearChars). */
  nearBoost: number;
  nearChars: number;
  /** Weight of occurrences outside the lexed window. */
  farWeight: number;
  /** Bound on prefix matches examined outside the window. */
  farHits: number;
  /**
   * Minimum calibrated confidence to offer a 4-character completion, by typed prefix length
   * (index 0 = empty prefix). Stricter after one character than after two (tuned on the dev
   * split): after one, many words still fit and a miss can still be put right one keystroke
   * later; after two, the ranking is sharper and an offer is worth more risk.
   */
  threshold: readonly number[];
  /** Minimum estimated probability that a multi-token continuation is right as a whole. */
  extendThreshold: number;
  /** Bound a continuation's probability by its weakest token instead of the product of all. */
  extendWeakest: boolean;
  /**
   * Occurrences a deeper context needs before it decides a continuation's next token alone;
   * below that the n-gram table lends `staticStrength` pseudo-occurrences.
   */
  extendSupport: number;
  /** Pseudo-count of unseen continuations when estimating a continuation's probability. */
  extendPseudo: number;
  maxExtendTokens: number;
  /** How much the threshold drops per e-fold of completion length (and rises for shorter ones). */
  lengthSlope: number;
  /** Completions shorter than this are never offered as `suggestion` (they still appear in the list). */
  minInsert: number;
  /** Added to the thresholds for one language, so that each evaluated language offers at about the same precision on the dev split. */
  thresholdShift: Partial<Record<Language, number>>;
  /** Confidence that the file continues with the shared stem of the likeliest words, to offer that stem. */
  partialThreshold: number;
  /** Shortest stem (characters past the typed prefix) worth offering. */
  minPartial: number;
  /** Prior weight of the language's common words (times their document frequency). */
  commonWeight: number;
  /** Prior weight of a word the language's n-gram table expects after the cursor's tokens. */
  staticWeight: number;
  /** Pseudo-occurrences the n-gram table lends a multi-token continuation (next to the document's own). */
  staticStrength: number;
  /** Prose: ignore words shorter than this. */
  proseMinWord: number;
  /** Choice-model weights; fitted by `npm run gen:autocomplete` on the dev split. */
  choice: ChoiceWeights;
  /** Per-language weights where the corpus had that language; `choice` elsewhere. */
  choiceByLanguage: Partial<Record<Language, ChoiceWeights>>;
}

/** The generated tables the engine reads (tables/*.json); the generator swaps in fresh ones. */
export interface SuggestTables {
  /** Per language: words many files use, with the share of files that use them. */
  commonWords: Partial<Record<Language, Readonly<Record<string, number>>>>;
  /** Per language: the n-gram table (ngrams.ts). */
  ngrams: Partial<Record<Language, NgramTable>>;
}

export const DEFAULT_TUNING: SuggestTuning = {
  windowBefore: 16_000,
  windowAfter: 4_000,
  maxContext: 6,
  crossLine: 1,
  nearBoost: 2,
  nearChars: 3_000,
  farWeight: 0.5,
  farHits: 4_000,
  threshold: [0.95, 0.72, 0.56, 0.56],
  extendThreshold: 0.8,
  extendSupport: 4,
  extendWeakest: true,
  extendPseudo: 0.5,
  maxExtendTokens: 10,
  lengthSlope: 0.1,
  minInsert: 2,
  partialThreshold: 0.72,
  thresholdShift: { javascript: 0.02, python: -0.02 },
  minPartial: 2,
  commonWeight: 1,
  staticWeight: 1,
  staticStrength: 8,
  proseMinWord: 4,
  choice: CHOICE_WEIGHTS,
  choiceByLanguage: CHOICE_WEIGHTS_BY_LANGUAGE,
  commonWords: COMMON_WORDS,
  ngrams: NGRAMS,
};

