/**
 * The n-gram table: which token tends to follow one or two given tokens across many files of a
 * language (`isinstance` → `(`, `raise` → `ValueError`, `module . exports` → `=`), from the DEV
 * split only. The lines the evaluation types in each dev file (its region) are left out, so the
 * dev figures do not see their own answers. Only sequences used by several files are kept:
 * idioms of the language, not of one file.
 */
import { LANGUAGE_SPECS } from '../../server/src/autocomplete/languages.js';
import { NL, lex } from '../../server/src/autocomplete/lexer.js';
import { fnv1a, type CorpusFile } from '../eval-autocomplete/corpus.js';
import { regionOf } from '../eval-autocomplete/simulate.js';
import { FAMILIES } from './vocabulary.js';

export const NGRAM_PARAMETERS = {
  /** A (context, next) pair must occur in at least this many files... */
  minFiles: 4,
  /** ...and one file adds at most this many occurrences (a repetitive file is not the language). */
  perFileCap: 4,
  /** Contexts kept per family, most frequent first, and continuations kept per context. */
  maxContexts: 2500,
  maxNext: 10,
  minContextTotal: 12,
} as const;

/** context -> [total, next, count, spaced, next, count, spaced, ...] */
export type NgramRows = [string, number, [string, number, number][]][];

export function buildNgrams(dev: readonly CorpusFile[], log: (line: string) => void): Record<string, NgramRows> {
  const { minFiles, perFileCap, maxContexts, maxNext, minContextTotal } = NGRAM_PARAMETERS;
  const out: Record<string, NgramRows> = {};
  for (const [family, sources] of Object.entries(FAMILIES)) {
    const files = dev.filter((f) => sources.includes(f.language));
    // context -> next -> { n (capped per file), files, spaced }
    const table = new Map<string, Map<string, { n: number; files: number; spaced: number }>>();
    const totals = new Map<string, number>();
    for (const file of files) {
      const { text } = file;
      const { start, end } = regionOf(file, fnv1a(`region:${file.id}`));
      const toks = lex(text, 0, text.length, LANGUAGE_SPECS[file.language], -1);
      const local = new Map<string, { n: number; spaced: number }>();
      for (let t = 1; t < toks.kinds.length; t++) {
        const ts = toks.starts[t] as number;
        if (ts >= start && ts < end) continue; // the lines the evaluation types
        const next = toks.keys[t] as string;
        const gap = toks.kinds[t] === NL ? '' : text.slice(toks.ends[t - 1] as number, ts);
        const spaced = gap === ' ' ? 1 : 0;
        const c1 = toks.keys[t - 1] as string;
        const ctxs = [c1];
        if (t >= 2) ctxs.push(`${toks.keys[t - 2] as string} ${c1}`);
        for (const ctx of ctxs) {
          const k = `${ctx}\u0000${next}`;
          const e = local.get(k);
          if (e) {
            e.n++;
            e.spaced += spaced;
          } else local.set(k, { n: 1, spaced });
        }
      }
      for (const [k, e] of local) {
        const [ctx, next] = k.split('\u0000') as [string, string];
        const n = Math.min(e.n, perFileCap);
        totals.set(ctx, (totals.get(ctx) ?? 0) + n);
        let m = table.get(ctx);
        if (!m) table.set(ctx, (m = new Map()));
        const g = m.get(next);
        if (g) {
          g.n += n;
          g.files++;
          g.spaced += e.spaced / e.n;
        } else m.set(next, { n, files: 1, spaced: e.spaced / e.n });
      }
    }
    const rows: NgramRows = [];
    for (const [ctx, m] of table) {
      const total = totals.get(ctx) as number;
      if (total < minContextTotal) continue;
      const next = [...m.entries()]
        .filter(([, g]) => g.files >= minFiles)
        .sort((a, b) => b[1].n - a[1].n || (a[0] < b[0] ? -1 : 1))
        .slice(0, maxNext)
        .map(([key, g]) => [key, g.n, g.spaced / g.files >= 0.5 ? 1 : 0] as [string, number, number]);
      if (next.length === 0) continue;
      rows.push([ctx, total, next]);
    }
    rows.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    out[family] = rows.slice(0, maxContexts).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    log(`ngrams ${family}: ${files.length} dev files, ${rows.length} contexts, ${out[family].length} kept`);
  }
  return out;
}

/** One context per line: "ctx": [total, "next", count, spaced, ...]. */
export function ngramTablesJson(tables: Record<string, NgramRows>, indent: string): string {
  return `{\n${Object.entries(tables)
    .map(
      ([family, rows]) =>
        `${indent}  ${JSON.stringify(family)}: {\n${rows
          .map(([ctx, total, next]) => `${indent}    ${JSON.stringify(ctx)}: [${total}, ${next.map(([k, n, s]) => `${JSON.stringify(k)}, ${n}, ${s}`).join(', ')}]`)
          .join(',\n')}\n${indent}  }`,
    )
    .join(',\n')}\n${indent}}`;
}
