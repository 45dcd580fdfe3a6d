/**
 * Autocomplete evaluation: pairpad's local engine against a most-frequent-word baseline on
 * real code the project does not contain. Reports on the held-out split unless `--split dev`.
 *
 *   npm run eval:autocomplete                      # held-out, writes bench/results/autocomplete-<date>.md
 *   npm run eval:autocomplete -- --split dev       # the split tuning is allowed to look at
 *   npm run eval:autocomplete -- --split dev --tuning '{"threshold":[0.8,0.5,0.5,0.45]}'
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_TUNING, type SuggestTuning } from '../../server/src/autocomplete/suggest.js';
import { fnv1a, loadCorpus, MAX_LINES, type CorpusFile, type EvalLanguage, type Split } from './corpus.js';
import { baselineEngine, localEngine } from './engines.js';
import { latencyOnLargeFile, newTally, percentile, simulateFile, REGION_LINES, type Engine, type Tally } from './simulate.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: args } = parseArgs({
  options: {
    split: { type: 'string', default: 'heldout' },
    tuning: { type: 'string' },
    'max-files': { type: 'string', default: '70' },
    write: { type: 'boolean', default: true },
    'no-write': { type: 'boolean', default: false },
    language: { type: 'string' },
  },
});
const split = args.split as Split;
if (split !== 'dev' && split !== 'heldout') throw new Error('--split must be dev or heldout');
const tuning: SuggestTuning = { ...DEFAULT_TUNING, ...(args.tuning ? (JSON.parse(args.tuning) as Partial<SuggestTuning>) : {}) };
const maxFiles = Number(args['max-files']);
const LANGS: EvalLanguage[] = ['python', 'javascript', 'typescript'];
const languages = args.language ? [args.language as EvalLanguage] : LANGS;

const started = performance.now();
const corpus = loadCorpus(repoRoot);
const engines: Engine[] = [localEngine(tuning), baselineEngine()];

interface Row {
  language: EvalLanguage;
  files: number;
  lines: number;
  sources: string;
  tallies: Tally[];
  large: { wall: number[]; cpu: number[] };
  largeLines: number;
}

const rows: Row[] = [];
for (const language of languages) {
  // A bounded, deterministic sample: files ordered by hash, at most max-files per language.
  const files = corpus
    .filter((f) => f.language === language && f.split === split)
    .sort((a, b) => fnv1a(a.id) - fnv1a(b.id))
    .slice(0, maxFiles);
  if (files.length === 0) continue;
  const tallies = engines.map(() => newTally());
  for (const file of files) {
    engines.forEach((engine, e) => simulateFile(file, engine, fnv1a(`region:${file.id}`), tallies[e] as Tally));
  }
  const large = largeFile(files);
  rows.push({
    language,
    files: files.length,
    lines: files.reduce((n, f) => n + Math.min(f.lines, REGION_LINES), 0),
    sources: [...new Set(files.map((f) => f.source))].join(', '),
    tallies,
    large: latencyOnLargeFile(large, language, engines[0] as Engine, 300),
    largeLines: large.split('\n').length,
  });
}

/** The split's files of one language concatenated (and repeated) to exactly MAX_LINES lines. */
function largeFile(files: CorpusFile[]): string {
  const lines: string[] = [];
  while (lines.length < MAX_LINES) for (const f of files) lines.push(...f.text.split('\n'));
  return lines.slice(0, MAX_LINES).join('\n');
}

const pct = (x: number): string => (Number.isFinite(x) ? (100 * x).toFixed(1) + '%' : '-');
const ms = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : '-');
const out: string[] = [];
const date = new Date().toISOString().slice(0, 10);
out.push(`# Autocomplete evaluation, ${date} (${split === 'heldout' ? 'held-out split' : 'dev split'})`);
out.push('');
out.push(`Simulated typing of ${REGION_LINES} lines per file; at each identifier the user types 1, then 2 characters and accepts a suggestion only if it is exactly what the file continues with. Document = file up to the cursor + file after the current line.`);
out.push('');
out.push('| language | engine | files | queries | top-1 | precision | keystrokes saved | vs baseline | p50 ms | p99 ms |');
out.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const row of rows) {
  const baseSaved = (row.tallies[1] as Tally).savedChars / (row.tallies[1] as Tally).typedChars;
  row.tallies.forEach((t, e) => {
    const saved = t.savedChars / t.typedChars;
    out.push(
      `| ${row.language} | ${(engines[e] as Engine).name} | ${row.files} | ${t.queries} | ${pct(t.top1Hits / t.top1Queries)} | ${pct(t.correct / t.offered)} | ${pct(saved)} | ${e === 0 ? (saved / baseSaved).toFixed(2) + 'x' : ''} | ${ms(percentile(t.latencies, 50))} | ${ms(percentile(t.latencies, 99))} |`,
    );
  });
}
out.push('');
out.push(`Latency on a ${MAX_LINES}-line file (this split's files of the language concatenated), 300 queries, pairpad engine; wall time and process CPU time per call:`);
out.push('');
out.push('| language | lines | wall p50 ms | wall p99 ms | CPU p50 ms | CPU p99 ms |');
out.push('|---|---:|---:|---:|---:|---:|');
for (const row of rows) {
  out.push(`| ${row.language} | ${row.largeLines} | ${ms(percentile(row.large.wall, 50))} | ${ms(percentile(row.large.wall, 99))} | ${ms(percentile(row.large.cpu, 50))} | ${ms(percentile(row.large.cpu, 99))} |`);
}
out.push('');
out.push('Corpus: ' + rows.map((r) => `${r.language}: ${r.sources}`).join('; ') + '.');
out.push(
  `Run time ${((performance.now() - started) / 1000).toFixed(1)} s on ${process.platform}/${process.arch}, ${cpus().length} cores, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} at the end (a shared machine inflates wall-time tails).`,
);
if (args.tuning) out.push(`Tuning override: \`${args.tuning}\``);
const report = out.join('\n') + '\n';
console.log(report);

if (split === 'heldout' && args.write && !args['no-write'] && !args.language && !args.tuning) {
  const file = join(repoRoot, 'bench/results', `autocomplete-${date}.md`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, report);
  console.log(`written to ${file}`);
}
