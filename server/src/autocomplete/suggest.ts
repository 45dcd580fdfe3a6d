import type { AutocompleteResult, Language, Suggestion } from '@pairpad/shared';
import { SHORTLIST, collectCandidates, rank, type Candidate } from './candidates.js';
import { choose } from './choice.js';
import { readContext } from './context.js';
import { extend } from './continuation.js';
import { candidateRows, queryFeatures, shortlistEvidence } from './features.js';
import { LANGUAGE_SPECS, type LanguageSpec } from './languages.js';
import { STR, type Tokens } from './lexer.js';
import { ngramTable, staticMass, staticNext } from './ngram-table.js';
import { DEFAULT_TUNING, type SuggestTuning } from './tuning.js';

// The engine in parts: context.ts reads what is around the cursor, candidates.ts collects and
// ranks the words that fit, features.ts measures the shortlist for the choice model (choice.ts),
// and this file decides what to offer. Tables and weights: tables/*.json via tuning.ts.

const MAX_LIST = 8;

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
  const spec = LANGUAGE_SPECS[language] ?? LANGUAGE_SPECS.plaintext;
  const reading = readContext(code, cursorPosition, spec, tuning);
  if (reading.at === 'silent') return detail(emptyResult());
  if (reading.at === 'string') return detail(suggestModule(code, reading.cursor, spec, reading.tokens, tuning));
  const context = reading.context;
  const { cursor, prefix, wordStart, tokens, cur, ctx, prev } = context;

  const table = ngramTable(tuning.ngrams[language]);
  const stat = staticNext(table, ctx[1], ctx[0]);
  const cands = collectCandidates(context, { tuning, common: tuning.commonWords[language], stat });
  if (cands.length === 0) return detail(emptyResult());
  const totals = rank(cands, tuning.maxContext);

  // The n-gram estimate shortlists; the choice model re-ranks the shortlist and says how
  // likely its best pick is, leaving mass for "none of these" (a word not seen yet).
  const shortlist = cands.slice(0, SHORTLIST);
  const rows = candidateRows(context, shortlistEvidence(shortlist, totals, cursor, table !== undefined));
  const query = queryFeatures(context, cands.length, staticMass(stat, prefix, spec), shortlist);
  const probs = choose(rows, query, tuning.choiceByLanguage[language] ?? tuning.choice);
  const order = shortlist.map((_, i) => i).sort((a, b) => (probs[b] as number) - (probs[a] as number));
  const ranked = [...order.map((i) => shortlist[i] as Candidate), ...cands.slice(SHORTLIST)];
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

function commonPrefix(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return a.slice(0, i);
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
