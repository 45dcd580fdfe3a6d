/**
 * How the language service's completion list and pairpad's engine work together (issue 18):
 * the list's items are the service's, ranked with the engine's words; the ghost text is the
 * engine's, and only where the engine is silent does the service add its one fitting member.
 * Both measured by `npm run eval:autocomplete -- --ls` (docs/autocomplete.md,
 * "Language-service candidates").
 */
import { toDisposable, type Disposable } from '../disposable';

/** What a list item needs for ranking (Monaco's CompletionItem has both fields). */
export interface RankableItem {
  label: string | { label: string };
  sortText?: string;
}

/**
 * The items, with the ones the engine would write here first, in the engine's order; the rest
 * keep the service's order after them. Monaco sorts equally good matches of the typed text by
 * sortText, so the order holds as the list is filtered while the word is typed.
 */
export function rankByEngine<T extends RankableItem>(items: readonly T[], engineWords: readonly string[]): T[] {
  if (engineWords.length === 0) return [...items];
  const rank = new Map<string, number>();
  for (const word of engineWords) if (!rank.has(word)) rank.set(word, rank.size);
  const width = String(rank.size).length;
  return items.map((item) => {
    const label = typeof item.label === 'string' ? item.label : item.label.label;
    const position = rank.get(label);
    const sortText = position === undefined ? `1${item.sortText ?? label}` : `0${String(position).padStart(width, '0')}`;
    return { ...item, sortText };
  });
}

/** The engine's words for a list at `offset`, best first (empty when it has none). */
export type EngineWords = (offset: number, signal: AbortSignal) => Promise<readonly string[]>;

/**
 * How long a list that is ready waits for the engine's words before it shows in the service's
 * order: the list must never feel slower for the ranking.
 */
const ENGINE_WAIT_MS = 150;

const engines = new WeakMap<object, EngineWords>();

/** Ranks the completion lists of this editor model with the engine's words while bound. */
export function rankCompletionsWith(model: object, words: EngineWords): Disposable {
  engines.set(model, words);
  return toDisposable(() => {
    if (engines.get(model) === words) engines.delete(model);
  });
}

export interface EngineRanking extends Disposable {
  /** The service's items ranked with the engine's words, or as they are if none came in time. */
  rank<T extends RankableItem>(items: readonly T[]): Promise<T[]>;
}

/**
 * Asks the model's engine (if bound) for its words at `offset` right away, in parallel with the
 * language service; dispose when the list is done, which cancels a request still running.
 */
export function startEngineRanking(model: object, offset: number): EngineRanking {
  const engine = engines.get(model);
  const controller = new AbortController();
  const words = engine ? engine(offset, controller.signal).catch((): readonly string[] => []) : null;
  return {
    async rank(items) {
      if (!words || items.length === 0) return [...items];
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<readonly string[]>((resolve) => {
        timer = setTimeout(() => resolve([]), ENGINE_WAIT_MS);
      });
      try {
        return rankByEngine(items, await Promise.race([words, late]));
      } finally {
        clearTimeout(timer);
      }
    },
    dispose: () => controller.abort(),
  };
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const WORD_CHAR = /[\w$]/;

/**
 * The shortest rest worth a ghost text, as the engine's own `minInsert`
 * (server/src/autocomplete/tuning.ts): one character is quicker typed than accepted.
 */
export const MIN_GUESS_LENGTH = 2;

/** The member name being typed at `offset` (after `.` or `?.`, at least one character), else null. */
export function memberPrefixAt(code: string, offset: number): string | null {
  let start = offset;
  while (start > 0 && WORD_CHAR.test(code[start - 1] as string)) start--;
  if (start === offset || code[start - 1] !== '.' || /\d/.test(code[start] as string)) return null;
  return code.slice(start, offset);
}

/** The rest of the only member name that starts with `prefix`, or null when there are none or several. */
export function uniqueMemberGuess(members: readonly string[], prefix: string): string | null {
  let found: string | null = null;
  for (const name of members) {
    if (!IDENTIFIER.test(name) || !name.startsWith(prefix) || name.length === prefix.length) continue;
    if (found !== null && found !== name) return null;
    found = name;
  }
  const rest = found?.slice(prefix.length) ?? '';
  return rest.length >= MIN_GUESS_LENGTH ? rest : null;
}

/**
 * The members a language service knows for the receiver before `offset`, or null when it does
 * not know the receiver's type (its list is then the scope's, or a guess).
 */
export type MemberNames = (model: object, offset: number) => Promise<readonly string[] | null>;

const memberSources = new Map<string, MemberNames>();

/** Lets the ghost text ask this language's service for members (see memberGuess). */
export function provideMemberNames(language: string, source: MemberNames): Disposable {
  memberSources.set(language, source);
  return toDisposable(() => {
    if (memberSources.get(language) === source) memberSources.delete(language);
  });
}

/**
 * A ghost text from the language service where the engine has none: the rest of the only
 * member of the receiver's type that starts with the word being typed after `.` (the rule
 * `add`, which raised keystrokes saved in JavaScript, TypeScript and Python). Null elsewhere,
 * in languages without a service, and when the service does not know the receiver's type.
 */
export async function memberGuess(model: { getLanguageId(): string }, code: string, offset: number): Promise<string | null> {
  const source = memberSources.get(model.getLanguageId());
  if (!source) return null;
  const prefix = memberPrefixAt(code, offset);
  if (prefix === null) return null;
  const members = await source(model, offset);
  return members ? uniqueMemberGuess(members, prefix) : null;
}
