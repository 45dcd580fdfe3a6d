/**
 * `npm run gen:autocomplete`: rebuilds server/src/autocomplete/tables/*.json (common words, n-gram
 * table, choice-model weights) from the dev split of the evaluation corpus, which `npm ci`
 * installs (scripts/eval-autocomplete/corpus.ts). Deterministic: the same inputs write the same
 * bytes.
 *
 *   npm run gen:autocomplete                   # regenerate and write (the fit takes minutes)
 *   npm run gen:autocomplete -- --check        # fail if the tables differ from a rebuild, or the
 *                                              # calibration's recorded input digest from the inputs'
 *   npm run gen:autocomplete -- --check --full # also refit the calibration and compare it
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { check, generate, write } from './generate.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: args } = parseArgs({ options: { check: { type: 'boolean', default: false }, full: { type: 'boolean', default: false }, quiet: { type: 'boolean', default: false } } });
const log = args.quiet ? () => {} : (line: string) => console.error(line);
const started = performance.now();

if (args.check) {
  const problems = check(repoRoot, { fit: args.full, log });
  for (const p of problems) console.error(`gen:autocomplete --check: ${p}`);
  if (problems.length > 0) {
    console.error('Run `npm run gen:autocomplete` and commit server/src/autocomplete/tables/.');
    process.exit(1);
  }
  console.log(`gen:autocomplete --check: data files match their inputs (${((performance.now() - started) / 1000).toFixed(1)} s${args.full ? ', calibration refitted' : ', calibration by input digest'})`);
} else {
  write(repoRoot, generate(repoRoot, { fit: true, log }));
  console.log(`gen:autocomplete: wrote server/src/autocomplete/tables/ (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
