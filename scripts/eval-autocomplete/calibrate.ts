/**
 * Fits the local engine's confidence model on the DEV split only and writes
 * server/src/autocomplete/calibration.ts. The held-out split is never read here.
 *
 *   npx tsx scripts/eval-autocomplete/calibrate.ts
 */
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Language } from '@pairpad/shared';
import { LANGUAGE_SPECS } from '../../server/src/autocomplete/languages.js';
import { IDENT, lex } from '../../server/src/autocomplete/lexer.js';
import { DEFAULT_TUNING, TABLE_FEATURES, suggestDetailed } from '../../server/src/autocomplete/suggest.js';
import { fnv1a, loadCorpus } from './corpus.js';
import { editorDocument, regionOf } from './simulate.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAX_FILES = 70;

interface Example {
  rows: number[][];
  query: number[];
  /** Index of the right word in the shortlist, or -1 for "none of these". */
  label: number;
}
const byLanguage = new Map<string, Example[]>();
for (const language of ['python', 'javascript', 'typescript'] as const) {
  const examples: Example[] = [];
  byLanguage.set(language, examples);
  const files = loadCorpus(repoRoot)
    .filter((f) => f.language === language && f.split === 'dev')
    .sort((a, b) => fnv1a(a.id) - fnv1a(b.id))
    .slice(0, MAX_FILES);
  for (const file of files) {
    const { text } = file;
    const { start, end } = regionOf(file, fnv1a(`region:${file.id}`));
    const toks = lex(text, 0, text.length, LANGUAGE_SPECS[language], -1);
    for (let t = 0; t < toks.kinds.length; t++) {
      if (toks.kinds[t] !== IDENT) continue;
      const ts = toks.starts[t] as number;
      if (ts < start) continue;
      if (ts >= end) break;
      const token = text.slice(ts, toks.ends[t] as number);
      for (let k = 1; k <= Math.min(2, token.length); k++) {
        const cursor = ts + k;
        const doc = editorDocument(text, cursor);
        const d = suggestDetailed(doc, cursor, language as Language, { ...DEFAULT_TUNING, threshold: [2, 2, 2, 2] });
        if (!d.choice) continue;
        examples.push({ rows: d.choice.rows, query: d.choice.query, label: d.choice.words.indexOf(token) });
      }
    }
  }
}

