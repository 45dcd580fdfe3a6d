/**
 * The choice model: a softmax over the shortlisted candidates plus a "none of these" option.
 * Each score is a linear part plus ReLU hidden units. A candidate's hidden units see its
 * features followed by the query's, because how much a piece of evidence is worth depends on
 * the position (a frequent word means more after `.` than at a line start); a linear score
 * cannot express that. Weights: tables/calibration.json (npm run gen:autocomplete).
 */

/** Scores over the features of features.ts (CANDIDATE_FEATURES, QUERY_FEATURES), in that order. */
export interface ChoiceWeights {
  candidate: readonly number[];
  none: readonly number[];
  /** Hidden units of a candidate's score: input weights (candidate then query features), bias, output weight. */
  candidateHidden?: readonly (readonly number[])[];
  /** Hidden units of the "none" score over the query features, in the same layout. */
  noneHidden?: readonly (readonly number[])[];
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
