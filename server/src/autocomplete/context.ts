import type { LanguageSpec } from './languages.js';
import { IDENT, NL, lex, wordChars, type Tokens } from './lexer.js';
import type { SuggestTuning } from './tuning.js';

const MEMBER_ACCESS = new Set(['.', '->', '::', '?.']);

/** What is around the cursor, read once per call: the typed prefix, the lexed window and the tokens before the cursor. */
export interface CursorContext {
  code: string;
  /** The cursor, clamped to the document. */
  cursor: number;
  spec: LanguageSpec;
  /** The typed part of the word (may be empty after `.` or `import`). */
  prefix: string;
  wordStart: number;
  /** The lexed window [from, to): cut at line starts, 16,000 characters before the cursor and 4,000 after by default. */
  from: number;
  to: number;
  tokens: Tokens;
  /** Index of the token being typed, or where the next token would go. */
  cur: number;
  /** The tokens before it, nearest first, at most `maxContext` and at most `crossLine` from before the last line break. */
  ctx: string[];
  /** ctx[0]. */
  prev: string | undefined;
  afterMember: boolean;
  afterImport: boolean;
  /** Start of the cursor's line and of the line before. */
  lines: { start: number; prevStart: number };
  /** Tokens before the cursor on its line (at most 20). */
  lineTokens: number;
  afterKeyword: boolean;
  /** In a case-sensitive language an upper-case start means a type or a constant; in SQL it is just how keywords are written. */
  upperStart: boolean;
}

/** Where the cursor is: somewhere nothing is offered, inside a string, or in code. */
export type CursorReading = { at: 'silent' } | { at: 'string'; cursor: number; tokens: Tokens } | { at: 'code'; context: CursorContext };

const SILENT: CursorReading = { at: 'silent' };

/**
 * Reads the cursor's surroundings. Silent inside a word (a suggestion would be spliced into
 * it), right after a number, in a comment, right after a declarator (`def`, `function`: a new
 * name comes), with nothing typed except after a member access or an import word, and in prose
 * before two typed characters.
 */
export function readContext(code: string, cursorPosition: number, spec: LanguageSpec, tuning: SuggestTuning): CursorReading {
  const cursor = Math.max(0, Math.min(cursorPosition, code.length));
  const { isStart, isPart } = wordChars(spec);

  // Editing inside a word: whatever we offered would be spliced into the middle of it.
  if (cursor < code.length && isPart(code.charCodeAt(cursor))) return SILENT;

  let wordStart = cursor;
  while (wordStart > 0 && isPart(code.charCodeAt(wordStart - 1))) wordStart--;
  // `-` and digits may continue a word but not start one.
  while (wordStart < cursor && !isStart(code.charCodeAt(wordStart))) {
    const c = code.charCodeAt(wordStart);
    if (c >= 48 && c <= 57) return SILENT; // right after a number (`12`, `0x1f`, `10px`)
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

  if (tokens.cursorState === 'comment') return SILENT;
  if (tokens.cursorState === 'string') return { at: 'string', cursor, tokens };

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
  if (prev !== undefined && declaratorKeys(spec).has(prev) && kinds[cur - 1] === IDENT) return SILENT;

  const afterMember = prev !== undefined && MEMBER_ACCESS.has(prev);
  const afterImport = prev !== undefined && spec.importWords.includes(prev);
  // Without a typed character only a member or module position is specific enough to guess.
  if (prefix === '' && !afterMember && !afterImport) return SILENT;
  if (spec.prose && prefix.length < 2) return SILENT;

  const lineStart = code.lastIndexOf('\n', wordStart - 1) + 1;
  let lineTokens = 0;
  for (let k = cur - 1; k >= 0 && kinds[k] !== NL && lineTokens < 20; k--) lineTokens++;
  const first = prefix.charCodeAt(0);
  return {
    at: 'code',
    context: {
      code,
      cursor,
      spec,
      prefix,
      wordStart,
      from,
      to,
      tokens,
      cur,
      ctx,
      prev,
      afterMember,
      afterImport,
      lines: { start: lineStart, prevStart: lineStart === 0 ? 0 : code.lastIndexOf('\n', lineStart - 2) + 1 },
      lineTokens,
      afterKeyword: prev !== undefined && spec.keywords.includes(prev),
      upperStart: !spec.caseInsensitive && first >= 65 && first <= 90,
    },
  };
}

const declaratorSets = new WeakMap<LanguageSpec, ReadonlySet<string>>();
/** The language's declarators (`def`, `function`, `class`) as token keys (lower case where the lexer lowers them), built once. */
export function declaratorKeys(spec: LanguageSpec): ReadonlySet<string> {
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
