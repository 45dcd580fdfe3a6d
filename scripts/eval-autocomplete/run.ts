/**
 * Autocomplete evaluation: pairpad's local engine against a most-frequent-word baseline on
 * real code the project does not contain. Reports on the held-out split unless `--split dev`.
 *
 *   npm run eval:autocomplete                      # held-out, writes bench/results/autocomplete-<date>.md
 *   npm run eval:autocomplete -- --split dev       # the split tuning is allowed to look at
 *   npm run eval:autocomplete -- --split dev --tuning '{"threshold":[0.8,0.5,0.5,0.45]}'
 *
 * With `--provider openai` the configured model path is measured too, through the server's own
 * service (service.ts): one model call per query, so use --max-files. Writes
 * bench/results/autocomplete-model-<date>.md instead.
 *
 *   npm run eval:autocomplete -- --provider openai --url http://127.0.0.1:11434 --model qwen2.5-coder:1.5b --max-files 10
 *   (--api-key, --timeout-ms; AUTOCOMPLETE_URL, AUTOCOMPLETE_MODEL, AUTOCOMPLETE_API_KEY and
 *   AUTOCOMPLETE_TIMEOUT_MS are the defaults)
 *
 * With `--ls`, every language is also measured with pairpad + its language service
 * (ls-engine.ts): the TypeScript LanguageService for JavaScript and TypeScript, basedpyright's
 * language server for Python (`--ls-no-python` leaves Python out, `--ls-py-max-words N` asks it
 * at most N words per file). One row per combination rule (`--ls-rules veto,prefer,unique,add`,
 * `--ls-nolib` for no default lib), and a table of the completion list's ranking. Writes
 * bench/results/autocomplete-ls-<date>.md instead.
 *
 *   npm run eval:autocomplete -- --ls --split dev --no-write   # rules are chosen here
 *   npm run eval:autocomplete -- --ls                          # held-out, the chosen rule's figures
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import ts from 'typescript';
import type { Logger } from '../../server/src/log.js';
import { createAutocompleteService } from '../../server/src/autocomplete/service.js';
import { DEFAULT_TUNING, type SuggestTuning } from '../../server/src/autocomplete/tuning.js';
import { fnv1a, loadCorpus, MAX_LINES, type CorpusFile, type EvalLanguage, type Split } from './corpus.js';
import { baselineEngine, localEngine, modelEngine } from './engines.js';
import { createLsHarness, lsEngines, LS_RULES, newLsStats, rowName, type LsRule } from './ls-engine.js';
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
    provider: { type: 'string' },
    url: { type: 'string', default: process.env.AUTOCOMPLETE_URL },
    model: { type: 'string', default: process.env.AUTOCOMPLETE_MODEL },
    'api-key': { type: 'string', default: process.env.AUTOCOMPLETE_API_KEY },
    'timeout-ms': { type: 'string', default: process.env.AUTOCOMPLETE_TIMEOUT_MS ?? '1500' },
    ls: { type: 'boolean', default: false },
    'ls-rules': { type: 'string', default: LS_RULES.join(',') },
    'ls-nolib': { type: 'boolean', default: false },
    'ls-large-queries': { type: 'string', default: '100' },
    'ls-no-python': { type: 'boolean', default: false },
    'ls-py-max-words': { type: 'string' },
  },
});
const split = args.split as Split;
if (split !== 'dev' && split !== 'heldout') throw new Error('--split must be dev or heldout');
const tuning: SuggestTuning = { ...DEFAULT_TUNING, ...(args.tuning ? (JSON.parse(args.tuning) as Partial<SuggestTuning>) : {}) };
const maxFiles = Number(args['max-files']);
const LANGS: EvalLanguage[] = ['python', 'javascript', 'typescript'];
const languages = args.language ? [args.language as EvalLanguage] : args.ls && args['ls-no-python'] ? LANGS.filter((l) => l !== 'python') : LANGS;
if (args.ls && args.provider) throw new Error('--ls and --provider are measured in separate runs');
const lsRules = (args['ls-rules'] ?? '').split(',').filter((r) => r !== '') as LsRule[];
for (const r of lsRules) if (!LS_RULES.includes(r)) throw new Error(`--ls-rules: unknown rule ${r} (${LS_RULES.join(', ')})`);
const lsStats = newLsStats();

// The model path, when asked for: the server's service with the same options the server takes.
if (args.provider !== undefined && args.provider !== 'openai') throw new Error('--provider must be openai (the local engine is always measured)');
const provider = args.provider === 'openai' ? { url: args.url, model: args.model, timeoutMs: Number(args['timeout-ms']) } : undefined;
if (provider && !provider.url) throw new Error('--provider openai needs --url (or AUTOCOMPLETE_URL)');
if (provider && !(Number.isInteger(provider.timeoutMs) && provider.timeoutMs > 0)) throw new Error('--timeout-ms must be a positive integer');
let modelWarnings = 0;
/** The service logs each model failure at warn: the first few go to stderr, the rest are counted. */
const harnessLogger: Logger = {
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (obj: object | string, msg?: string) => {
    if (++modelWarnings <= 3) console.error(`model: ${typeof obj === 'string' ? obj : `${msg ?? ''} ${JSON.stringify(obj)}`}`);
  },
  error: () => {},
  fatal: () => {},
  child: () => harnessLogger,
};

