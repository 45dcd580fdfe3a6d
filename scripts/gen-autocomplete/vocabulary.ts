/**
 * The common-word table: identifiers that many files of a language use (document frequency),
 * from the DEV split only. They let the engine offer a common name (`isinstance`, `ValueError`,
 * `callback`) before the document has used it.
 */
import { LANGUAGE_SPECS } from '../../server/src/autocomplete/languages.js';
import { IDENT, lex } from '../../server/src/autocomplete/lexer.js';
import type { CorpusFile, EvalLanguage } from '../eval-autocomplete/corpus.js';

export const VOCABULARY_PARAMETERS = { minDocumentFrequency: 0.04, maxWords: 600, minLength: 3 } as const;

/** JavaScript and TypeScript share one table: the same corpus (both languages) feeds it. */
export const FAMILIES: Record<string, readonly EvalLanguage[]> = { python: ['python'], javascript: ['javascript', 'typescript'] };

/** Per family: [word, share of the family's dev files that use it], most common first. */
export function buildVocabulary(dev: readonly CorpusFile[], log: (line: string) => void): Record<string, [string, number][]> {
  const { minDocumentFrequency, maxWords, minLength } = VOCABULARY_PARAMETERS;
  const out: Record<string, [string, number][]> = {};
  for (const [family, sources] of Object.entries(FAMILIES)) {
    const files = dev.filter((f) => sources.includes(f.language));
    const df = new Map<string, number>();
    for (const file of files) {
      const toks = lex(file.text, 0, file.text.length, LANGUAGE_SPECS[file.language], -1);
      const seen = new Set<string>();
      for (let t = 0; t < toks.kinds.length; t++) if (toks.kinds[t] === IDENT) seen.add(toks.keys[t] as string);
      for (const w of seen) if (w.length >= minLength) df.set(w, (df.get(w) ?? 0) + 1);
    }
    out[family] = [...df.entries()]
      .map(([w, n]) => [w, n / files.length] as [string, number])
      .filter(([, f]) => f >= minDocumentFrequency)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, maxWords);
    log(`vocabulary ${family}: ${files.length} dev files, ${out[family].length} words`);
  }
  return out;
}

/** One word per line; shares with 3 decimals, as the engine has always read them. */
export function vocabularyTablesJson(tables: Record<string, [string, number][]>, indent: string): string {
  return `{\n${Object.entries(tables)
    .map(([family, list]) => `${indent}  ${JSON.stringify(family)}: {\n${list.map(([w, f]) => `${indent}    ${JSON.stringify(w)}: ${f.toFixed(3)}`).join(',\n')}\n${indent}  }`)
    .join(',\n')}\n${indent}}`;
}
