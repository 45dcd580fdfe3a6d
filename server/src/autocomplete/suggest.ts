import type { AutocompleteResult, Language, Suggestion, SuggestionKind } from '@pairpad/shared';
import { LANGUAGE_SPECS, type LanguageSpec } from './languages.js';
import { CHOICE_WEIGHTS, CHOICE_WEIGHTS_BY_LANGUAGE } from './calibration.js';
import { IDENT, NL, STR, lex, wordChars, type Tokens } from './lexer.js';
import { COMMON_WORDS } from './vocabulary.js';
import { NGRAMS, type NgramTable } from './ngrams.js';

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

/**
 * Scores over candidateFeatures() and queryFeatures() (the "none of these" option): a linear
 * part plus ReLU hidden units. A candidate's hidden units see its features followed by the
 * query's, because how much a piece of evidence is worth depends on the position (a frequent
 * word means more after `.` than at a line start); a linear score cannot express that.
 */
export interface ChoiceWeights {
  candidate: readonly number[];
  none: readonly number[];
  /** Hidden units of a candidate's score: input weights (candidate then query features), bias, output weight. */
  candidateHidden?: readonly (readonly number[])[];
  /** Hidden units of the "none" score over the query features, in the same layout. */
  noneHidden?: readonly (readonly number[])[];
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

const MAX_LIST = 8;
const MEMBER_ACCESS = new Set(['.', '->', '::', '?.']);

export interface Candidate {
  word: string;
  /** counts[k]: weighted occurrences whose k preceding tokens match the cursor's. */
  counts: number[];
  prior: number;
  kind: SuggestionKind;
  /** Token indices of occurrences inside the window. */
  occurrences: number[];
  /** Character offsets of the occurrences. */
  positions: number[];
  /** Share of files in the language's corpus that use this word (0 when not a common word). */
  common: number;
  /** Probability the language's n-gram table gives this word after the cursor's tokens. */
  stat: number;
  /** `stat` as a share of the table's words with the typed prefix there. */
  statShare: number;
  /** The window declares it (`def name`, `function name`, `class Name`): a name this file defines. */
  declared: boolean;
  p: number;
}

/**
 * Local completion for the text at `cursorPosition` (a UTF-16 offset, 0..code.length).
 *
 * Shortlists words of the document by how often they follow the same tokens the cursor
 * follows (an interpolated n-gram estimate over a window around the cursor, plus the
 * language's keywords, builtins, members, module names and common words), then lets a small
 * fitted choice model pick one and say how likely it is. `suggestion` is set only when that
 * probability clears a threshold; it may then run past the word when the document agrees on
 * what follows (`self.assertEqual(`), or stop at a stem the likeliest words share.
 * Pure: no I/O, and bounded work per call (a window of tokens plus one capped indexOf scan of
 * the rest of the file). See docs/autocomplete.md.
 */
export function suggest(
  code: string,
  cursorPosition: number,
  language: Language,
  tuning: SuggestTuning = DEFAULT_TUNING,
): AutocompleteResult {
  return suggestDetailed(code, cursorPosition, language, tuning).result;
}

/** What suggest() decided and why; the generator (scripts/gen-autocomplete) fits on `choice`. */
export interface SuggestDetail {
  result: AutocompleteResult;
  /** Choice-model inputs for the shortlist, when there was one (for the fit). */
  choice?: { rows: number[][]; query: number[]; words: string[] };
  /** Estimated probability that the best word is the one being typed. */
  confidence?: number;
}

/** suggest() plus the evidence behind its decision. */
export function suggestDetailed(
  code: string,
  cursorPosition: number,
  language: Language,
  tuning: SuggestTuning = DEFAULT_TUNING,
): SuggestDetail {
  const detail = (result: AutocompleteResult): SuggestDetail => ({ result });
  const empty = (): SuggestDetail => detail({ suggestion: '', suggestions: [], source: 'local' });
  const spec = LANGUAGE_SPECS[language] ?? LANGUAGE_SPECS.plaintext;
  const cursor = Math.max(0, Math.min(cursorPosition, code.length));
  const { isStart, isPart } = wordChars(spec);

  // Editing inside a word: whatever we offered would be spliced into the middle of it.
  if (cursor < code.length && isPart(code.charCodeAt(cursor))) return empty();

  let wordStart = cursor;
  while (wordStart > 0 && isPart(code.charCodeAt(wordStart - 1))) wordStart--;
  // `-` and digits may continue a word but not start one.
  while (wordStart < cursor && !isStart(code.charCodeAt(wordStart))) {
    const c = code.charCodeAt(wordStart);
    if (c >= 48 && c <= 57) return empty(); // right after a number (`12`, `0x1f`, `10px`)
    wordStart++;
  }
  const prefix = code.slice(wordStart, cursor);

  let from = Math.max(0, wordStart - tuning.windowBefore);
  if (from > 0) {
    const nl = code.indexOf('\n', from);
    from = nl === -1 || nl >= wordStart ? wordStart : nl + 1;
  }
  let to = Math.min(code.length, cursor + tuning.windowAfter);
  if (to < code.length) {
    const nl = code.indexOf('\n', to);
    to = nl === -1 ? code.length : nl;
  }
  const tokens = lex(code, from, to, spec, cursor);

  if (tokens.cursorState === 'comment') return empty();
  if (tokens.cursorState === 'string') return detail(suggestModule(code, cursor, spec, tokens, tuning));

  // The token being typed (if any) and the context tokens before it.
  const { kinds, starts, keys } = tokens;
  let cur = lowerBound(starts, wordStart);
  if (prefix === '' || cur >= kinds.length || starts[cur] !== wordStart) {
    // Nothing typed yet: the next token would go here.
    cur = lowerBound(starts, cursor);
  }
  const ctx: string[] = [];
  let beyondLine = -1;
  for (let k = cur - 1; k >= 0 && ctx.length < tuning.maxContext && beyondLine < tuning.crossLine; k--) {
    ctx.push(keys[k] as string);
    if (beyondLine >= 0) beyondLine++;
    else if (kinds[k] === NL) beyondLine = 0;
  }
  // The file start reads like a line start.
  if (ctx.length < tuning.maxContext && beyondLine < 0 && cur - 1 - ctx.length < 0 && from === 0) ctx.push('\n');

  const prev = ctx[0];
  if (prev !== undefined && declaratorKeys(spec).has(prev) && kinds[cur - 1] === IDENT) return empty();

  const afterMember = prev !== undefined && MEMBER_ACCESS.has(prev);
  const afterImport = prev !== undefined && spec.importWords.includes(prev);
  // Without a typed character only a member or module position is specific enough to guess.
  if (prefix === '' && !afterMember && !afterImport) return empty();
  if (spec.prose && prefix.length < 2) return empty();

  const table = ngramTable(tuning.ngrams[language]);
  const stat = staticNext(table, ctx[1], ctx[0]);
  const cands = collectCandidates(code, tokens, cur, ctx, prefix, spec, tuning, from, to, afterMember, afterImport, tuning.commonWords[language], stat);
  if (cands.length === 0) return empty();
  const totals = rank(cands, tuning.maxContext);

  // The n-gram estimate shortlists; the choice model re-ranks the shortlist and says how
  // likely its best pick is, leaving mass for "none of these" (a word not seen yet).
  const shortlist = cands.slice(0, RERANK);
  const recent = recency(shortlist, cursor);
  const lineStart = code.lastIndexOf('\n', wordStart - 1) + 1;
  const lines = { start: lineStart, prevStart: lineStart === 0 ? 0 : code.lastIndexOf('\n', lineStart - 2) + 1 };
  const rows = shortlist.map((c, i) => candidateFeatures(c, totals, prefix, cursor, recent, table !== undefined, lines, shortlist[0] as Candidate, i));
  let lineTokens = 0;
  for (let k = cur - 1; k >= 0 && kinds[k] !== NL && lineTokens < 20; k--) lineTokens++;
  const first = prefix.charCodeAt(0);
  const position = {
    lineTokens,
    afterKeyword: prev !== undefined && spec.keywords.includes(prev),
    deepest: Math.max(...shortlist.map(deepestContext)),
    // In a case-sensitive language an upper-case start means a type or a constant; in SQL it is just how keywords are written.
    upperStart: !spec.caseInsensitive && first >= 65 && first <= 90,
  };
  const query = queryFeatures(prefix, ctx, afterMember, cands.length, staticMass(stat, prefix, spec), shortlist, position);
  const probs = choose(rows, query, tuning.choiceByLanguage[language] ?? tuning.choice);
  const order = shortlist.map((_, i) => i).sort((a, b) => (probs[b] as number) - (probs[a] as number));
  const ranked = [...order.map((i) => shortlist[i] as Candidate), ...cands.slice(RERANK)];
  const confidence = probs[order[0] as number] as number;

  const indentation = currentIndentation(code, wordStart);
  const lineRest = restOfLine(code, cursor);
  const list: Suggestion[] = [];
  const best = ranked[0] as Candidate;
  const shift = tuning.thresholdShift[language] ?? 0;
  const threshold = (tuning.threshold[Math.min(prefix.length, tuning.threshold.length - 1)] ?? 0.5) + shift;
  let suggestion = '';

  const typedCase = caseOf(prefix);
  const insertFor = (word: string): string => {
    const rest = word.slice(prefix.length);
    if (!spec.caseInsensitive) return rest;
    return typedCase === 'upper' ? rest.toUpperCase() : typedCase === 'lower' ? rest.toLowerCase() : rest;
  };

  // A longer completion is worth a little more risk; one that saves no keystroke after the
  // accept key is not worth showing at all.
  const rest = best.word.length - prefix.length;
  const needed = threshold - tuning.lengthSlope * Math.log(Math.max(rest, 1) / 4);
  if (rest > 0 && confidence >= needed) {
    const word = insertFor(best.word);
    // Only run past the word at the end of a line; mid-line, the text after the cursor is
    // usually what a continuation would have produced (closing brackets, arguments).
    const ext = lineRest.trim() === '' ? extend(code, tokens, cur, ctx, best.word, confidence, tuning, table) : '';
    if (word.length + ext.length >= tuning.minInsert) suggestion = word + ext;
    if (ext !== '') list.push({ label: prefix + word + ext, insertText: word + ext, kind: 'line' });
  } else if (tuning.partialThreshold < 1) {
    // No single word is likely enough, but the likeliest few may share a longer stem
    // (`WritableDraft`, `WritableNonArrayDraft`): offer the stem, as a shell does.
    let cum = 0;
    let stem: string | undefined;
    for (const i of order) {
      const word = (shortlist[i] as Candidate).word;
      stem = stem === undefined ? word : commonPrefix(stem, word);
      if (stem.length - prefix.length < tuning.minPartial) break;
      cum += probs[i] as number;
      if (cum >= tuning.partialThreshold + shift) {
        suggestion = insertFor(stem);
        break;
      }
    }
  }

  for (const cand of ranked) {
    if (list.length >= MAX_LIST) break;
    if (cand.word.length === prefix.length) continue; // the word being typed is never offered
    const label = spec.caseInsensitive && typedCase !== 'mixed' ? prefix + insertFor(cand.word) : cand.word;
    list.push({ label, insertText: insertFor(cand.word), kind: cand.kind });
  }

  // Block-opener snippets, only where a statement starts.
  if (prefix !== '' && (prev === undefined || prev === '\n')) {
    const lowered = prefix.toLowerCase();
    const unit = indentation.includes('\t') ? '\t' : spec.indentUnit;
    for (const snip of spec.snippets) {
      const trigger = spec.caseInsensitive ? snip.trigger.toLowerCase() : snip.trigger;
      if (!(spec.caseInsensitive ? trigger.startsWith(lowered) : trigger.startsWith(prefix))) continue;
      let body = snip.body.replace(/\n/g, '\n' + indentation).replace(/\t/g, unit);
      if (spec.caseInsensitive && typedCase === 'lower') body = body.toLowerCase();
      list.splice(Math.min(1, list.length), 0, { label: snip.label, insertText: body.slice(prefix.length), kind: 'snippet' });
    }
  }

  return {
    result: { suggestion, suggestions: list.slice(0, MAX_LIST + 2), source: 'local' },
    choice: { rows, query, words: shortlist.map((c) => c.word) },
    confidence,
  };
}

const RERANK = 12;
/**
 * Features that come from the language's n-gram table: 0 for a language without one, and
 * left out of the fit of the shared weights (scripts/gen-autocomplete/calibration.ts).
 */
export const TABLE_FEATURES = { candidate: [16, 17], query: [8, 9] } as const;
const FAR = 1e5;

/**
 * Evidence for one shortlisted candidate, weighed by the choice model (weights fitted on the
 * evaluation's dev split, see calibration.ts): n-gram estimate, frequency, deepest matching
 * context and its share, first- and second-order context shares, distance to the nearest use
 * before and after the cursor, recency rank, uses just after the cursor, whether only the
 * language vocabulary knows it, its kind, how common it is in the language, length left to type,
 * the n-gram table's probability for it after the cursor's tokens and its share among the
 * table's words with the typed prefix, whether it is used earlier on the current line or on
 * the line before, its n-gram estimate relative to the shortlist's best, how many parts its
 * name has (`parse_args`, `parseArgs`: 2), its place in the n-gram shortlist, and whether the
 * window declares it (`def name`: a method of this class is likely after `self.`).
 * The order is part of the fitted model: append, never reorder, and refit.
 */
export function candidateFeatures(
  c: Candidate,
  totals: readonly number[],
  prefix: string,
  cursor: number,
  recent: ReadonlyMap<string, number>,
  hasTable: boolean,
  lines: { start: number; prevStart: number },
  top: Candidate,
  shortlistRank: number,
): number[] {
  let onLine = 0;
  let onPrevLine = 0;
  let before = FAR;
  let after = FAR;
  let soonAfter = 0;
  for (const pos of c.positions) {
    if (pos < cursor) {
      before = Math.min(before, cursor - pos);
      if (pos >= lines.start) onLine = 1;
      else if (pos >= lines.prevStart) onPrevLine = 1;
    } else {
      after = Math.min(after, pos - cursor);
      if (pos - cursor < 2_000) soonAfter++;
    }
  }
  const deepest = deepestContext(c);
  const share = deepest >= 0 ? (c.counts[deepest] as number) / ((totals[deepest] as number) || 1) : 0;
  const rank = recent.get(c.word);
  return [
    Math.log(Math.max(c.p, 1e-6)),
    Math.log1p(c.counts[0] as number),
    deepest,
    share,
    Math.log1p(before),
    Math.log1p(after),
    c.occurrences.length === 0 && (c.counts[0] as number) === 0 ? 1 : 0,
    c.kind === 'keyword' ? 1 : 0,
    Math.log(c.word.length - prefix.length + 1),
    (c.counts[1] ?? 0) / ((totals[1] ?? 0) || 1),
    (c.counts[2] ?? 0) / ((totals[2] ?? 0) || 1),
    rank === 0 ? 1 : 0,
    rank === undefined ? 0 : 1 / (1 + rank),
    Math.log1p(soonAfter),
    c.kind === 'builtin' || c.kind === 'member' || c.kind === 'module' ? 1 : 0,
    c.common,
    // Without an n-gram table (most languages) the table's features are 0, as in the shared weights' fit.
    hasTable ? Math.log(c.stat + 1e-4) : 0,
    c.statShare,
    onLine,
    onPrevLine,
    Math.log(Math.max(c.p, 1e-6)) - Math.log(Math.max(top.p, 1e-6)),
    Math.log1p(wordParts(c.word)),
    shortlistRank / RERANK,
    c.declared ? 1 : 0,
  ];
}

/** The most context tokens any occurrence of the candidate shares with the cursor (-1 when it only has a prior). */
function deepestContext(c: Candidate): number {
  let deepest = -1;
  for (let k = 0; k < c.counts.length; k++) if ((c.counts[k] as number) > 0) deepest = k;
  return deepest;
}

/** Parts of an identifier: `parse_args` and `parseArgs` have 2, `URLParser` 2, `x` 1. */
function wordParts(word: string): number {
  let parts = 1;
  for (let i = 1; i < word.length; i++) {
    const c = word.charCodeAt(i);
    const before = word.charCodeAt(i - 1);
    if (c === 95 /* _ */ && i < word.length - 1) parts++;
    else if (c >= 65 && c <= 90 && before >= 97 && before <= 122) parts++;
  }
  return parts;
}

/** Words with the typed prefix in the order they were last used before the cursor (0 = most recent). */
function recency(cands: readonly Candidate[], cursor: number): Map<string, number> {
  const last: [string, number][] = [];
  for (const c of cands) {
    let best = -1;
    for (const pos of c.positions) if (pos < cursor && pos > best) best = pos;
    if (best >= 0) last.push([c.word, best]);
  }
  last.sort((a, b) => b[1] - a[1]);
  return new Map(last.map(([word], i) => [word, i]));
}

/**
 * Evidence about the position itself: how likely it is that no known word fits (the typed
 * length, the token before, the n-gram table's belief in words with this prefix, how sure the
 * shortlist's n-gram estimate is and by how much its best leads, an upper-case start, the
 * token's place in its line, a keyword before it, and the deepest context any candidate
 * shares). Same rule as candidateFeatures(): append, never reorder, and refit.
 */
export function queryFeatures(
  prefix: string,
  ctx: readonly string[],
  afterMember: boolean,
  candidates: number,
  stat: { mass: number; known: number },
  shortlist: readonly Candidate[],
  position: { lineTokens: number; afterKeyword: boolean; deepest: number; upperStart: boolean },
): number[] {
  const prev = ctx[0];
  const p1 = Math.log(Math.max(shortlist[0]?.p ?? 0, 1e-6));
  const p2 = shortlist.length > 1 ? Math.log(Math.max((shortlist[1] as Candidate).p, 1e-6)) : Math.log(1e-6);
  return [
    1,
    prefix.length === 1 ? 1 : 0,
    Math.log1p(candidates),
    prev === '\n' ? 1 : 0,
    afterMember ? 1 : 0,
    prev === '(' || prev === ',' ? 1 : 0,
    prev === '=' ? 1 : 0,
    prev === undefined || /^[A-Za-z_$]/.test(prev) ? 1 : 0,
    stat.known > 0 ? Math.log(stat.mass + 1e-3) : 0,
    stat.known,
    p1,
    p1 - p2,
    position.upperStart ? 1 : 0,
    Math.log1p(position.lineTokens),
    position.afterKeyword ? 1 : 0,
    position.deepest,
  ];
}

/** Softmax over the shortlist plus a "none of these" option; returns each candidate's probability. Exported for the fit (scripts/eval-autocomplete/choice-fit.ts). */
export function choose(rows: readonly number[][], query: readonly number[], weights: ChoiceWeights): number[] {
  const scores = rows.map((r) => score(r, query, weights.candidate, weights.candidateHidden));
  const none = score(query, [], weights.none, weights.noneHidden);
  const max = Math.max(none, ...scores);
  const exps = scores.map((z) => Math.exp(z - max));
  const sum = exps.reduce((a, b) => a + b, Math.exp(none - max));
  return exps.map((e) => e / sum);
}

/** Linear score over `x`, plus ReLU hidden units over `x` followed by `extra`. */
function score(x: readonly number[], extra: readonly number[], linear: readonly number[], hidden: readonly (readonly number[])[] | undefined): number {
  let z = 0;
  for (let i = 0; i < x.length; i++) z += (x[i] as number) * (linear[i] ?? 0);
  if (!hidden) return z;
  const nx = x.length;
  const n = nx + extra.length;
  for (const unit of hidden) {
    let a = unit[n] as number;
    for (let i = 0; i < nx; i++) a += (x[i] as number) * (unit[i] as number);
    for (let i = 0; i < extra.length; i++) a += (extra[i] as number) * (unit[nx + i] as number);
    if (a > 0) z += a * (unit[n + 1] as number);
  }
  return z;
}

function commonPrefix(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return a.slice(0, i);
}

const declaratorSets = new WeakMap<LanguageSpec, ReadonlySet<string>>();
/** The language's declarators (`def`, `function`, `class`) as token keys (lower case where the lexer lowers them), built once. */
function declaratorKeys(spec: LanguageSpec): ReadonlySet<string> {
  let set = declaratorSets.get(spec);
  if (!set) declaratorSets.set(spec, (set = new Set(spec.caseInsensitive ? spec.declarators.map((d) => d.toLowerCase()) : spec.declarators)));
  return set;
}

function lowerBound(arr: number[], value: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((arr[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function caseOf(s: string): 'upper' | 'lower' | 'mixed' {
  if (s === '') return 'lower';
  if (s === s.toUpperCase()) return 'upper';
  if (s === s.toLowerCase()) return 'lower';
  return 'mixed';
}

function currentIndentation(code: string, pos: number): string {
  const lineStart = code.lastIndexOf('\n', pos - 1) + 1;
  let j = lineStart;
  while (j < pos && (code[j] === ' ' || code[j] === '\t')) j++;
  return code.slice(lineStart, j);
}

function restOfLine(code: string, pos: number): string {
  const nl = code.indexOf('\n', pos);
  return code.slice(pos, nl === -1 ? code.length : nl);
}

function collectCandidates(
  code: string,
  tokens: Tokens,
  cur: number,
  ctx: readonly string[],
  prefix: string,
  spec: LanguageSpec,
  tuning: SuggestTuning,
  from: number,
  to: number,
  afterMember: boolean,
  afterImport: boolean,
  common: Readonly<Record<string, number>> | undefined,
  stat: StaticNext | undefined,
): Candidate[] {
  const { kinds, starts, keys } = tokens;
  const K = tuning.maxContext;
  const lower = spec.caseInsensitive;
  const match = lower ? prefix.toLowerCase() : prefix;
  const byWord = new Map<string, Candidate>();
  const cursorPos = starts[cur] ?? code.length;
  // The typed text itself competes too (as a finished word): when it is the likeliest
  // reading, the engine stays silent instead of stretching `in` into `index`.
  const minLen = Math.max(match.length, 1, spec.prose ? tuning.proseMinWord : 1);

  const get = (word: string, kind: SuggestionKind): Candidate => {
    let cand = byWord.get(word);
    if (!cand) {
      cand = { word, counts: new Array<number>(K + 1).fill(0), prior: 0, kind, occurrences: [], positions: [], common: 0, stat: 0, statShare: 0, declared: false, p: 0 };
      byWord.set(word, cand);
    }
    return cand;
  };

  const declarators = declaratorKeys(spec);
  const n = kinds.length;
  for (let i = 0; i < n; i++) {
    if (kinds[i] !== IDENT || i === cur) continue;
    const key = keys[i] as string;
    if (key.length < minLen || !key.startsWith(match)) continue;
    let m = 0;
    while (m < K && m < ctx.length && i - m - 1 >= 0 && keys[i - m - 1] === ctx[m]) m++;
    // A window that starts at the file start has an implied line break before it.
    if (m < K && m === ctx.length - 1 && i - m - 1 < 0 && from === 0 && ctx[m] === '\n') m++;
    const start = starts[i] as number;
    const dist = Math.abs(start - cursorPos);
    const w = 1 + tuning.nearBoost * Math.exp(-dist / tuning.nearChars);
    const cand = get(key, 'identifier');
    const counts = cand.counts;
    for (let k = 0; k <= m; k++) counts[k] = (counts[k] as number) + w;
    cand.occurrences.push(i);
    cand.positions.push(start);
    if (i > 0 && declarators.has(keys[i - 1] as string)) cand.declared = true;
  }

  // The rest of the file (outside the window) contributes plain word counts. indexOf rather
  // than a RegExp built per prefix: V8 interprets a fresh RegExp on its first runs, which
  // costs tens of milliseconds over a large file. The scan is capped by hit count.
  if (prefix !== '' && (from > 0 || to < code.length)) {
    const { isPart } = wordChars(spec);
    const variants = lower ? [...new Set([prefix.toLowerCase(), prefix.toUpperCase()])] : [prefix];
    let hits = 0;
    for (const needle of variants) {
      let at = code.indexOf(needle);
      while (at !== -1 && hits < tuning.farHits) {
        if (at >= from && at < to) {
          at = code.indexOf(needle, to);
          continue;
        }
        hits++;
        if (at === 0 || !isPart(code.charCodeAt(at - 1))) {
          let e = at + needle.length;
          while (e < code.length && isPart(code.charCodeAt(e))) e++;
          if (e - at >= minLen) {
            const raw = code.slice(at, e);
            const cand = get(lower ? raw.toLowerCase() : raw, 'identifier');
            cand.counts[0] = (cand.counts[0] as number) + tuning.farWeight;
          }
          at = code.indexOf(needle, e);
        } else {
          at = code.indexOf(needle, at + 1);
        }
      }
    }
  }

  // Language vocabulary: a prior that matters when the document is small or silent.
  const receiver = afterMember ? ctx[1] : undefined;
  const addVocab = (list: readonly string[], weight: number, kind: SuggestionKind): void => {
    const len = list.length;
    for (let r = 0; r < len; r++) {
      const raw = list[r] as string;
      const word = lower ? raw.toLowerCase() : raw;
      if (word.length < minLen || !word.startsWith(match)) continue;
      const cand = get(word, kind);
      // Earlier entries are more common.
      cand.prior += weight * (1.5 - r / Math.max(1, len));
      if (cand.kind === 'identifier') cand.kind = kind;
    }
  };
  if (afterImport) {
    addVocab(spec.modules, 3, 'module');
  } else if (afterMember) {
    // hasOwn: a receiver named `constructor` must not find Object.prototype's.
    if (receiver !== undefined && Object.hasOwn(spec.receiverMembers, receiver)) addVocab(spec.receiverMembers[receiver] ?? [], 4, 'member');
    addVocab(spec.members, 1.5, 'member');
  } else {
    addVocab(spec.keywords, 1.5, 'keyword');
    addVocab(spec.builtins, 1, 'builtin');
  }

  // Words many files of this language use: a prior for names the document has not used yet.
  if (common && !afterImport) {
    for (const word in common) {
      if (word.length < minLen || !word.startsWith(match)) continue;
      const df = common[word] as number;
      const cand = get(word, 'identifier');
      cand.common = df;
      cand.prior += tuning.commonWeight * df;
    }
  }

  // Words the language's n-gram table expects after these tokens (`raise` → `ValueError`).
  if (stat && !afterImport) {
    const { mass } = staticMass(stat, prefix, spec);
    const { isStart } = wordChars(spec);
    for (const [word, e] of stat) {
      if (word.length < minLen || !word.startsWith(match) || !isStart(word.charCodeAt(0))) continue;
      const cand = get(word, 'identifier');
      cand.stat = e.p;
      cand.statShare = e.p / (mass + 1e-3);
      cand.prior += tuning.staticWeight * cand.statShare;
    }
  }

  const cands = [...byWord.values()];
  for (const cand of cands) {
    // Every document word gets the same small prior, so vocabulary never outranks evidence.
    if (cand.occurrences.length > 0 || (cand.counts[0] as number) > 0) cand.prior += 0.5;
    if (afterMember && cand.kind === 'identifier') cand.kind = 'member';
    if (afterImport && cand.kind === 'identifier') cand.kind = 'module';
  }
  return cands.filter((c) => c.prior > 0);
}

/**
 * Witten-Bell interpolation from the vocabulary prior up to the longest context: at each
 * order the estimate keeps `types / (count + types)` of the lower order's belief, so a
 * context seen once with one continuation does not look certain.
 */
function rank(cands: Candidate[], K: number): number[] {
  const totals: number[] = [];
  let priorSum = 0;
  for (const c of cands) priorSum += c.prior;
  for (const c of cands) c.p = c.prior / priorSum;
  for (let k = 0; k <= K; k++) {
    let total = 0;
    let types = 0;
    for (const c of cands) {
      const v = c.counts[k] as number;
      if (v > 0) {
        total += v;
        types++;
      }
    }
    totals.push(total);
    if (total === 0) break;
    for (const c of cands) c.p = ((c.counts[k] as number) + types * c.p) / (total + types);
  }
  cands.sort((a, b) => b.p - a.p || (b.counts[0] as number) - (a.counts[0] as number) || (a.word < b.word ? -1 : 1));
  return totals;
}

/** The n-gram table's belief about the next token: probability, and whether it follows a space. */
type StaticNext = Map<string, { p: number; spaced: boolean }>;
interface NextCounts {
  total: number;
  keys: string[];
  counts: number[];
  spaced: boolean[];
}
const parsedTables = new WeakMap<NgramTable, Map<string, NextCounts>>();
/** How much a two-token context needs to be seen to outweigh its one-token backoff (Witten-Bell-like). */
const STATIC_BACKOFF = 5;

/** A language's n-gram table (ngrams.ts), parsed once. */
function ngramTable(raw: NgramTable | undefined): Map<string, NextCounts> | undefined {
  if (!raw) return undefined;
  let table = parsedTables.get(raw);
  if (table) return table;
  table = new Map();
  for (const ctx of Object.keys(raw)) {
    const row = raw[ctx] as readonly (string | number)[];
    const d: NextCounts = { total: row[0] as number, keys: [], counts: [], spaced: [] };
    for (let i = 1; i + 2 < row.length; i += 3) {
      d.keys.push(row[i] as string);
      d.counts.push(row[i + 1] as number);
      d.spaced.push(row[i + 2] === 1);
    }
    table.set(ctx, d);
  }
  parsedTables.set(raw, table);
  return table;
}

/** P(next token | the two tokens before it) from the table, interpolated with the one-token context. */
function staticNext(table: Map<string, NextCounts> | undefined, c2: string | undefined, c1: string | undefined): StaticNext | undefined {
  if (!table || c1 === undefined) return undefined;
  const d1 = table.get(c1);
  const d2 = c2 === undefined ? undefined : table.get(`${c2} ${c1}`);
  if (!d1 && !d2) return undefined;
  const out: StaticNext = new Map();
  if (d1) for (let i = 0; i < d1.keys.length; i++) out.set(d1.keys[i] as string, { p: (d1.counts[i] as number) / d1.total, spaced: d1.spaced[i] as boolean });
  if (d2) {
    const lam = d2.total / (d2.total + STATIC_BACKOFF);
    for (const e of out.values()) e.p *= 1 - lam;
    for (let i = 0; i < d2.keys.length; i++) {
      const key = d2.keys[i] as string;
      const p = (lam * (d2.counts[i] as number)) / d2.total;
      const e = out.get(key);
      if (e) {
        e.p += p;
        e.spaced = d2.spaced[i] as boolean;
      } else out.set(key, { p, spaced: d2.spaced[i] as boolean });
    }
  }
  return out;
}

/** How much of the table's belief goes to words with the typed prefix, and to any listed token. */
function staticMass(stat: StaticNext | undefined, prefix: string, spec: LanguageSpec): { mass: number; known: number } {
  if (!stat) return { mass: 0, known: 0 };
  const { isStart } = wordChars(spec);
  let mass = 0;
  let known = 0;
  for (const [word, e] of stat) {
    known += e.p;
    if (word.length >= prefix.length && word.startsWith(prefix) && isStart(word.charCodeAt(0))) mass += e.p;
  }
  return { mass, known };
}

const STOP_KEYS = new Set(['\n', '"', '0']);
const BLANK = /^[ \t]*$/;

/**
 * Text after the chosen word that the document predicts with confidence, token by token on
 * the same line: at each step an interpolated n-gram over the window's tokens (contexts up to
 * `maxContext` tokens, ending with the tokens just predicted), helped by the language's
 * n-gram table where the document has little evidence, picks the next token, and the
 * continuation stops when the running probability falls under `extendThreshold`, at a line
 * end, or before a string or number (literals vary from one use to the next).
 */
function extend(
  code: string,
  tokens: Tokens,
  cur: number,
  ctx: readonly string[],
  word: string,
  confidence: number,
  tuning: SuggestTuning,
  table: Map<string, NextCounts> | undefined,
): string {
  const { kinds, starts, ends, keys } = tokens;
  const n = kinds.length;
  const K = tuning.maxContext;
  const byKey = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    if (i === cur) continue;
    const key = keys[i] as string;
    let list = byKey.get(key);
    if (!list) byKey.set(key, (list = []));
    list.push(i);
  }
  const context = [word, ...ctx].slice(0, K);
  let out = '';
  let prob = confidence;
  for (let step = 0; step < tuning.maxExtendTokens; step++) {
    const positions = byKey.get(context[0] as string) ?? [];
    // counts[k - 1]: next-token counts after occurrences matching k context tokens.
    const counts: Map<string, number>[] = [];
    const example = new Map<string, { at: number; depth: number }>();
    for (const p of positions) {
      const j = p + 1;
      if (j >= n || j === cur) continue;
      let m = 1;
      while (m < K && m < context.length && p - m >= 0 && keys[p - m] === context[m]) m++;
      const next = keys[j] as string;
      for (let k = 0; k < m; k++) {
        let map = counts[k];
        if (!map) counts[k] = map = new Map();
        map.set(next, (map.get(next) ?? 0) + 1);
      }
      const seen = example.get(next);
      if (!seen || m > seen.depth || (m === seen.depth && p > seen.at)) example.set(next, { at: j, depth: m });
    }
    // The deepest context seen at least `extendSupport` times decides; add-`extendPseudo`
    // keeps a continuation seen once or twice from looking certain (nested contexts built
    // from the same few occurrences are not independent evidence).
    let chosen = counts[0] ?? new Map<string, number>();
    for (const map of counts) {
      let total = 0;
      for (const v of map.values()) total += v;
      if (total >= tuning.extendSupport) chosen = map;
    }
    // When the deciding context was seen fewer than `extendSupport` times, the language's
    // n-gram table lends `staticStrength` pseudo-occurrences, so an idiom (`isinstance(`)
    // continues before the document has shown it, and a context seen once or twice is not
    // alone in vouching for the next token. With more, the table would only dilute a
    // repeated line (it cost savings on the dev split).
    let total = 0;
    for (const v of chosen.values()) total += v;
    const st = total < tuning.extendSupport ? staticNext(table, context[1], context[0]) : undefined;
    if (total === 0 && !st) break;
    const S = st ? tuning.staticStrength : 0;
    let top: string | undefined;
    let topCount = 0;
    const consider = (key: string): void => {
      const v = (chosen.get(key) ?? 0) + S * (st?.get(key)?.p ?? 0);
      if (v > topCount) {
        top = key;
        topCount = v;
      }
    };
    for (const key of chosen.keys()) consider(key);
    if (st) for (const key of st.keys()) consider(key);
    const topP = topCount / (total + S + tuning.extendPseudo);
    // Steps are not independent (the same few occurrences vouch for each token of a repeated
    // line), so the weakest step bounds the continuation rather than the product of all.
    const stepProb = tuning.extendWeakest ? Math.min(prob, confidence * topP) : prob * topP;
    if (top === undefined || STOP_KEYS.has(top) || stepProb < tuning.extendThreshold) break;
    const ex = example.get(top);
    const gap = ex ? code.slice(ends[ex.at - 1] as number, starts[ex.at] as number) : st?.get(top)?.spaced ? ' ' : '';
    if (!BLANK.test(gap)) break;
    prob = stepProb;
    out += gap + (ex ? code.slice(starts[ex.at] as number, ends[ex.at] as number) : top);
    context.unshift(top);
    if (context.length > K) context.pop();
  }
  return out;
}

function emptyResult(): AutocompleteResult {
  return { suggestion: '', suggestions: [], source: 'local' };
}

/** Inside a string: only an import/require module name is worth completing. */
function suggestModule(code: string, cursor: number, spec: LanguageSpec, tokens: Tokens, tuning: SuggestTuning): AutocompleteResult {
  const { kinds, keys, starts, strings } = tokens;
  const s = tokens.cursorString;
  if (s < 0 || spec.importWords.length === 0) return emptyResult();
  const isModuleString = (i: number): boolean => {
    const p1 = keys[i - 1];
    const p2 = keys[i - 2];
    return (p1 !== undefined && (p1 === 'from' || p1 === 'import')) || (p1 === '(' && (p2 === 'require' || p2 === 'import'));
  };
  if (!isModuleString(s)) return emptyResult();
  const open = starts[s] as number;
  const prefix = code.slice(open + 1, cursor);
  if (/[\s'"`]/.test(prefix)) return emptyResult();
  const counts = new Map<string, number>();
  for (let i = 0; i < kinds.length; i++) {
    if (i === s || kinds[i] !== STR || !isModuleString(i)) continue;
    const name = (strings[i] as string).slice(1, -1);
    if (name.length > prefix.length && name.startsWith(prefix)) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  for (const name of spec.modules) {
    if (name.length > prefix.length && name.startsWith(prefix) && !counts.has(name)) counts.set(name, 0.3);
  }
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  if (ranked.length === 0) return emptyResult();
  const total = ranked.reduce((sum, [, v]) => sum + v, 0);
  const [topName, topCount] = ranked[0] as [string, number];
  const threshold = tuning.threshold[Math.min(prefix.length, tuning.threshold.length - 1)] ?? 0.5;
  const suggestions = ranked.slice(0, MAX_LIST).map(([name]) => ({ label: name, insertText: name.slice(prefix.length), kind: 'module' as const }));
  return { suggestion: topCount / (total + 1) >= threshold ? topName.slice(prefix.length) : '', suggestions, source: 'local' };
}
