import { performance } from 'node:perf_hooks';
import { LANGUAGE_SPECS } from '../../server/src/autocomplete/languages.js';
import { IDENT, lex } from '../../server/src/autocomplete/lexer.js';
import type { CorpusFile, EvalLanguage } from './corpus.js';

/** What a simulated editor needs from an engine at one keystroke. */
export interface Prediction {
  /** Text offered for insertion at the cursor ('' = silent). */
  suggestion: string;
  /** Whole word of the first list entry, for top-1 accuracy. */
  top: string | undefined;
  /** Who answered, for engines that go through the server's service (model, or local fallback). */
  source?: 'model' | 'local';
}

/**
 * One engine, prepared for one file (the baseline keeps running word counts). The local
 * engines answer synchronously; a model engine answers with a Promise.
 */
export interface FilePredictor {
  predict(doc: string, cursor: number): Prediction | Promise<Prediction>;
}

export interface Engine {
  name: string;
  forFile(file: CorpusFile): FilePredictor;
}

export interface Tally {
  queries: number;
  /** Queries where the token was not fully typed yet: top-1 is measured on these. */
  top1Queries: number;
  top1Hits: number;
  offered: number;
  correct: number;
  typedChars: number;
  savedChars: number;
  latencies: number[];
  /** Answers with `source: 'model'` (only engines that report a source count here). */
  modelAnswers: number;
  /** Answers with `source: 'local'`: the model timed out, failed, answered empty or was paused. */
  localFallbacks: number;
  /** Non-empty suggestions that came from the model, and how many of them were correct. */
  modelOffered: number;
  modelCorrect: number;
}

export function newTally(): Tally {
  return {
    queries: 0,
    top1Queries: 0,
    top1Hits: 0,
    offered: 0,
    correct: 0,
    typedChars: 0,
    savedChars: 0,
    latencies: [],
    modelAnswers: 0,
    localFallbacks: 0,
    modelOffered: 0,
    modelCorrect: 0,
  };
}

/** Lines typed per file: one deterministic region, so big files do not dominate. */
export const REGION_LINES = 120;

/** Force a flat string so concatenation cost is not billed to the engine (a server gets flat strings from JSON.parse). */
function flat(s: string): string {
  s.charCodeAt(s.length >> 1);
  return s;
}

/**
 * What an editor holds while the user types at `cursor`: the file up to the cursor plus the
 * file after the current line (the rest of the current line has not been written yet). Flat,
 * so concatenation cost is not billed to the engine.
 */
export function editorDocument(text: string, cursor: number): string {
  let lineEnd = text.indexOf('\n', cursor);
  if (lineEnd === -1) lineEnd = text.length;
  return flat(text.slice(0, cursor) + text.slice(lineEnd));
}

/** The region `[start, end)` in characters that the simulated user types. */
export function regionOf(file: CorpusFile, seed: number): { start: number; end: number } {
  const lines = file.text.split('\n');
  const first = lines.length <= REGION_LINES ? 0 : seed % (lines.length - REGION_LINES);
  let start = 0;
  for (let i = 0; i < first; i++) start += (lines[i] as string).length + 1;
  let end = start;
  for (let i = first; i < Math.min(lines.length, first + REGION_LINES); i++) end += (lines[i] as string).length + 1;
  return { start, end: Math.min(end, file.text.length) };
}

/** Characters a user types in the region; leading indentation is left out (editors auto-indent). */
export function typedCharsIn(text: string, start: number, end: number): number {
  let n = 0;
  for (const line of text.slice(start, end).split('\n')) n += line.trimStart().length + 1;
  return n - 1;
}

/**
 * Simulates a user typing the region of `file` from left to right. At each identifier in code
 * (not in strings or comments) the user types one character, asks, and if the file continues
 * with exactly the suggested text, accepts it with one key (Tab) and moves past it;
 * otherwise types a second character and asks again. The document the engine sees is what a
 * real editor would hold: the file up to the cursor plus the file after the current line
 * (the rest of the current line has not been written yet).
 *
 * Async because a model engine answers with a Promise; with a synchronous engine nothing is
 * awaited, so the whole file is simulated before this returns and latency is the call alone.
 */
