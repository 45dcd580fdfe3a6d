/**
 * Builds the local autocomplete engine's data files (server/src/autocomplete/tables/*.json) from
 * the evaluation corpus's DEV split, in memory, and compares them with the committed ones.
 * run.ts is the command line; server/src/autocomplete/tables.test.ts runs the check in `npm test`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CANDIDATE_FEATURES, QUERY_FEATURES } from '../../server/src/autocomplete/features.js';
import { CHOICE_FIT_PARAMETERS } from '../eval-autocomplete/choice-fit.js';
import { loadCorpus, type CorpusFile } from '../eval-autocomplete/corpus.js';
import { CALIBRATION_PARAMETERS, fitCalibration, weightsJson } from './calibration.js';
import { NGRAM_PARAMETERS, buildNgrams, ngramTablesJson } from './ngrams.js';
import { COMMAND, codeInputs, corpusInputs, sha256, type CorpusInput } from './provenance.js';
import { VOCABULARY_PARAMETERS, buildVocabulary, vocabularyTablesJson } from './vocabulary.js';
import type { NgramTable } from '../../server/src/autocomplete/ngrams.js';
import type { Language } from '@pairpad/shared';

export const DATA_DIR = 'server/src/autocomplete/tables';
export const DATA_FILES = ['vocabulary.json', 'ngrams.json', 'calibration.json'] as const;
export type DataFile = (typeof DATA_FILES)[number];

const GENERATED = `by \`${COMMAND}\` (scripts/gen-autocomplete) from the dev split of the evaluation corpus; do not edit`;

/** `value` as indented JSON, nested at `indent`. */
function json(value: unknown, indent: string): string {
  return JSON.stringify(value, null, 2).replace(/\n/g, `\n${indent}`);
}

export function dataFile(provenance: Record<string, unknown>, body: string): string {
  return `{\n  "generated": ${JSON.stringify(GENERATED)},\n  "provenance": ${json(provenance, '  ')},\n${body}\n}\n`;
}

export interface Generated {
  /** File name -> full text. */
  files: Partial<Record<DataFile, string>>;
  /** The calibration's input digest (what --check compares without refitting). */
  calibrationDigest: string;
}

export function devSplit(repoRoot: string): CorpusFile[] {
  return loadCorpus(repoRoot).filter((f) => f.split === 'dev');
}

/** What the calibration is a function of; a refit on the same digest writes the same weights. */
export function calibrationInputs(repoRoot: string, inputs: CorpusInput[], vocabulary: string, ngrams: string) {
  const provenance = {
    command: COMMAND,
    split: 'dev: files whose FNV-1a(id) mod 3 is not 0 (scripts/eval-autocomplete/corpus.ts)',
    inputs,
    tables: { 'vocabulary.json': sha256(vocabulary), 'ngrams.json': sha256(ngrams) },
    code: codeInputs(repoRoot),
    parameters: { ...CALIBRATION_PARAMETERS, ...CHOICE_FIT_PARAMETERS },
    /** The weights' layout: one weight per feature, in this order (features.ts). */
    features: { candidate: CANDIDATE_FEATURES, query: QUERY_FEATURES },
  };
  return { provenance, digest: sha256(JSON.stringify(provenance)) };
}

function tablesOf(vocabularyText: string, ngramsText: string) {
  const vocabulary = (JSON.parse(vocabularyText) as { tables: Record<string, Record<string, number>> }).tables;
  const ngrams = (JSON.parse(ngramsText) as { tables: Record<string, NgramTable> }).tables;
  const family = <T>(t: Record<string, T>): Partial<Record<Language, T>> => ({ python: t.python, javascript: t.javascript, typescript: t.javascript });
  return { commonWords: family(vocabulary), ngrams: family(ngrams) };
}

/**
 * Regenerates the tables. With `fit: false` the calibration is not refitted (minutes of CPU):
 * only its input digest is computed.
 */
export function generate(repoRoot: string, options: { fit: boolean; log: (line: string) => void }): Generated {
  const { log } = options;
  const dev = devSplit(repoRoot);
  const inputs = corpusInputs(repoRoot, dev);
  const files: Generated['files'] = {};

  const vocabulary = buildVocabulary(dev, log);
  files['vocabulary.json'] = dataFile(
    { command: COMMAND, split: 'dev', inputs, parameters: VOCABULARY_PARAMETERS, note: 'per family: identifier -> share of the family\'s dev files that use it; javascript serves TypeScript too' },
    `  "tables": ${vocabularyTablesJson(vocabulary, '  ')}`,
  );
  const ngrams = buildNgrams(dev, log);
  files['ngrams.json'] = dataFile(
    {
      command: COMMAND,
      split: 'dev, without the lines the evaluation types in each file',
      inputs,
      parameters: NGRAM_PARAMETERS,
      note: 'context of one or two tokens (space separated; " any string, 0 any number, \\n a line break) -> [occurrences (capped per file), then per following token: token, count, 1 when it usually follows a space]',
    },
    `  "tables": ${ngramTablesJson(ngrams, '  ')}`,
  );

  const { provenance, digest } = calibrationInputs(repoRoot, inputs, files['vocabulary.json'], files['ngrams.json']);
  if (options.fit) {
    const fitted = fitCalibration(dev, tablesOf(files['vocabulary.json'], files['ngrams.json']), log);
    files['calibration.json'] = dataFile(
      { ...provenance, queries: fitted.queries, inputDigest: digest, note: 'choice-model weights over features.ts (layout: ChoiceWeights); shared serves every language without its own set' },
      `  "shared": ${weightsJson(fitted.shared, '  ')},\n  "byLanguage": {\n${fitted.byLanguage.map(([language, w]) => `    ${JSON.stringify(language)}: ${weightsJson(w, '    ')}`).join(',\n')}\n  }`,
    );
  }
  return { files, calibrationDigest: digest };
}

export function committed(repoRoot: string, file: DataFile): string | undefined {
  const path = join(repoRoot, DATA_DIR, file);
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/**
 * Differences between the committed data files and a regeneration: the vocabulary and n-gram
 * tables are rebuilt and compared byte for byte; the calibration is refitted and compared when
 * `fit`, else its recorded input digest is compared with the current inputs'.
 */
export function check(repoRoot: string, options: { fit: boolean; log: (line: string) => void }): string[] {
  const fresh = generate(repoRoot, options);
  const problems: string[] = [];
  for (const file of DATA_FILES) {
    const text = fresh.files[file];
    if (text === undefined) continue;
    if (committed(repoRoot, file) !== text) problems.push(`${DATA_DIR}/${file} differs from what its inputs produce`);
  }
  if (!options.fit) {
    const recorded = (JSON.parse(committed(repoRoot, 'calibration.json') ?? '{}') as { provenance?: { inputDigest?: string } }).provenance?.inputDigest;
    if (recorded !== fresh.calibrationDigest) {
      problems.push(`${DATA_DIR}/calibration.json was fitted on other inputs (corpus, tables or engine code changed): refit it`);
    }
  }
  return problems;
}

export function write(repoRoot: string, generated: Generated): void {
  for (const [file, text] of Object.entries(generated.files)) writeFileSync(join(repoRoot, DATA_DIR, file), text);
}
