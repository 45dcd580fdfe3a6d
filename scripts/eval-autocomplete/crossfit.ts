/**
 * Honest tuning of the thresholds on the dev split. The choice model is fitted on the dev split,
 * so measuring thresholds on the same queries would flatter them (its hidden units fit those
 * queries more closely than new ones). Here the dev files that run.ts measures are cut in two
 * halves; each half is simulated with a model fitted without it (on the other half and the
 * remaining dev files), and the tallies of both halves are added up. Prints one row per tuning tried. The held-out split is never read.
 *
 *   npx tsx scripts/eval-autocomplete/crossfit.ts
 *   npx tsx scripts/eval-autocomplete/crossfit.ts --tuning '[{"threshold":[0.95,0.7,0.55,0.55]}]'
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { ChoiceWeights } from '../../server/src/autocomplete/choice.js';
import { DEFAULT_TUNING, type SuggestTuning } from '../../server/src/autocomplete/tuning.js';
import { collectExamples, fitChoice } from './choice-fit.js';
import { fnv1a, loadCorpus, type EvalLanguage } from './corpus.js';
import { baselineEngine, localEngine } from './engines.js';
import { newTally, simulateFile, type Tally } from './simulate.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: args } = parseArgs({ options: { tuning: { type: 'string' }, language: { type: 'string' } } });
const tunings = (args.tuning ? JSON.parse(args.tuning) : [{}]) as Partial<SuggestTuning>[];
const languages: EvalLanguage[] = args.language ? [args.language as EvalLanguage] : ['python', 'javascript', 'typescript'];
const MAX_FILES = 70;
const corpus = loadCorpus(repoRoot);

for (const language of languages) {
  const dev = corpus.filter((f) => f.language === language && f.split === 'dev').sort((a, b) => fnv1a(a.id) - fnv1a(b.id));
  // The files run.ts measures on the dev split, cut in two; the other dev files always train.
  const files = dev.slice(0, MAX_FILES);
  const halves = [files.filter((_, i) => i % 2 === 0), files.filter((_, i) => i % 2 === 1)];
  const extra = collectExamples(dev.slice(MAX_FILES));
  const halfExamples = halves.map((half) => collectExamples(half));
  // weights[h] were fitted without half h.
  const weights: ChoiceWeights[] = halves.map((_, h) => fitChoice(`${language} without half ${h}`, [...(halfExamples[1 - h] ?? []), ...extra], () => {}));
  const baseline = newTally();
  for (const file of files) await simulateFile(file, baselineEngine(), fnv1a(`region:${file.id}`), baseline);
  const baseSaved = baseline.savedChars / baseline.typedChars;
  for (const override of tunings) {
    const tally: Tally = newTally();
    for (const [h, half] of halves.entries()) {
      const tuning: SuggestTuning = { ...DEFAULT_TUNING, ...override, choiceByLanguage: { ...DEFAULT_TUNING.choiceByLanguage, [language]: weights[h] } };
      for (const file of half) await simulateFile(file, localEngine(tuning), fnv1a(`region:${file.id}`), tally);
    }
    const saved = tally.savedChars / tally.typedChars;
    console.log(
      `${language}\t${JSON.stringify(override)}\tprecision ${(tally.correct / tally.offered).toFixed(3)}\tsaved ${(100 * saved).toFixed(1)}%\t${(saved / baseSaved).toFixed(3)}x baseline`,
    );
  }
}