export async function simulateFile(file: CorpusFile, engine: Engine, seed: number, tally: Tally): Promise<void> {
  const { text, language } = file;
  const spec = LANGUAGE_SPECS[language];
  const { start, end } = regionOf(file, seed);
  const toks = lex(text, 0, text.length, spec, -1);
  const predictor = engine.forFile(file);
  tally.typedChars += typedCharsIn(text, start, end);
  let pos = start;
  for (let t = 0; t < toks.kinds.length; t++) {
    if (toks.kinds[t] !== IDENT) continue;
    const ts = toks.starts[t] as number;
    const te = toks.ends[t] as number;
    if (ts < pos) continue;
    if (ts >= end) break;
    const token = text.slice(ts, te);
    for (let k = 1; k <= Math.min(2, token.length); k++) {
      const cursor = ts + k;
      const doc = editorDocument(text, cursor);
      const t0 = performance.now();
      const answer = predictor.predict(doc, cursor);
      // A synchronous answer is timed on the call alone (no await, no microtask); an
      // asynchronous one (a model) until it arrives.
      let elapsed = performance.now() - t0;
      let pred: Prediction;
      if (answer instanceof Promise) {
        pred = await answer;
        elapsed = performance.now() - t0;
      } else pred = answer;
      tally.latencies.push(elapsed);
      tally.queries++;
      if (pred.source === 'model') tally.modelAnswers++;
      else if (pred.source === 'local') tally.localFallbacks++;
      if (k < token.length) {
        tally.top1Queries++;
        if (pred.top === token) tally.top1Hits++;
      }
      const s = pred.suggestion;
      if (s === '') continue;
      tally.offered++;
      if (pred.source === 'model') tally.modelOffered++;
      // Correct = the file continues with exactly this text, so accepting it leaves nothing to
      // delete. A stem (`Writable` of `WritableDraft`) counts; the user types the rest.
      if (text.startsWith(s, cursor)) {
        tally.correct++;
        if (pred.source === 'model') tally.modelCorrect++;
        tally.savedChars += s.length - 1; // one key to accept
        pos = cursor + s.length;
        break;
      }
    }
  }
}

/**
 * Query latency on one large file: the same keystroke model at spread-out identifiers.
 * Wall time and process CPU time per call; on a shared machine the CPU time is the steadier
 * measure, the wall time is what a user would feel.
 */
export function latencyOnLargeFile(text: string, language: EvalLanguage, engine: Engine, queries: number): { wall: number[]; cpu: number[] } {
  const spec = LANGUAGE_SPECS[language];
  const toks = lex(text, 0, text.length, spec, -1);
  const idents: number[] = [];
  for (let t = 0; t < toks.kinds.length; t++) if (toks.kinds[t] === IDENT && (toks.ends[t] as number) - (toks.starts[t] as number) >= 2) idents.push(t);
  const file: CorpusFile = { language, id: 'large', path: 'large', source: 'large', licence: '', split: 'heldout', text, lines: 0 };
  const predictor = engine.forFile(file);
  const wall: number[] = [];
  const cpu: number[] = [];
  const warmup = 30;
  for (let q = 0; q < queries + warmup; q++) {
    const t = idents[Math.floor((((q * 2654435761) % 4294967296) / 4294967296) * idents.length)] as number;
    const cursor = (toks.starts[t] as number) + 1 + (q % 2);
    const doc = editorDocument(text, cursor);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const answer = predictor.predict(doc, cursor);
    const t1 = performance.now();
    if (answer instanceof Promise) throw new Error('latencyOnLargeFile measures synchronous engines only');
    const c1 = process.cpuUsage(c0);
    if (q >= warmup) {
      wall.push(t1 - t0);
      cpu.push((c1.user + c1.system) / 1000);
    }
  }
  return { wall, cpu };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}
