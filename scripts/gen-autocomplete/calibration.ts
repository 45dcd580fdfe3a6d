/**
 * The choice model's weights, fitted on the DEV split only (the held-out split is never read):
 * one set per evaluated language and a shared set for the others. The fit is deterministic
 * (choice-fit.ts seeds its generator), so a refit on the same inputs writes the same numbers.
 */
import type { ChoiceWeights } from '../../server/src/autocomplete/choice.js';
import type { SuggestTables } from '../../server/src/autocomplete/tuning.js';
import { CHOICE_SEED, collectExamples, fitChoice, withoutTable, type Example } from '../eval-autocomplete/choice-fit.js';
import { fnv1a, type CorpusFile } from '../eval-autocomplete/corpus.js';

export const CALIBRATION_PARAMETERS = {
  /** Files per language that feed the shared weights, so that Python's larger dev split does not dominate them. */
  sharedFiles: 70,
  seed: CHOICE_SEED,
} as const;

export interface Calibration {
  shared: ChoiceWeights;
  byLanguage: [string, ChoiceWeights][];
  /** Queries per language and for the shared set. */
  queries: Record<string, number>;
}

/**
 * Every dev file's typed region: the n-gram table leaves all of them out, so their table
 * features are as they would be on unseen code. More queries than the 70 files per language
 * that run.ts measures keep the hidden units from fitting those files' quirks. `tables` are the
 * vocabulary and n-gram tables the engine will ship with (the features read them).
 */
export function fitCalibration(dev: readonly CorpusFile[], tables: SuggestTables, log: (line: string) => void): Calibration {
  const byLanguage = new Map<string, Example[][]>();
  for (const language of ['python', 'javascript', 'typescript'] as const) {
    const files = dev.filter((f) => f.language === language).sort((a, b) => fnv1a(a.id) - fnv1a(b.id));
    byLanguage.set(language, files.map((f) => collectExamples([f], tables)));
  }
  const all = [...byLanguage.values()].flatMap((perFile) => perFile.slice(0, CALIBRATION_PARAMETERS.sharedFiles).flat()).map(withoutTable);
  const shared = fitChoice('all', all, log);
  const perLanguage = [...byLanguage.entries()].map(([language, perFile]) => [language, fitChoice(language, perFile.flat(), log)] as [string, ChoiceWeights]);
  const queries: Record<string, number> = {};
  for (const [language, perFile] of byLanguage) queries[language] = perFile.flat().length;
  queries.shared = all.length;
  return { shared, byLanguage: perLanguage, queries };
}

const fmt = (xs: readonly number[]): string => xs.map((v) => v.toFixed(5)).join(', ');

/** Weights with 5 decimals, one hidden unit per line. */
export function weightsJson(w: ChoiceWeights, indent: string): string {
  const units = (list: readonly (readonly number[])[] | undefined): string => `[\n${(list ?? []).map((u) => `${indent}    [${fmt(u)}]`).join(',\n')}\n${indent}  ]`;
  return (
    `{\n${indent}  "candidate": [${fmt(w.candidate)}],\n${indent}  "none": [${fmt(w.none)}],\n` +
    `${indent}  "candidateHidden": ${units(w.candidateHidden)},\n${indent}  "noneHidden": ${units(w.noneHidden)}\n${indent}}`
  );
}
