/**
 * The choice model's inputs, by name. The fitted weights (tables/calibration.json) are read in
 * the order of CANDIDATE_FEATURES and QUERY_FEATURES, and the file records the names it was
 * fitted with (tables.test.ts checks that they agree): append, never reorder, and refit with
 * `npm run gen:autocomplete`.
 */
import { SHORTLIST, type Candidate } from './candidates.js';
import type { CursorContext } from './context.js';

/** Evidence for one shortlisted candidate. */
export const CANDIDATE_FEATURES = [
  /** log of the n-gram estimate */
  'logP',
  /** log(1 + weighted uses in the document) */
  'logCount',
  /** the most context tokens a use shares with the cursor (-1: only a prior) */
  'deepestContext',
  /** its share of all uses with that context */
  'deepestShare',
  /** log(1 + characters to the nearest use before / after the cursor) */
  'logDistanceBefore',
  'logDistanceAfter',
  /** only the language vocabulary knows it */
  'vocabularyOnly',
  'keyword',
  /** log(1 + characters left to type) */
  'logRemaining',
  /** share of the uses after the same one / two tokens */
  'contextShare1',
  'contextShare2',
  /** the most recently used word with the typed prefix */
  'mostRecent',
  /** 1 / (1 + recency rank) */
  'recency',
  /** log(1 + uses in the 2,000 characters after the cursor) */
  'logUsesSoonAfter',
  /** a builtin, member or module name of the language */
  'languageName',
  /** share of the language's dev files that use it (tables/vocabulary.json) */
  'common',
  /** log of the n-gram table's probability for it after the cursor's tokens (0 without a table) */
  'tableLogP',
  /** that probability as a share of the table's words with the typed prefix */
  'tableShare',
  /** used earlier on the cursor's line / on the line before */
  'onLine',
  'onPreviousLine',
  /** log n-gram estimate relative to the shortlist's best */
  'logPVersusTop',
  /** log(1 + parts of the name): `parse_args`, `parseArgs` have 2 */
  'logNameParts',
  /** place in the n-gram shortlist, over its length */
  'shortlistRank',
  /** the window declares it (`def name`, `function name`, `class Name`) */
  'declared',
] as const;

/** Evidence about the position itself: how likely it is that no known word fits (the "none of these" option). */
export const QUERY_FEATURES = [
  /** constant 1 */
  'bias',
  'oneCharacterTyped',
  /** log(1 + candidates) */
  'logCandidates',
  /** the token before: a line break, a member access, `(` or `,`, `=`, a word */
  'afterLineBreak',
  'afterMember',
  'afterOpenOrComma',
  'afterAssign',
  'afterWord',
  /** log of the n-gram table's belief in words with the typed prefix (0 when it knows nothing here) */
  'tableLogPrefixMass',
  /** the n-gram table's belief in any listed token */
  'tableKnown',
  /** log n-gram estimate of the shortlist's best, and its lead over the second */
  'topLogP',
  'topLead',
  /** upper-case start in a case-sensitive language (a type or a constant) */
  'upperStart',
  /** log(1 + tokens before the cursor on its line) */
  'logLineTokens',
  'afterKeyword',
  /** the deepest context any shortlisted candidate shares */
  'deepestContext',
] as const;

export type CandidateFeature = (typeof CANDIDATE_FEATURES)[number];
export type QueryFeature = (typeof QUERY_FEATURES)[number];

/**
 * Features that come from the language's n-gram table: 0 for a language without one, and
 * left out of the fit of the shared weights (scripts/gen-autocomplete/calibration.ts).
 */
export const TABLE_FEATURES = {
  candidate: (['tableLogP', 'tableShare'] as const).map((name) => CANDIDATE_FEATURES.indexOf(name)),
  query: (['tableLogPrefixMass', 'tableKnown'] as const).map((name) => QUERY_FEATURES.indexOf(name)),
};

const FAR = 1e5;

/** What every candidate's features are measured against. */
export interface ShortlistEvidence {
  shortlist: readonly Candidate[];
  /** Weighted uses per context depth over all candidates (rank()). */
  totals: readonly number[];
  /** Recency rank of the words used before the cursor (0 = most recent). */
  recent: ReadonlyMap<string, number>;
  /** The language has an n-gram table. */
  hasTable: boolean;
}

