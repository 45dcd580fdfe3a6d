import type { AutocompleteResult, Language, Suggestion, SuggestionKind } from '@pairpad/shared';
import { LANGUAGE_SPECS, type LanguageSpec } from './languages.js';
import { CONFIDENCE_WEIGHTS } from './calibration.js';
import { IDENT, NL, STR, lex, wordChars, type Tokens } from './lexer.js';

/**
 * Knobs of the ranking model. The defaults were tuned on the development split of the
 * evaluation corpus (scripts/eval-autocomplete); the harness may pass others.
 */
export interface SuggestTuning {
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
  /** Minimum calibrated confidence to offer a word, by typed prefix length (index 0 = empty prefix). */
  threshold: readonly number[];
  /** Minimum estimated probability that a multi-token continuation is right as a whole. */
  extendThreshold: number;
  /** Minimum occurrences agreeing on each extra token of a multi-token continuation. */
  extendSupport: number;
  /** Pseudo-count of unseen continuations when estimating a continuation's probability. */
  extendPseudo: number;
  maxExtendTokens: number;
  /** Prose: ignore words shorter than this. */
  proseMinWord: number;
  /** Logistic weights over confidenceFeatures(); fitted by scripts/eval-autocomplete/calibrate.ts. */
  weights: readonly number[];
}

export const DEFAULT_TUNING: SuggestTuning = {
  windowBefore: 16_000,
  windowAfter: 4_000,
  maxContext: 6,
  crossLine: 1,
  nearBoost: 2,
  nearChars: 3_000,
  farWeight: 0.5,
  farHits: 20_000,
  threshold: [0.95, 0.7, 0.7, 0.7],
  extendThreshold: 0.8,
  extendSupport: 2,
  extendPseudo: 0.5,
  maxExtendTokens: 10,
  proseMinWord: 4,
  weights: CONFIDENCE_WEIGHTS,
};

const MAX_LIST = 8;
const MEMBER_ACCESS = new Set(['.', '->', '::', '?.']);

export interface Candidate {
  word: string;
  /** counts[k]: weighted occurrences whose k preceding tokens match the cursor's. */
  counts: number[];
  prior: number;
  kind: SuggestionKind;
  /** Token indices of occurrences inside the window (for multi-token continuations). */
  occurrences: number[];
  /** Longest context match of each occurrence, parallel to `occurrences`. */
  matches: number[];
  /** Character offsets of the occurrences. */
  positions: number[];
  p: number;
}

/**
 * Local completion for the text at `cursorPosition` (a UTF-16 offset, 0..code.length).
 *
 * Ranks words of the document by how often they follow the same tokens the cursor follows
 * (an interpolated n-gram estimate over a window around the cursor), nudged by proximity
 * and by the language's keywords, builtins, members and module names. `suggestion` is set
 * only when the best candidate's estimated probability clears a threshold, and then may run
 * past the word when earlier occurrences agree on what follows (`self.assertEqual(`).
 * Pure: no I/O, bounded work per call (a window of tokens plus one regex pass over the file).
 */
export function suggest(
  code: string,
  cursorPosition: number,
  language: Language,
  tuning: SuggestTuning = DEFAULT_TUNING,
): AutocompleteResult {
  return suggestDetailed(code, cursorPosition, language, tuning).result;
}

/** What suggest() decided and why; the evaluation harness calibrates on `features`. */
export interface SuggestDetail {
  result: AutocompleteResult;
  /** Confidence features of the best candidate (see confidenceFeatures), when there was one. */
  features?: number[];
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
  const declarators = spec.caseInsensitive ? spec.declarators.map((d) => d.toLowerCase()) : spec.declarators;
  if (prev !== undefined && declarators.includes(prev) && kinds[cur - 1] === IDENT) return empty();

  const afterMember = prev !== undefined && MEMBER_ACCESS.has(prev);
  const afterImport = prev !== undefined && spec.importWords.includes(prev);
  // Without a typed character only a member or module position is specific enough to guess.
  if (prefix === '' && !afterMember && !afterImport) return empty();
  if (spec.prose && prefix.length < 2) return empty();

  const cands = collectCandidates(code, tokens, cur, ctx, prefix, spec, tuning, from, to, afterMember, afterImport);
  if (cands.length === 0) return empty();
  const totals = rank(cands, tuning.maxContext);

  const indentation = currentIndentation(code, wordStart);
  const lineRest = restOfLine(code, cursor);
  const list: Suggestion[] = [];
  const best = cands[0] as Candidate;
  const threshold = tuning.threshold[Math.min(prefix.length, tuning.threshold.length - 1)] ?? 0.5;
  let suggestion = '';
  const features = confidenceFeatures(cands, totals, prefix, ctx, afterMember, cursor);
  const confidence = calibrated(features, tuning.weights);

  const typedCase = caseOf(prefix);
  const insertFor = (word: string): string => {
    const rest = word.slice(prefix.length);
    if (!spec.caseInsensitive) return rest;
    return typedCase === 'upper' ? rest.toUpperCase() : typedCase === 'lower' ? rest.toLowerCase() : rest;
  };

  if (confidence >= threshold) {
    suggestion = insertFor(best.word);
    // Only run past the word at the end of a line; mid-line, the text after the cursor is
    // usually what a continuation would have produced (closing brackets, arguments).
    if (lineRest.trim() === '') {
      const ext = extend(code, tokens, best, confidence, tuning);
      if (ext !== '') {
        list.push({ label: prefix + suggestion + ext, insertText: suggestion + ext, kind: 'line' });
        suggestion += ext;
      }
    }
  }