function fit(name: string, examples: Example[]): { candidate: number[]; none: number[] } {
  // Conditional logit (softmax over the shortlist plus "none"), standardized features, Adam.
  const dimC = (examples[0] as Example).rows[0]?.length ?? 0;
  const dimQ = (examples[0] as Example).query.length;
  const meanC = new Array<number>(dimC).fill(0);
  const sdC = new Array<number>(dimC).fill(0);
  let rowsN = 0;
  for (const ex of examples) for (const r of ex.rows) { rowsN++; r.forEach((v, j) => (meanC[j] = (meanC[j] as number) + v)); }
  for (let j = 0; j < dimC; j++) meanC[j] = (meanC[j] as number) / rowsN;
  for (const ex of examples) for (const r of ex.rows) r.forEach((v, j) => (sdC[j] = (sdC[j] as number) + (v - (meanC[j] as number)) ** 2));
  for (let j = 0; j < dimC; j++) sdC[j] = Math.sqrt((sdC[j] as number) / rowsN) || 1;
  const meanQ = new Array<number>(dimQ).fill(0);
  const sdQ = new Array<number>(dimQ).fill(1);
  for (let j = 1; j < dimQ; j++) {
    let m = 0;
    for (const ex of examples) m += ex.query[j] as number;
    meanQ[j] = m / examples.length;
    let v = 0;
    for (const ex of examples) v += ((ex.query[j] as number) - (meanQ[j] as number)) ** 2;
    sdQ[j] = Math.sqrt(v / examples.length) || 1;
  }
  const Zc = examples.map((ex) => ex.rows.map((r) => r.map((v, j) => (v - (meanC[j] as number)) / (sdC[j] as number))));
  const Zq = examples.map((ex) => ex.query.map((v, j) => (j === 0 ? 1 : (v - (meanQ[j] as number)) / (sdQ[j] as number))));
  const w = new Array<number>(dimC + dimQ).fill(0);
  const mAdam = new Array<number>(dimC + dimQ).fill(0);
  const vAdam = new Array<number>(dimC + dimQ).fill(0);
  const lr = 0.05;
  let loss = 0;
  for (let iter = 1; iter <= 300; iter++) {
    const grad = new Array<number>(dimC + dimQ).fill(0);
    loss = 0;
    examples.forEach((ex, e) => {
      const rows = Zc[e] as number[][];
      const q = Zq[e] as number[];
      const scores = rows.map((r) => r.reduce((acc, v, j) => acc + v * (w[j] as number), 0));
      const none = q.reduce((acc, v, j) => acc + v * (w[dimC + j] as number), 0);
      const max = Math.max(none, ...scores);
      const exps = scores.map((z) => Math.exp(z - max));
      const en = Math.exp(none - max);
      const sum = exps.reduce((a, b) => a + b, en);
      const pTrue = ex.label >= 0 ? (exps[ex.label] as number) / sum : en / sum;
      loss -= Math.log(Math.max(pTrue, 1e-12));
      rows.forEach((r, i) => {
        const g = (exps[i] as number) / sum - (i === ex.label ? 1 : 0);
        r.forEach((v, j) => (grad[j] = (grad[j] as number) + g * v));
      });
      const gn = en / sum - (ex.label < 0 ? 1 : 0);
      q.forEach((v, j) => (grad[dimC + j] = (grad[dimC + j] as number) + gn * v));
    });
    for (let j = 0; j < w.length; j++) {
      const g = (grad[j] as number) / examples.length + 1e-4 * (w[j] as number);
      mAdam[j] = 0.9 * (mAdam[j] as number) + 0.1 * g;
      vAdam[j] = 0.999 * (vAdam[j] as number) + 0.001 * g * g;
      const mh = (mAdam[j] as number) / (1 - 0.9 ** iter);
      const vh = (vAdam[j] as number) / (1 - 0.999 ** iter);
      w[j] = (w[j] as number) - (lr * mh) / (Math.sqrt(vh) + 1e-8);
    }
    if (iter % 100 === 0) console.log(`${name} iter ${iter} loss ${(loss / examples.length).toFixed(4)}`);
  }
  // Back to raw features. A constant shared by all candidates moves into "none" with the opposite sign.
  const candidate = w.slice(0, dimC).map((wj, j) => wj / (sdC[j] as number));
  const shift = w.slice(0, dimC).reduce((acc, wj, j) => acc + (wj * (meanC[j] as number)) / (sdC[j] as number), 0);
  const none = w.slice(dimC).map((wj, j) => (j === 0 ? wj : wj / (sdQ[j] as number)));
  none[0] = (none[0] as number) - w.slice(dimC).reduce((acc, wj, j) => (j === 0 ? acc : acc + (wj * (meanQ[j] as number)) / (sdQ[j] as number)), 0) + shift;

  // Calibration check of the top pick on the training queries.
  const buckets = Array.from({ length: 10 }, () => ({ n: 0, pos: 0, p: 0 }));
  for (const ex of examples) {
    const scores = ex.rows.map((r) => r.reduce((acc, v, j) => acc + v * (candidate[j] as number), 0));
    const nz = ex.query.reduce((acc, v, j) => acc + v * (none[j] as number), 0);
    const max = Math.max(nz, ...scores);
    const exps = scores.map((z) => Math.exp(z - max));
    const sum = exps.reduce((a, b) => a + b, Math.exp(nz - max));
    let best = 0;
    exps.forEach((e, i) => { if (e > (exps[best] as number)) best = i; });
    const p = (exps[best] as number) / sum;
    const b = buckets[Math.min(9, Math.floor(p * 10))] as { n: number; pos: number; p: number };
    b.n++;
    b.pos += best === ex.label ? 1 : 0;
    b.p += p;
  }
  console.log(`${name}: queries ${examples.length}, with the right word in the shortlist ${examples.filter((e) => e.label >= 0).length}`);
  for (const [i, b] of buckets.entries()) if (b.n) console.log(`p in [${i / 10}, ${(i + 1) / 10}): n=${b.n} predicted=${(b.p / b.n).toFixed(3)} observed=${(b.pos / b.n).toFixed(3)}`);
  return { candidate, none };
}

// The shared weights serve languages without an n-gram table: fit them with its features at 0.
const withoutTable = (ex: Example): Example => ({
  label: ex.label,
  rows: ex.rows.map((r) => r.map((v, j) => ((TABLE_FEATURES.candidate as readonly number[]).includes(j) ? 0 : v))),
  query: ex.query.map((v, j) => ((TABLE_FEATURES.query as readonly number[]).includes(j) ? 0 : v)),
});
const all = [...byLanguage.values()].flat().map(withoutTable);
const shared = fit('all', all);
const perLanguage = [...byLanguage.entries()].map(([language, examples]) => [language, fit(language, examples)] as const);

const file = join(repoRoot, 'server/src/autocomplete/calibration.ts');
const fmt = (xs: number[]): string => xs.map((v) => v.toFixed(5)).join(', ');
const block = (w: { candidate: number[]; none: number[] }, indent: string): string =>
  `{\n${indent}  candidate: [${fmt(w.candidate)}],\n${indent}  none: [${fmt(w.none)}],\n${indent}}`;
writeFileSync(
  file,
  `import type { Language } from '@pairpad/shared';

// Generated by \`npx tsx scripts/eval-autocomplete/calibrate.ts\` from the dev split only
// (${all.length} queries over Python, JavaScript and TypeScript). Weights of the choice
// model over suggest.ts candidateFeatures() and queryFeatures(), in order: one set fitted on
// all three languages (used for every other language) and one per evaluated language.
export interface FittedChoiceWeights {
  candidate: readonly number[];
  none: readonly number[];
}

export const CHOICE_WEIGHTS: FittedChoiceWeights = ${block(shared, '')};

export const CHOICE_WEIGHTS_BY_LANGUAGE: Partial<Record<Language, FittedChoiceWeights>> = {
${perLanguage.map(([language, w]) => `  ${language}: ${block(w, '  ')},`).join('\n')}
};
`,
);
console.log(`wrote ${file}`);
