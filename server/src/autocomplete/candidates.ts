import type { SuggestionKind } from '@pairpad/shared';
import { declaratorKeys, type CursorContext } from './context.js';
import { IDENT, wordChars } from './lexer.js';
import { staticMass, type StaticNext } from './ngram-table.js';
import type { SuggestTuning } from './tuning.js';

/** Candidates the n-gram estimate shortlists for the choice model. */
export const SHORTLIST = 12;

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


export interface CandidateOptions {
  tuning: SuggestTuning;
  /** The language's common words (tables/vocabulary.json), if it has them. */
  common: Readonly<Record<string, number>> | undefined;
  /** What the language's n-gram table expects after the cursor's last two tokens, if anything. */
  stat: StaticNext | undefined;
}

/**
 * The words that start with the typed prefix: the window's occurrences, each counted with the
 * number of preceding tokens it shares with the cursor and weighted by nearness; plain counts
 * from a capped scan of the rest of the file; and as a prior the language's keywords, builtins,
 * members or module names, its common words and what its n-gram table expects here.
 */
export function collectCandidates(context: CursorContext, options: CandidateOptions): Candidate[] {
  const { code, tokens, cur, ctx, prefix, spec, from, to, afterMember, afterImport } = context;
  const { tuning, common, stat } = options;
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
export function rank(cands: Candidate[], K: number): number[] {
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
