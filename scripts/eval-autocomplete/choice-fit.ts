/**
 * The choice model's fit, shared by scripts/gen-autocomplete/calibration.ts (fits on the whole dev split for
 * tables/calibration.json) and crossfit.ts (fits on half the dev split and measures on the other half).
 */
import type { Language } from '@pairpad/shared';
import { LANGUAGE_SPECS } from '../../server/src/autocomplete/languages.js';
import { IDENT, lex } from '../../server/src/autocomplete/lexer.js';
import { choose, type ChoiceWeights } from '../../server/src/autocomplete/choice.js';
import { TABLE_FEATURES } from '../../server/src/autocomplete/features.js';
import { suggestDetailed } from '../../server/src/autocomplete/suggest.js';
import { DEFAULT_TUNING, type SuggestTables } from '../../server/src/autocomplete/tuning.js';
import { fnv1a, type CorpusFile } from './corpus.js';
import { editorDocument, regionOf } from './simulate.js';

export interface Example {
  rows: number[][];
  query: number[];
  /** Index of the right word in the shortlist, or -1 for "none of these". */
  label: number;
}

/**
 * Every how many queries one is also shown as at the end of a file (nothing after the cursor's
 * line). The simulation types inside files, so without these the model would rarely see a
 * document where no candidate occurs after the cursor, which is where people most often write.
 */
const END_OF_FILE_EVERY = 3;

/**
 * The choice model's inputs at every query the simulated user makes in `files` (the same
 * keystrokes as simulate.ts), plus every END_OF_FILE_EVERY-th query again as if typed at the
 * end of the file. `tables` replace the shipped vocabulary and n-gram tables (the generator fits
 * on the tables it has just built).
 */
export function collectExamples(files: readonly CorpusFile[], tables?: SuggestTables): Example[] {
  const tuning = { ...DEFAULT_TUNING, ...tables, threshold: [2, 2, 2, 2] };
  let queries = 0;
  const examples: Example[] = [];
  for (const file of files) {
    const { text } = file;
    const language = file.language as Language;
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
        const docs = [editorDocument(text, cursor)];
        if (queries++ % END_OF_FILE_EVERY === 0) docs.push(text.slice(0, cursor));
        for (const doc of docs) {
          const d = suggestDetailed(doc, cursor, language, tuning);
          if (d.choice) examples.push({ rows: d.choice.rows, query: d.choice.query, label: d.choice.words.indexOf(token) });
        }
      }
    }
  }
  return examples;
}

/** The shared weights serve languages without an n-gram table: they are fitted with its features at 0. */
export function withoutTable(ex: Example): Example {
  return {
    label: ex.label,
    rows: ex.rows.map((r) => r.map((v, j) => ((TABLE_FEATURES.candidate as readonly number[]).includes(j) ? 0 : v))),
    query: ex.query.map((v, j) => ((TABLE_FEATURES.query as readonly number[]).includes(j) ? 0 : v)),
  };
}

/** Hidden units per score. 16 and 32 gave about the same out-of-fold loss on the dev split; 16 is cheaper. */
const HIDDEN = 16;
const EPOCHS = 30;
const BATCH = 512;
/** L2 penalty; 1e-3 had a lower out-of-fold loss on the dev split than 1e-4. */
const WEIGHT_DECAY = 1e-3;

/** The fit's settings, recorded in the calibration data file. */
export const CHOICE_FIT_PARAMETERS = { hidden: HIDDEN, epochs: EPOCHS, batch: BATCH, weightDecay: WEIGHT_DECAY, endOfFileEvery: END_OF_FILE_EVERY } as const;

/** The fit's seed: initial weights and minibatch order. */
export const CHOICE_SEED = 1;

/** A deterministic generator, so a refit on the same data writes the same file. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/**
 * Conditional logit (softmax over the shortlist plus "none") whose scores are a linear part plus
 * HIDDEN ReLU units (suggest.ts ChoiceWeights), fitted with minibatch Adam on standardized
 * features, then folded back to raw features.
 */
