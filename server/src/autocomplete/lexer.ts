import type { LanguageSpec } from './languages.js';

export const IDENT = 0;
export const NUM = 1;
export const STR = 2;
export const PUNCT = 3;
export const NL = 4;

/** Where the cursor sits, as far as the lexer can tell. */
export type CursorState = 'code' | 'string' | 'comment';

/**
 * Tokens of one window of a document, as parallel arrays (cheaper than objects for the
 * ten-thousand-token windows a large file gives). `keys` is what context matching compares:
 * the identifier or punctuation text, `"` for any string, `0` for any number, `\n` for a line break.
 */
export interface Tokens {
  kinds: number[];
  starts: number[];
  ends: number[];
  keys: string[];
  /** Raw text of short strings (module names), else empty. */
  strings: string[];
  cursorState: CursorState;
  /** Index of the string token the cursor is inside, or -1. */
  cursorString: number;
}

const MAX_STRING_TEXT = 120;
const nonAsciiWord = /[\p{L}\p{Mn}\p{Mc}\p{Nd}]/u;

/** Word-character tests for one language. */
export interface WordChars {
  isStart(c: number): boolean;
  isPart(c: number): boolean;
}

const wordCharsCache = new Map<LanguageSpec, WordChars>();

/** Word-character tests for `spec`, memoized per language. */
export function wordChars(spec: LanguageSpec): WordChars {
  const cached = wordCharsCache.get(spec);
  if (cached) return cached;
  const startExtras = new Set([...spec.wordStartExtras].map((ch) => ch.charCodeAt(0)));
  const partExtras = new Set([...spec.wordExtras].map((ch) => ch.charCodeAt(0)));
  const isStart = (c: number): boolean =>
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    c === 95 ||
    startExtras.has(c) ||
    // Lone surrogates (emoji halves) are never word characters.
    (c > 127 && (c < 0xd800 || c > 0xdfff) && nonAsciiWord.test(String.fromCharCode(c)));
  const isPart = (c: number): boolean => isStart(c) || (c >= 48 && c <= 57) || partExtras.has(c);
  const chars = { isStart, isPart };
  wordCharsCache.set(spec, chars);
  return chars;
}

const REGEX_AFTER_WORDS = new Set([
  'return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'yield', 'await', 'instanceof',
]);

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Lexes `code[from, to)` and reports whether `cursor` lies inside a string or comment.
 * `from` should be a line start; a window that begins inside a long comment or docstring
 * is misread until it closes, which the caller accepts in exchange for bounded work.
 */