export function shortlistEvidence(shortlist: readonly Candidate[], totals: readonly number[], cursor: number, hasTable: boolean): ShortlistEvidence {
  return { shortlist, totals, recent: recency(shortlist, cursor), hasTable };
}

/** One row per shortlisted candidate, in CANDIDATE_FEATURES order. */
export function candidateRows(context: CursorContext, evidence: ShortlistEvidence): number[][] {
  return evidence.shortlist.map((c, i) => candidateFeatures(c, i, context, evidence));
}

function candidateFeatures(c: Candidate, shortlistRank: number, context: CursorContext, evidence: ShortlistEvidence): number[] {
  const { cursor, lines, prefix } = context;
  const { totals, recent } = evidence;
  const top = evidence.shortlist[0] as Candidate;
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
  const f: Record<CandidateFeature, number> = {
    logP: Math.log(Math.max(c.p, 1e-6)),
    logCount: Math.log1p(c.counts[0] as number),
    deepestContext: deepest,
    deepestShare: share,
    logDistanceBefore: Math.log1p(before),
    logDistanceAfter: Math.log1p(after),
    vocabularyOnly: c.occurrences.length === 0 && (c.counts[0] as number) === 0 ? 1 : 0,
    keyword: c.kind === 'keyword' ? 1 : 0,
    logRemaining: Math.log(c.word.length - prefix.length + 1),
    contextShare1: (c.counts[1] ?? 0) / ((totals[1] ?? 0) || 1),
    contextShare2: (c.counts[2] ?? 0) / ((totals[2] ?? 0) || 1),
    mostRecent: rank === 0 ? 1 : 0,
    recency: rank === undefined ? 0 : 1 / (1 + rank),
    logUsesSoonAfter: Math.log1p(soonAfter),
    languageName: c.kind === 'builtin' || c.kind === 'member' || c.kind === 'module' ? 1 : 0,
    common: c.common,
    // Without an n-gram table (most languages) the table's features are 0, as in the shared weights' fit.
    tableLogP: evidence.hasTable ? Math.log(c.stat + 1e-4) : 0,
    tableShare: c.statShare,
    onLine,
    onPreviousLine: onPrevLine,
    logPVersusTop: Math.log(Math.max(c.p, 1e-6)) - Math.log(Math.max(top.p, 1e-6)),
    logNameParts: Math.log1p(wordParts(c.word)),
    shortlistRank: shortlistRank / SHORTLIST,
    declared: c.declared ? 1 : 0,
  };
  return CANDIDATE_FEATURES.map((name) => f[name]);
}

/** The position's features, in QUERY_FEATURES order. */
export function queryFeatures(
  context: CursorContext,
  candidates: number,
  stat: { mass: number; known: number },
  shortlist: readonly Candidate[],
): number[] {
  const { prefix, prev } = context;
  const p1 = Math.log(Math.max(shortlist[0]?.p ?? 0, 1e-6));
  const p2 = shortlist.length > 1 ? Math.log(Math.max((shortlist[1] as Candidate).p, 1e-6)) : Math.log(1e-6);
  const f: Record<QueryFeature, number> = {
    bias: 1,
    oneCharacterTyped: prefix.length === 1 ? 1 : 0,
    logCandidates: Math.log1p(candidates),
    afterLineBreak: prev === '\n' ? 1 : 0,
    afterMember: context.afterMember ? 1 : 0,
    afterOpenOrComma: prev === '(' || prev === ',' ? 1 : 0,
    afterAssign: prev === '=' ? 1 : 0,
    afterWord: prev === undefined || /^[A-Za-z_$]/.test(prev) ? 1 : 0,
    tableLogPrefixMass: stat.known > 0 ? Math.log(stat.mass + 1e-3) : 0,
    tableKnown: stat.known,
    topLogP: p1,
    topLead: p1 - p2,
    upperStart: context.upperStart ? 1 : 0,
    logLineTokens: Math.log1p(context.lineTokens),
    afterKeyword: context.afterKeyword ? 1 : 0,
    deepestContext: Math.max(...shortlist.map(deepestContext)),
  };
  return QUERY_FEATURES.map((name) => f[name]);
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
