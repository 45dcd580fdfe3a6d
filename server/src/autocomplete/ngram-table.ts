import type { LanguageSpec } from './languages.js';
import { wordChars } from './lexer.js';
import type { NgramTable } from './ngrams.js';

/** The n-gram table's belief about the next token: probability, and whether it follows a space. */
export type StaticNext = Map<string, { p: number; spaced: boolean }>;

export interface NextCounts {
  total: number;
  keys: string[];
  counts: number[];
  spaced: boolean[];
}

/** A language's n-gram table, parsed: context -> what followed it. */
export type ParsedNgramTable = Map<string, NextCounts>;

const parsedTables = new WeakMap<NgramTable, ParsedNgramTable>();
/** How much a two-token context needs to be seen to outweigh its one-token backoff (Witten-Bell-like). */
const STATIC_BACKOFF = 5;

/** A language's n-gram table (tables/ngrams.json), parsed once. */
export function ngramTable(raw: NgramTable | undefined): ParsedNgramTable | undefined {
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
export function staticNext(table: ParsedNgramTable | undefined, c2: string | undefined, c1: string | undefined): StaticNext | undefined {
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
export function staticMass(stat: StaticNext | undefined, prefix: string, spec: LanguageSpec): { mass: number; known: number } {
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