export function lex(code: string, from: number, to: number, spec: LanguageSpec, cursor: number): Tokens {
  const { isStart, isPart } = wordChars(spec);
  const kinds: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const keys: string[] = [];
  const strings: string[] = [];
  let cursorState: CursorState = 'code';
  let cursorString = -1;
  const lower = spec.caseInsensitive;
  const quotes = spec.quotes;
  let inTag = false;

  const push = (kind: number, start: number, end: number, key: string, str = ''): void => {
    kinds.push(kind);
    starts.push(start);
    ends.push(end);
    keys.push(key);
    strings.push(str);
  };

  const pushString = (start: number, end: number, terminated: boolean): void => {
    if (start < cursor && (cursor < end || (!terminated && cursor === end))) {
      cursorState = 'string';
      cursorString = kinds.length;
    }
    push(STR, start, end, '"', end - start <= MAX_STRING_TEXT ? code.slice(start, end) : '');
  };

  let i = from;
  while (i < to) {
    const c = code.charCodeAt(i);
    if (c === 10) {
      if (kinds.length === 0 || kinds[kinds.length - 1] !== NL) push(NL, i, i + 1, '\n');
      i++;
      continue;
    }
    if (c === 32 || c === 9 || c === 13) {
      i++;
      continue;
    }

    // Comments.
    let matched = false;
    for (const lc of spec.lineComments) {
      if (code.startsWith(lc, i)) {
        let end = code.indexOf('\n', i);
        if (end === -1 || end > to) end = to;
        if (i < cursor && cursor <= end) cursorState = 'comment';
        i = end;
        matched = true;
        break;
      }
    }
    if (matched) continue;
    for (const [open, close] of spec.blockComments) {
      if (code.startsWith(open, i)) {
        const closeAt = code.indexOf(close, i + open.length);
        const end = closeAt === -1 ? to : Math.min(closeAt + close.length, to);
        if (i < cursor && (cursor < end || (closeAt === -1 && cursor === end))) cursorState = 'comment';
        i = end;
        matched = true;
        break;
      }
    }
    if (matched) continue;

    if (isStart(c)) {
      let j = i + 1;
      while (j < to && isPart(code.charCodeAt(j))) j++;
      const word = code.slice(i, j);
      push(IDENT, i, j, lower ? word.toLowerCase() : word);
      i = j;
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(code.charCodeAt(i + 1)))) {
      let j = i + 1;
      while (j < to) {
        const d = code.charCodeAt(j);
        if (isPart(d) || (d === 46 && isDigit(code.charCodeAt(j + 1)))) j++;
        else break;
      }
      push(NUM, i, j, '0');
      i = j;
      continue;
    }

    const ch = code[i] as string;
    if (spec.tagQuotes) {
      if (ch === '<') inTag = true;
      else if (ch === '>') inTag = false;
    }
    if (quotes.includes(ch) && (!spec.tagQuotes || inTag)) {
      if (spec.lifetimes && ch === "'" && !isCharLiteral(code, i)) {
        push(PUNCT, i, i + 1, ch);
        i++;
        continue;
      }
      let start = i;
      // Python string prefixes (f"", rb'') were just lexed as a short word: fold them in.
      const last = kinds.length - 1;
      if (spec.tripleQuotes && last >= 0 && kinds[last] === IDENT && ends[last] === i && (keys[last] as string).length <= 2 && /^[rRbBuUfF]+$/.test(keys[last] as string)) {
        start = starts[last] as number;
        kinds.pop(); starts.pop(); ends.pop(); keys.pop(); strings.pop();
      }
      if (spec.tripleQuotes && code.startsWith(ch + ch + ch, i)) {
        const closeAt = findClose(code, i + 3, ch + ch + ch, to);
        const end = closeAt === -1 ? to : closeAt + 3;
        pushString(start, end, closeAt !== -1);
        i = end;
        continue;
      }
      const multiline = spec.multilineQuotes.includes(ch);
      let j = i + 1;
      let terminated = false;
      while (j < to) {
        const d = code.charCodeAt(j);
        if (d === 92 && spec.backslashEscapes) {
          j += 2;
          continue;
        }
        if (d === c) {
          if (!spec.backslashEscapes && code.charCodeAt(j + 1) === c) {
            j += 2;
            continue;
          }
          terminated = true;
          j++;
          break;
        }
        if (d === 10 && !multiline) break;
        j++;
      }
      if (j > to) j = to;
      pushString(start, j, terminated);
      i = j;
      continue;
    }

    if (ch === '/' && spec.regexLiterals && regexAllowed(kinds, keys)) {
      const end = scanRegex(code, i, to);
      if (end !== -1) {
        pushString(i, end, true);
        i = end;
        continue;
      }
    }

    // Two-character operators that carry meaning for context (`::`, `->`, `=>`, `:=`).
    const next = code[i + 1];
    if (next !== undefined && ((ch === ':' && (next === ':' || next === '=')) || (ch === '-' && next === '>') || (ch === '=' && next === '>'))) {
      push(PUNCT, i, i + 2, ch + next);
      i += 2;
      continue;
    }
    push(PUNCT, i, i + 1, ch);
    i++;
  }
  return { kinds, starts, ends, keys, strings, cursorState, cursorString };
}

function findClose(code: string, from: number, close: string, to: number): number {
  let j = from;
  while (j < to) {
    const d = code.charCodeAt(j);
    if (d === 92) {
      j += 2;
      continue;
    }
    if (code.startsWith(close, j)) return j;
    j++;
  }
  return -1;
}

// 'a' or '\n' or '\u{1F600}' is a character literal; 'a alone is a Rust lifetime or label.
function isCharLiteral(code: string, i: number): boolean {
  if (code.charCodeAt(i + 1) === 92) {
    const close = code.indexOf("'", i + 2);
    return close !== -1 && close - i <= 12;
  }
  const cp = code.codePointAt(i + 1);
  if (cp === undefined) return false;
  return code[i + (cp > 0xffff ? 3 : 2)] === "'";
}

function regexAllowed(kinds: number[], keys: string[]): boolean {
  for (let k = kinds.length - 1; k >= 0; k--) {
    const kind = kinds[k];
    if (kind === NL) continue;
    const key = keys[k] as string;
    if (kind === IDENT) return REGEX_AFTER_WORDS.has(key);
    if (kind === NUM || kind === STR) return false;
    return key !== ')' && key !== ']' && key !== '}';
  }
  return true;
}

function scanRegex(code: string, i: number, to: number): number {
  let j = i + 1;
  let inClass = false;
  if (code[j] === '/' || code[j] === '*') return -1;
  while (j < to) {
    const ch = code[j];
    if (ch === '\n') return -1;
    if (ch === '\\') {
      j += 2;
      continue;
    }
    if (ch === '[') inClass = true;
    else if (ch === ']') inClass = false;
    else if (ch === '/' && !inClass) {
      j++;
      while (j < to && /[a-z]/.test(code[j] as string)) j++;
      return j;
    }
    j++;
  }
  return -1;
}