const started = performance.now();
const corpus = loadCorpus(repoRoot);
const local = localEngine(tuning);
const pyMaxWords = args['ls-py-max-words'] === undefined ? Infinity : Number(args['ls-py-max-words']);
const lsHarness = args.ls ? createLsHarness(lsRules, lsStats, { noLib: args['ls-nolib'], tuning, pyMaxWords }) : undefined;
const lsList = lsHarness?.engines ?? [];
const engines: Engine[] = [local, ...lsList, baselineEngine()];
// Latency of an editor's list: the service asked at every identifier, not only after `.`.
const lsLargeEngine = args.ls ? lsEngines([lsRules[0] ?? 'veto'], newLsStats(), { noLib: args['ls-nolib'], tuning, everywhere: true })[0] : undefined;
if (provider) {
  const service = createAutocompleteService({ provider: 'openai', url: provider.url, model: provider.model, apiKey: args['api-key'], timeoutMs: provider.timeoutMs, logger: harnessLogger });
  engines.unshift(modelEngine(service, `model (${provider.model ?? 'unnamed'})`));
}
/** The baseline is the last row of each language; every other engine is compared with it. */
const BASE = engines.length - 1;

interface Row {
  language: EvalLanguage;
  files: number;
  lines: number;
  sources: string;
  tallies: Tally[];
  large: { wall: number[]; cpu: number[] };
  largeLines: number;
  /** The language-service engine on the same large file (--ls only). */
  lsLarge?: { wall: number[]; cpu: number[] };
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
  for (const [i, file] of files.entries()) {
    await lsHarness?.prepare(file);
    for (const [e, engine] of engines.entries()) await simulateFile(file, engine, fnv1a(`region:${file.id}`), tallies[e] as Tally);
    // The completion list's ranking, on the trajectory of a user who accepts no ghost text.
    if (lsHarness) await simulateFile(file, lsHarness.ranking, fnv1a(`region:${file.id}`), newTally());
    if (args.ls) console.error(`${language}: ${i + 1}/${files.length} files, ${(performance.now() - started) / 1000 | 0} s`);
    if (provider) {
      const t = tallies[0] as Tally;
      console.error(`${language}: ${i + 1}/${files.length} files, ${t.queries} model-path queries, ${t.modelAnswers} answered by the model`);
    }
  }
  const large = largeFile(files);
  rows.push({
    language,
    files: files.length,
    lines: files.reduce((n, f) => n + Math.min(f.lines, REGION_LINES), 0),
    sources: [...new Set(files.map((f) => f.source))].join(', '),
    tallies,
    large: latencyOnLargeFile(large, language, local, 300),
    largeLines: large.split('\n').length,
    lsLarge: lsLargeEngine && language !== 'python' && Number(args['ls-large-queries']) > 0 ? latencyOnLargeFile(large, language, lsLargeEngine, Number(args['ls-large-queries'])) : undefined,
  });
}

/** The split's files of one language concatenated (and repeated) to exactly MAX_LINES lines. */
function largeFile(files: CorpusFile[]): string {
  const lines: string[] = [];
  while (lines.length < MAX_LINES) for (const f of files) lines.push(...f.text.split('\n'));
  return lines.slice(0, MAX_LINES).join('\n');
}

