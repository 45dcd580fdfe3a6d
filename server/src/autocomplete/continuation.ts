import type { Tokens } from './lexer.js';
import { staticNext, type ParsedNgramTable } from './ngram-table.js';
import type { SuggestTuning } from './tuning.js';

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
export function extend(
  code: string,
  tokens: Tokens,
  cur: number,
  ctx: readonly string[],
  word: string,
  confidence: number,
  tuning: SuggestTuning,
  table: ParsedNgramTable | undefined,
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