export function fitChoice(name: string, examples: Example[], log: (line: string) => void = console.log): ChoiceWeights {
  const dimC = (examples[0] as Example).rows[0]?.length ?? 0;
  const dimQ = (examples[0] as Example).query.length;
  const dimIn = dimC + dimQ;
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
  const data = examples.map((ex) => {
    const q = ex.query.map((v, j) => (j === 0 ? 1 : (v - (meanQ[j] as number)) / (sdQ[j] as number)));
    return { label: ex.label, q, rows: ex.rows.map((r) => [...r.map((v, j) => (v - (meanC[j] as number)) / (sdC[j] as number)), ...q]) };
  });

  // Parameter layout: linear candidate | linear none | candidate units (dimIn weights, bias, out) | none units (dimQ weights, bias, out).
  const oLinN = dimC;
  const oCand = dimC + dimQ;
  const unitC = dimIn + 2;
  const oNone = oCand + HIDDEN * unitC;
  const unitN = dimQ + 2;
  const P = new Float64Array(oNone + HIDDEN * unitN);
  const random = seeded(CHOICE_SEED);
  for (let i = oCand; i < P.length; i++) P[i] = (random() - 0.5) * 0.2;

  const hiddenScore = (x: number[], o: number, unit: number, dim: number, acts: number[]): number => {
    let z = 0;
    for (let u = 0; u < HIDDEN; u++) {
      const base = o + u * unit;
      let a = P[base + dim] as number;
      for (let j = 0; j < dim; j++) a += (x[j] as number) * (P[base + j] as number);
      acts[u] = a > 0 ? a : 0;
      z += (acts[u] as number) * (P[base + dim + 1] as number);
    }
    return z;
  };
  const forward = (ex: (typeof data)[number]) => {
    const candActs = ex.rows.map(() => new Array<number>(HIDDEN).fill(0));
    const scores = ex.rows.map((x, i) => {
      let z = 0;
      for (let j = 0; j < dimC; j++) z += (x[j] as number) * (P[j] as number);
      return z + hiddenScore(x, oCand, unitC, dimIn, candActs[i] as number[]);
    });
    const noneActs = new Array<number>(HIDDEN).fill(0);
    let none = 0;
    for (let j = 0; j < dimQ; j++) none += (ex.q[j] as number) * (P[oLinN + j] as number);
    none += hiddenScore(ex.q, oNone, unitN, dimQ, noneActs);
    const max = Math.max(none, ...scores);
    const exps = scores.map((z) => Math.exp(z - max));
    const en = Math.exp(none - max);
    const sum = exps.reduce((a, b) => a + b, en);
    return { probs: exps.map((e) => e / sum), pNone: en / sum, candActs, noneActs };
  };
  const backHidden = (x: number[], g: number, o: number, unit: number, dim: number, acts: number[], grad: Float64Array): void => {
    for (let u = 0; u < HIDDEN; u++) {
      const base = o + u * unit;
      const a = acts[u] as number;
      grad[base + dim + 1] = (grad[base + dim + 1] as number) + g * a;
      if (a <= 0) continue;
      const gu = g * (P[base + dim + 1] as number);
      grad[base + dim] = (grad[base + dim] as number) + gu;
      for (let j = 0; j < dim; j++) grad[base + j] = (grad[base + j] as number) + gu * (x[j] as number);
    }
  };

  const M = new Float64Array(P.length);
  const V = new Float64Array(P.length);
  const order = data.map((_, i) => i);
  let step = 0;
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    let loss = 0;
    for (let b0 = 0; b0 < order.length; b0 += BATCH) {
      const batch = order.slice(b0, b0 + BATCH);
      const grad = new Float64Array(P.length);
      for (const idx of batch) {
        const ex = data[idx] as (typeof data)[number];
        const f = forward(ex);
        loss -= Math.log(Math.max(ex.label >= 0 ? (f.probs[ex.label] as number) : f.pNone, 1e-12));
        ex.rows.forEach((x, i) => {
          const g = (f.probs[i] as number) - (i === ex.label ? 1 : 0);
          for (let j = 0; j < dimC; j++) grad[j] = (grad[j] as number) + g * (x[j] as number);
          backHidden(x, g, oCand, unitC, dimIn, f.candActs[i] as number[], grad);
        });
        const gn = f.pNone - (ex.label < 0 ? 1 : 0);
        for (let j = 0; j < dimQ; j++) grad[oLinN + j] = (grad[oLinN + j] as number) + gn * (ex.q[j] as number);
        backHidden(ex.q, gn, oNone, unitN, dimQ, f.noneActs, grad);
      }
      step++;
      for (let j = 0; j < P.length; j++) {
        const g = (grad[j] as number) / batch.length + WEIGHT_DECAY * (P[j] as number);
        M[j] = 0.9 * (M[j] as number) + 0.1 * g;
        V[j] = 0.999 * (V[j] as number) + 0.001 * g * g;
        P[j] = (P[j] as number) - (0.01 * ((M[j] as number) / (1 - 0.9 ** step))) / (Math.sqrt((V[j] as number) / (1 - 0.999 ** step)) + 1e-8);
      }
    }
    if (epoch % 10 === 0) log(`${name} epoch ${epoch} loss ${(loss / data.length).toFixed(4)}`);
  }

  // Back to raw features. A constant shared by all candidates moves into "none" with the opposite sign.
  const inMean = [...meanC, ...meanQ.map((m, j) => (j === 0 ? 0 : m))];
  const inSd = [...sdC, ...sdQ.map((s, j) => (j === 0 ? 1 : s))];
  const candidate = Array.from({ length: dimC }, (_, j) => (P[j] as number) / (sdC[j] as number));
  const shift = candidate.reduce((acc, w, j) => acc + w * (meanC[j] as number), 0);
  const none = Array.from({ length: dimQ }, (_, j) => (P[oLinN + j] as number) / (inSd[dimC + j] as number));
  none[0] = (none[0] as number) - none.reduce((acc, w, j) => (j === 0 ? acc : acc + w * (meanQ[j] as number)), 0) + shift;
  const unfold = (o: number, unit: number, mean: number[], sd: number[]): number[][] =>
    Array.from({ length: HIDDEN }, (_, u) => {
      const base = o + u * unit;
      const dim = unit - 2;
      const weights = Array.from({ length: dim }, (_, j) => (P[base + j] as number) / (sd[j] as number));
      const bias = (P[base + dim] as number) - weights.reduce((acc, w, j) => acc + w * (mean[j] as number), 0);
      return [...weights, bias, P[base + dim + 1] as number];
    });
  const weights: ChoiceWeights = {
    candidate,
    none,
    candidateHidden: unfold(oCand, unitC, inMean, inSd),
    noneHidden: unfold(oNone, unitN, inMean.slice(dimC), inSd.slice(dimC)),
  };

  // Calibration check of the top pick on the training queries, through the engine's own scoring.
  const buckets = Array.from({ length: 10 }, () => ({ n: 0, pos: 0, p: 0 }));
  for (const ex of examples) {
    const probs = choose(ex.rows, ex.query, weights);
    let best = 0;
    probs.forEach((p, i) => { if (p > (probs[best] as number)) best = i; });
    const p = probs[best] as number;
    const b = buckets[Math.min(9, Math.floor(p * 10))] as { n: number; pos: number; p: number };
    b.n++;
    b.pos += best === ex.label ? 1 : 0;
    b.p += p;
  }
  log(`${name}: queries ${examples.length}, with the right word in the shortlist ${examples.filter((e) => e.label >= 0).length}`);
  for (const [i, b] of buckets.entries()) if (b.n) log(`p in [${i / 10}, ${(i + 1) / 10}): n=${b.n} predicted=${(b.p / b.n).toFixed(3)} observed=${(b.pos / b.n).toFixed(3)}`);
  return weights;
}