const nameOf = rowName;
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
  const baseSaved = (row.tallies[BASE] as Tally).savedChars / (row.tallies[BASE] as Tally).typedChars;
  row.tallies.forEach((t, e) => {
    const saved = t.savedChars / t.typedChars;
    out.push(
      `| ${row.language} | ${nameOf(engines[e] as Engine, row.language)} | ${row.files} | ${t.queries} | ${pct(t.top1Hits / t.top1Queries)} | ${pct(t.correct / t.offered)} | ${pct(saved)} | ${e !== BASE ? (saved / baseSaved).toFixed(3) + 'x' : ''} | ${ms(percentile(t.latencies, 50))} | ${ms(percentile(t.latencies, 99))} |`,
    );
  });
}
if (provider) {
  out.push('');
  out.push(
    `Model path: \`${engines[0]?.name}\` at ${provider.url} through server/src/autocomplete/service.ts (the same code as \`POST /autocomplete\`), timeout ${provider.timeoutMs} ms; its row counts whatever the service answered. Where the model timed out, failed, answered empty or was paused after failures, the local engine answered (with default tuning):`,
  );
  out.push('');
  out.push('| language | queries | model answers | local fallbacks | model share | model suggestions | their precision |');
  out.push('|---|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) {
    const t = row.tallies[0] as Tally;
    out.push(`| ${row.language} | ${t.queries} | ${t.modelAnswers} | ${t.localFallbacks} | ${pct(t.modelAnswers / t.queries)} | ${t.modelOffered} | ${pct(t.modelCorrect / t.modelOffered)} |`);
  }
  if (modelWarnings > 0) out.push(`\nThe service logged ${modelWarnings} warnings about the model (failures, pauses; the first 3 are on stderr).`);
}
if (args.ls) {
  out.push('');
  out.push(
    `Language service: one \`typescript\` ${ts.version} LanguageService per file (allowJs, checkJs false, noResolve, ${args['ls-nolib'] ? 'noLib' : 'the default lib'}), asked getCompletionsAtPosition when the word typed follows \`.\` (only a non-empty list of known members changes pairpad's answer, so elsewhere it is pairpad alone). Distinct cursors asked (the engines and the list-ranking pass share one service and its answers per file); pairpad's latency is over all its queries.` +
      (languages.includes('python')
        ? ` Python: basedpyright ${lsStats.pyrightVersion ?? '-'}'s language server (\`basedpyright-langserver --stdio\` in a child process, LSP over stdio; typeCheckingMode standard, the bundled typeshed, no Python environment; one file open at a time, each document sent as full text by didChange), asked textDocument/completion once per word after \`.\` at the word's start, with the document the user has there (as when \`.\` opens the editor's list, which the editor then filters as the word is typed); a member list = its items other than snippets, and none where the answer holds keywords (then it is the scope's list, not a member list). Where the answer at the word's start was the scope's (inside an open bracket the simulated document, which drops the rest of the line, joins the next line's first word to \`io.\`), asked again with the word's first character typed, where the member access is whole: ${lsStats.pyRetried ?? 0} words. LS queries = calls. Its latency is from the request to the answer, including the re-analysis of the changed document.${(lsStats.capped.python ?? 0) > 0 ? ` Capped at ${pyMaxWords} words per file: ${lsStats.capped.python} words after \`.\` were not asked (pairpad alone there).` : ''}`
        : ''),
  );
  out.push('');
  out.push('| language | LS queries | with a member list | LS p50 ms | LS p95 ms | LS p99 ms | pairpad p50 ms | pairpad p95 ms |');
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) {
    const l = lsStats.lsMs[row.language] ?? [];
    const asked = lsStats.asked[row.language] ?? 0;
    const withMembers = lsStats.memberLists[row.language] ?? 0;
    const p = (row.tallies[0] as Tally).latencies;
    out.push(
      `| ${row.language} | ${asked} | ${withMembers} (${pct(withMembers / asked)}) | ${ms(percentile(l, 50))} | ${ms(percentile(l, 95))} | ${ms(percentile(l, 99))} | ${ms(percentile(p, 50))} | ${ms(percentile(p, 95))} |`,
    );
  }
  out.push('');
  out.push("What each rule changed in pairpad's ghost text (on its own simulated trajectory); \"right\" = the file continues with the text:");
  out.push('');
  out.push('| language | engine | vetoed (were right) | replaced (right) | added (right) |');
  out.push('|---|---|---:|---:|---:|');
  for (const row of rows) {
    for (const engine of lsList) {
      const f = lsStats.effects[nameOf(engine, row.language)]?.[row.language];
      if (f) out.push(`| ${row.language} | ${nameOf(engine, row.language)} | ${f.vetoed} (${f.vetoedCorrect}) | ${f.replaced} (${f.replacedCorrect}) | ${f.added} (${f.addedCorrect}) |`);
    }
  }
}
if (args.ls) {
  out.push('');
  out.push(
    "The completion list's ranking: at each query (the first two keystrokes of a word after `.`, while the word is not fully typed; the trajectory of a user who accepts no ghost text) where the service gave a member list holding the word the file continues with. The list is filtered by the typed prefix (case-sensitive); top-1/top-3 = that word is first / among the first three. Service order: the service's sortText, then name. Ranked at open: the members among pairpad's word suggestions (asked at the word's start, the document with the cursor after `.`, as when the list opens) first in pairpad's order, then the rest in the service's order (as the editor ranks it). Ranked as you type: the same with pairpad asked at the cursor. \"pairpad listed a member at open\" = queries where that ranking moved anything.",
  );
  out.push('');
  out.push('| language | queries | service order top-1 | top-3 | ranked at open top-1 | top-3 | ranked as you type top-1 | top-3 | pairpad listed a member at open |');
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) {
    const r = lsStats.ranking[row.language];
    if (!r) continue;
    const q = r.queries;
    out.push(
      `| ${row.language} | ${q} | ${pct(r.service1 / q)} | ${pct(r.service3 / q)} | ${pct(r.open1 / q)} | ${pct(r.open3 / q)} | ${pct(r.typing1 / q)} | ${pct(r.typing3 / q)} | ${pct(r.openRanked / q)} |`,
    );
  }
}
out.push('');
out.push(`Latency on a ${MAX_LINES}-line file (this split's files of the language concatenated), 300 queries, pairpad engine; wall time and process CPU time per call:`);
out.push('');
out.push('| language | lines | wall p50 ms | wall p99 ms | CPU p50 ms | CPU p99 ms |');
out.push('|---|---:|---:|---:|---:|---:|');
for (const row of rows) {
  out.push(`| ${row.language} | ${row.largeLines} | ${ms(percentile(row.large.wall, 50))} | ${ms(percentile(row.large.wall, 99))} | ${ms(percentile(row.large.cpu, 50))} | ${ms(percentile(row.large.cpu, 99))} |`);
}
if (args.ls) {
  out.push('');
  out.push(`The same large file with \`${lsLargeEngine?.name}\` (JavaScript and TypeScript; pairpad and the language service in one call, the service asked at every identifier as an editor's list would be), ${args['ls-large-queries']} queries after 30 warm-up:`);
  out.push('');
  out.push('| language | wall p50 ms | wall p95 ms | wall p99 ms | CPU p50 ms | CPU p95 ms |');
  out.push('|---|---:|---:|---:|---:|---:|');
  for (const row of rows) {
    if (!row.lsLarge) continue;
    const w = row.lsLarge.wall;
    const c = row.lsLarge.cpu;
    out.push(`| ${row.language} | ${ms(percentile(w, 50))} | ${ms(percentile(w, 95))} | ${ms(percentile(w, 99))} | ${ms(percentile(c, 50))} | ${ms(percentile(c, 95))} |`);
  }
}
out.push('');
out.push('Corpus: ' + rows.map((r) => `${r.language}: ${r.sources}`).join('; ') + '.');
out.push(
  `Run time ${((performance.now() - started) / 1000).toFixed(1)} s on ${process.platform}/${process.arch}, ${cpus().length} cores, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} at the end (a shared machine inflates wall-time tails).`,
);
if (args.tuning) out.push(`Tuning override: \`${args.tuning}\``);
await lsHarness?.close();
const report = out.join('\n') + '\n';
console.log(report);

if (split === 'heldout' && args.write && !args['no-write'] && !args.language && !args.tuning) {
  // A model run never overwrites the local engine's results of the day.
  const file = join(repoRoot, 'bench/results', provider ? `autocomplete-model-${date}.md` : args.ls ? `autocomplete-ls-${date}.md` : `autocomplete-${date}.md`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, report);
  console.log(`written to ${file}`);
}