  for (const cand of cands) {
    if (list.length >= MAX_LIST) break;
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

  return { result: { suggestion, suggestions: list.slice(0, MAX_LIST + 2), source: 'local' }, features, confidence };
}

/**
 * Evidence that the best candidate is right, as numbers a logistic model weighs (the weights
 * are fitted on the evaluation's dev split, see calibration.ts). The n-gram estimate alone is
 * over-confident: it has no mass for a word the document has not seen yet.
 */
export function confidenceFeatures(
  cands: readonly Candidate[],
  totals: readonly number[],
  prefix: string,
  ctx: readonly string[],
  afterMember: boolean,
  cursor: number,
): number[] {
  const top = cands[0] as Candidate;
  const second = cands[1];
  const logit = (p: number): number => {
    const q = Math.min(Math.max(p, 1e-4), 1 - 1e-4);
    return Math.log(q / (1 - q));
  };
  let deepest = -1;
  for (let k = 0; k < top.counts.length; k++) if ((top.counts[k] as number) > 0) deepest = k;
  const share = deepest >= 0 ? (top.counts[deepest] as number) / ((totals[deepest] as number) || 1) : 0;
  let before = 0;
  for (const occ of top.positions) if (occ < cursor) before++;
  return [
    1,
    logit(top.p),
    second ? logit(top.p) - logit(second.p) : 8,
    prefix.length === 1 ? 1 : 0,
    prefix.length >= 3 ? 1 : 0,
    Math.log1p(top.counts[0] as number),
    deepest < 0 ? -1 : deepest,
    share,
    deepest >= 0 ? Math.log1p(totals[deepest] as number) : 0,
    top.occurrences.length === 0 && (top.counts[0] as number) === 0 ? 1 : 0,
    Math.log1p(cands.length),
    afterMember ? 1 : 0,
    ctx[0] === '\n' ? 1 : 0,
    Math.log(top.word.length - prefix.length + 1),
    top.kind === 'keyword' ? 1 : 0,
    before > 0 ? 1 : 0,
  ];
}

function calibrated(features: readonly number[], weights: readonly number[]): number {
  let z = 0;
  for (let i = 0; i < features.length; i++) z += (features[i] as number) * (weights[i] ?? 0);
  return 1 / (1 + Math.exp(-z));
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
): Candidate[] {
  const { kinds, starts, keys } = tokens;
  const K = tuning.maxContext;
  const lower = spec.caseInsensitive;
  const match = lower ? prefix.toLowerCase() : prefix;
  const byWord = new Map<string, Candidate>();
  const cursorPos = starts[cur] ?? code.length;
  const minLen = Math.max(match.length + 1, spec.prose ? tuning.proseMinWord : 1);

  const get = (word: string, kind: SuggestionKind): Candidate => {
    let cand = byWord.get(word);
    if (!cand) {
      cand = { word, counts: new Array<number>(K + 1).fill(0), prior: 0, kind, occurrences: [], matches: [], positions: [], p: 0 };
      byWord.set(word, cand);
    }
    return cand;
  };

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
    cand.matches.push(m);
    cand.positions.push(start);
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

/**
 * Text after `cand` that its earlier occurrences agree on, token by token, on the same line.
 * Uses the occurrences sharing the longest context with the cursor, so `self.` followed by
 * `assertEqual(` in most test lines continues that way only in the same position.
 */
function extend(code: string, tokens: Tokens, cand: Candidate, p: number, tuning: SuggestTuning): string {
  const { kinds, ends } = tokens;
  let best = 0;
  for (const m of cand.matches) if (m > best) best = m;
  // Only occurrences that share at least the token before the cursor say anything about
  // what follows here (`value = 1` says nothing about `print(value`).
  if (best === 0) return '';
  const need = Math.min(best, 2);
  let set: number[] = [];
  cand.occurrences.forEach((occ, j) => {
    if ((cand.matches[j] as number) >= need) set.push(occ);
  });
  let out = '';
  const initial = set.length;
  for (let step = 1; step <= tuning.maxExtendTokens && set.length >= tuning.extendSupport; step++) {
    const pieces = new Map<string, number[]>();
    for (const occ of set) {
      const t = occ + step;
      // Line ends and strings (arguments that vary) stop a continuation; they still count
      // in `set.length`, so a word that often ends the line is not extended.
      if (t >= kinds.length || kinds[t] === NL || kinds[t] === STR) continue;
      const piece = code.slice(ends[t - 1] as number, ends[t] as number);
      if (piece.includes('\n')) continue;
      let list = pieces.get(piece);
      if (!list) pieces.set(piece, (list = []));
      list.push(occ);
    }
    let top: string | undefined;
    let topList: number[] = [];
    for (const [piece, list] of pieces) {
      if (list.length > topList.length) {
        top = piece;
        topList = list;
      }
    }
    if (top === undefined || topList.length < tuning.extendSupport) break;
    // Tokens of one line are strongly correlated, so the estimate is the share of all
    // context-matching occurrences that agree on the whole continuation so far.
    if (p * (topList.length / (initial + tuning.extendPseudo)) < tuning.extendThreshold) break;
    out += top;
    set = topList;
  }
  return out.trimEnd() === out ? out : out.trimEnd();
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
