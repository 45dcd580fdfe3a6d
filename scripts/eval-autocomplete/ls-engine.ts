/**
 * "pairpad + language service": what issue 18 asks of the editor, measured in the harness
 * (the TypeScript LanguageService for JavaScript and TypeScript; basedpyright for Python, see
 * pyright-client.ts and PyMembers below). The ghost text stays pairpad's best guess; the language service's completion list
 * (one `typescript` LanguageService per file, run against the simulated document) only filters
 * or re-ranks pairpad's words where it knows something: a member list for a known type (after
 * `.`, or an object literal with a contextual type). Where it is silent or answers with the
 * scope's globals, pairpad answers alone. See docs/autocomplete.md, "Language-service candidates".
 *
 * The language service sees one file, as Monaco's TypeScript worker does for a room: imports are
 * not resolved (`noResolve`), so imported names are `any`; the default lib the package ships is
 * loaded (or none with `noLib`). JavaScript files get `allowJs`, `checkJs: false`.
 * `LS_DEBUG=1` prints each vetoed ghost text that was right, to stderr.
 *
 * The `ranking` engine measures the completion list itself: the service's members, in the
 * service's order or ranked with pairpad's words as the editor ranks them
 * (web/src/features/editor/language/completion-ranking.ts, `rankByEngine`).
 */
import { performance } from 'node:perf_hooks';
import ts from 'typescript';
import type { Language } from '@pairpad/shared';
import { suggestDetailed } from '../../server/src/autocomplete/suggest.js';
import { DEFAULT_TUNING, type SuggestTuning } from '../../server/src/autocomplete/tuning.js';
import { LANGUAGE_SPECS } from '../../server/src/autocomplete/languages.js';
import { IDENT, lex } from '../../server/src/autocomplete/lexer.js';
import { fnv1a, type CorpusFile, type EvalLanguage } from './corpus.js';
import { LSP_KIND_KEYWORD, LSP_KIND_SNIPPET, PyrightClient, type LspCompletionItem } from './pyright-client.js';
import { editorDocument, regionOf, type Engine, type FilePredictor, type Prediction } from './simulate.js';

/** An engine whose row is named after the language service that answers for the language. */
export interface LanguageNamedEngine extends Engine {
  nameFor(language: EvalLanguage): string;
}

export function rowName(engine: Engine, language: EvalLanguage): string {
  return 'nameFor' in engine ? (engine as LanguageNamedEngine).nameFor(language) : engine.name;
}

/**
 * How pairpad's answer and the language service's member list are combined (only where the
 * service returns a non-empty member list; elsewhere pairpad alone):
 * - `veto`: pairpad's ghost word must be a member (or a stem of one), else silence.
 * - `prefer`: as `veto`, but a vetoed ghost is replaced by pairpad's highest-ranked listed word
 *   that is a member (only when pairpad had offered something).
 * - `unique`: as `veto`, and when the ghost is empty, a member that is the only one starting with
 *   the typed text is offered.
 * - `add`: no veto; only the addition of `unique` (chosen after the dev split showed that the
 *   veto costs JavaScript savings).
 * The menu's first entry (top-1) is, for all three, pairpad's highest-ranked word that is a
 * member, else the service's first member with the typed prefix.
 */
export type LsRule = 'veto' | 'prefer' | 'unique' | 'add';
export const LS_RULES: LsRule[] = ['veto', 'prefer', 'unique', 'add'];

/** What a rule changed, per language: ghost texts vetoed, replaced or added, and how many of those the file continues with. */
export interface RuleEffect {
  vetoed: number;
  vetoedCorrect: number;
  replaced: number;
  replacedCorrect: number;
  added: number;
  addedCorrect: number;
}

export interface LsStats {
  /** Time of each distinct getCompletionsAtPosition call (ms), per language. */
  lsMs: Record<string, number[]>;
  /** Queries where the service returned a usable member list, per language (distinct cursors; Python: distinct word starts). */
  memberLists: Record<string, number>;
  /** Distinct cursors asked, per language. */
  asked: Record<string, number>;
  /** Per engine name, then language. */
  effects: Record<string, Record<string, RuleEffect>>;
  /** The completion list's ranking, per language (the `ranking` engine of createLsHarness). */
  ranking: Record<string, RankTally>;
  /** Python words after `.` left unasked by the per-file cap (`--ls-py-max-words`). */
  capped: Record<string, number>;
  /** Python words whose list at the word's start was the scope's, asked again after the first character (PyMembers). */
  pyRetried?: number;
  /** The basedpyright version that answered (Python only). */
  pyrightVersion?: string;
}

/**
 * The completion list's ranking at each query (the first two keystrokes of a word after `.`,
 * while the word is not fully typed) where the service gave a member list that holds the word
 * the file continues with. Hits = that word first (top-1) or among the first three (top-3) of
 * the list filtered by the typed prefix: in the service's order; ranked with pairpad asked at
 * the word's start (when `.` opens the list); ranked with pairpad asked at the cursor.
 */
export interface RankTally {
  queries: number;
  service1: number;
  service3: number;
  open1: number;
  open3: number;
  typing1: number;
  typing3: number;
  /** Queries where pairpad, asked at the word's start, listed at least one member (so the ranking moved something). */
  openRanked: number;
}

export function newRankTally(): RankTally {
  return { queries: 0, service1: 0, service3: 0, open1: 0, open3: 0, typing1: 0, typing3: 0, openRanked: 0 };
}

const IDENT_RE = /^[A-Za-z_$][\w$]*$/;
const registry = ts.createDocumentRegistry();
const libSnapshots = new Map<string, ts.IScriptSnapshot | undefined>();

/** A snapshot that tells the service what changed since the previous one, so it reparses incrementally (as Monaco's worker does). */
class Snapshot implements ts.IScriptSnapshot {
  constructor(readonly text: string) {}
  getText(start: number, end: number): string {
    return this.text.substring(start, end);
  }
  getLength(): number {
    return this.text.length;
  }
  getChangeRange(old: ts.IScriptSnapshot): ts.TextChangeRange | undefined {
    if (!(old instanceof Snapshot)) return undefined;
    const a = old.text;
    const b = this.text;
    const max = Math.min(a.length, b.length);
    let p = 0;
    while (p < max && a.charCodeAt(p) === b.charCodeAt(p)) p++;
    let s = 0;
    while (s < max - p && a.charCodeAt(a.length - 1 - s) === b.charCodeAt(b.length - 1 - s)) s++;
    return ts.createTextChangeRange(ts.createTextSpan(p, a.length - p - s), b.length - p - s);
  }
}

function libSnapshot(path: string): ts.IScriptSnapshot | undefined {
  if (!libSnapshots.has(path)) {
    const text = ts.sys.readFile(path);
    libSnapshots.set(path, text === undefined ? undefined : ts.ScriptSnapshot.fromString(text));
  }
  return libSnapshots.get(path);
}

interface LsAnswer {
  /** Member names (identifiers only), in the service's order (sortText, then name); undefined = no usable member list. */
  members: string[] | undefined;
}

/** One language service for the file being simulated; answers are cached by cursor (the simulated document depends on the cursor alone). */
class FileService {
  private snap = new Snapshot('');
  private version = 0;
  private readonly ls: ts.LanguageService;
  private readonly name: string;
  readonly cache = new Map<number, LsAnswer>();

  constructor(
    readonly file: CorpusFile,
    private readonly stats: LsStats,
    noLib: boolean,
  ) {
    const ext = /\.[cm]?[jt]sx?$/.exec(file.path)?.[0] ?? (file.language === 'typescript' ? '.ts' : '.js');
    this.name = `/room/file${ext}`;
    const options: ts.CompilerOptions = {
      allowJs: true,
      checkJs: false,
      noResolve: true,
      noLib,
      strict: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      jsx: ts.JsxEmit.ReactJSX,
      skipLibCheck: true,
      types: [],
    };
    const host: ts.LanguageServiceHost = {
      getCompilationSettings: () => options,
      getScriptFileNames: () => [this.name],
      getScriptVersion: (f) => (f === this.name ? String(this.version) : '1'),
      getScriptSnapshot: (f) => (f === this.name ? this.snap : libSnapshot(f)),
      getCurrentDirectory: () => '/room',
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists: (f) => f === this.name || libSnapshot(f) !== undefined,
      readFile: (f) => (f === this.name ? this.snap.text : ts.sys.readFile(f)),
    };
    this.ls = ts.createLanguageService(host, registry);
  }

  at(doc: string, cursor: number): LsAnswer {
    const hit = this.cache.get(cursor);
    if (hit) return hit;
    const lang = this.file.language;
    if (doc !== this.snap.text) {
      this.snap = new Snapshot(doc);
      this.version++;
    }
    const t0 = performance.now();
    const info = this.ls.getCompletionsAtPosition(this.name, cursor, {
      includeCompletionsForModuleExports: false,
      includeCompletionsWithInsertText: true,
    });
    (this.stats.lsMs[lang] ??= []).push(performance.now() - t0);
    this.stats.asked[lang] = (this.stats.asked[lang] ?? 0) + 1;
    let members: string[] | undefined;
    if (info?.isMemberCompletion) {
      // In a JavaScript file, a receiver of unknown type gets the file's identifiers as
      // `warning` entries: that is a guess, not knowledge of the type.
      const known = info.entries.filter((e) => e.kind !== ts.ScriptElementKind.warning && IDENT_RE.test(e.name));
      if (known.length > 0) {
        known.sort((a, b) => (a.sortText < b.sortText ? -1 : a.sortText > b.sortText ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        members = known.map((e) => e.name);
        this.stats.memberLists[lang] = (this.stats.memberLists[lang] ?? 0) + 1;
      }
    }
    const answer = { members };
    this.cache.set(cursor, answer);
    return answer;
  }

  dispose(): void {
    this.ls.dispose();
  }
}

export function newLsStats(): LsStats {
  return { lsMs: {}, memberLists: {}, asked: {}, effects: {}, ranking: {}, capped: {} };
}

/** What the engines need from a language service: the member list where the word at `wordStart` is typed. */
interface MemberSource {
  membersAt(doc: string, cursor: number, wordStart: number): string[] | undefined;
}

class TsMembers implements MemberSource {
  constructor(private readonly service: FileService) {}
  membersAt(doc: string, cursor: number): string[] | undefined {
    return this.service.at(doc, cursor).members;
  }
  dispose(): void {
    this.service.dispose();
  }
}

const PY_IDENT_RE = /^[A-Za-z_]\w*$/;
const isKeyword = (i: LspCompletionItem): boolean => i.kind === LSP_KIND_KEYWORD;

/**
 * basedpyright's member lists for one Python file, asked before the file is simulated: at the
 * start of every word in the typed region that follows `.`, with the document the user has
 * there (the file up to the word's start + the file after the line, as simulate.ts builds it),
 * as when typing `.` opens the editor's list. The editor then filters that list as the word is
 * typed, so the answer at the word's start serves every keystroke of the word (the receiver, and
 * so the list, does not change while the member's name is typed).
 */
class PyMembers implements MemberSource {
  readonly byWordStart = new Map<number, string[] | undefined>();
  constructor(readonly file: CorpusFile) {}
  membersAt(_doc: string, _cursor: number, wordStart: number): string[] | undefined {
    if (!this.byWordStart.has(wordStart)) throw new Error(`basedpyright was not asked at ${this.file.id}:${wordStart}`);
    return this.byWordStart.get(wordStart);
  }
  static async ask(file: CorpusFile, client: PyrightClient, stats: LsStats, maxWords: number): Promise<PyMembers> {
    const out = new PyMembers(file);
    const { text } = file;
    const { start, end } = regionOf(file, fnv1a(`region:${file.id}`));
    const toks = lex(text, 0, text.length, LANGUAGE_SPECS.python, -1);
    client.open(`${file.id.replace(/[^\w.-]/g, '_')}.py`, editorDocument(text, start));
    let asked = 0;
    for (let t = 0; t < toks.kinds.length; t++) {
      if (toks.kinds[t] !== IDENT) continue;
      const ws = toks.starts[t] as number;
      if (ws < start) continue;
      if (ws >= end) break;
      if (text[ws - 1] !== '.' || /^\d/.test(text[ws] as string)) continue;
      if (asked++ >= maxWords) {
        out.byWordStart.set(ws, undefined);
        stats.capped.python = (stats.capped.python ?? 0) + 1;
        continue;
      }
      const complete = async (cursor: number): Promise<LspCompletionItem[]> => {
        const t0 = performance.now();
        const items = await client.completeAt(editorDocument(text, cursor), cursor);
        (stats.lsMs.python ??= []).push(performance.now() - t0);
        stats.asked.python = (stats.asked.python ?? 0) + 1;
        return items;
      };
      // A list with keywords is the scope's, not a member list. The simulated document drops the
      // rest of the line, so inside an open bracket the next line's first word continues the
      // expression (`f(io.` + `\n    x` parses as `io.x`), and basedpyright answers with the
      // scope at the word's start; with the word's first character typed the member access is
      // whole and it answers with the members that match that character. Every use of the list
      // filters it by the typed prefix, so that list serves the whole word.
      let items = await complete(ws);
      if (items.some(isKeyword)) {
        stats.pyRetried = (stats.pyRetried ?? 0) + 1;
        items = await complete(ws + 1);
      }
      const known = items.some(isKeyword) ? [] : items.filter((i) => i.kind !== LSP_KIND_SNIPPET && PY_IDENT_RE.test(i.label));
      let members: string[] | undefined;
      if (known.length > 0) {
        const key = (i: LspCompletionItem): string => i.sortText ?? i.label;
        known.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
        members = [...new Set(known.map((i) => i.label))];
        stats.memberLists.python = (stats.memberLists.python ?? 0) + 1;
      }
      out.byWordStart.set(ws, members);
    }
    client.close();
    return out;
  }
  dispose(): void {}
}

/** The list after ranking with pairpad's words (members pairpad lists first, in its order; then the rest in the service's order), filtered by the typed prefix. */
function rankedList(members: string[], words: string[], prefix: string): string[] {
  const memberSet = new Set(members);
  const first = [...new Set(words.filter((w) => memberSet.has(w)))];
  const firstSet = new Set(first);
  return [...first, ...members.filter((m) => !firstSet.has(m))].filter((m) => m.startsWith(prefix));
}

function engineWords(doc: string, cursor: number, language: Language, tuning: SuggestTuning): string[] {
  return suggestDetailed(doc, cursor, language, tuning)
    .result.suggestions.filter((s) => s.kind !== 'line' && s.kind !== 'snippet')
    .map((s) => s.label);
}

export interface LsHarness {
  /** The language-service engines, one per rule. */
  engines: Engine[];
  /** Measures the completion list's ranking (LsStats.ranking); never offers anything. Simulate it after the engines, per file. */
  ranking: Engine;
  /** Call before simulating `file` with any of the engines (asks basedpyright for a Python file). */
  prepare(file: CorpusFile): Promise<void>;
  close(): Promise<void>;
}

/**
 * The language-service engines, one per rule, sharing one service (and its answers) per file:
 * the TypeScript LanguageService for JavaScript and TypeScript, basedpyright for Python (unless
 * `noPython`). run.ts simulates a file with every engine before the next file, so the previous
 * file's service is disposed when the next file arrives.
 */
export function createLsHarness(
  rules: LsRule[],
  stats: LsStats,
  opts: { noLib?: boolean; tuning?: SuggestTuning; everywhere?: boolean; pyMaxWords?: number } = {},
): LsHarness {
  let current: (TsMembers | PyMembers) | undefined;
  let currentFile: CorpusFile | undefined;
  let client: PyrightClient | undefined;
  const prepare = async (file: CorpusFile): Promise<void> => {
    if (currentFile === file) return;
    current?.dispose();
    current = undefined;
    currentFile = file;
    if (file.language === 'python') {
      client ??= await PyrightClient.start();
      stats.pyrightVersion = client.serverVersion;
      current = await PyMembers.ask(file, client, stats, opts.pyMaxWords ?? Infinity);
    } else current = new TsMembers(new FileService(file, stats, opts.noLib ?? false));
  };
  const sourceFor = (file: CorpusFile): MemberSource => {
    if (currentFile !== file || !current) {
      if (file.language === 'python') throw new Error('createLsHarness: prepare() a Python file first');
      current?.dispose();
      currentFile = file;
      current = new TsMembers(new FileService(file, stats, opts.noLib ?? false));
    }
    return current;
  };
  const tuning = opts.tuning ?? DEFAULT_TUNING;
  /** The prefix typed of a member name at the cursor and where its word starts, or undefined where no list is asked for. */
  const memberPrefix = (doc: string, cursor: number): { ws: number; prefix: string } | undefined => {
    let ws = cursor;
    while (ws > 0 && /[\w$]/.test(doc[ws - 1] as string)) ws--;
    const prefix = doc.slice(ws, cursor);
    if (prefix === '' || /^\d/.test(prefix)) return undefined;
    // Only a member list changes the answer, so the simulation asks only after `.` / `?.`
    // (an object literal's contextual members are left out); `everywhere` asks at every
    // identifier, as an editor's completion list would, to measure latency.
    if (!opts.everywhere && doc[ws - 1] !== '.') return undefined;
    return { ws, prefix };
  };
  const engines = rules.map((rule): LanguageNamedEngine => {
    const name = `pairpad + TS LS (${rule}${opts.noLib ? ', noLib' : ''}${opts.everywhere ? ', asked everywhere' : ''})`;
    const pyName = `pairpad + basedpyright (${rule})`;
    return {
      name,
      nameFor: (language) => (language === 'python' ? pyName : name),
      forFile(file: CorpusFile): FilePredictor {
        const language = file.language as Language;
        const effectName = language === 'python' ? pyName : name;
        const effect = ((stats.effects[effectName] ??= {})[file.language] ??= { vetoed: 0, vetoedCorrect: 0, replaced: 0, replacedCorrect: 0, added: 0, addedCorrect: 0 });
        // The simulated document is the file up to the cursor, so the file says whether an offer is right.
        const right = (s: string, cursor: number): number => (file.text.startsWith(s, cursor) ? 1 : 0);
        return {
          predict(doc, cursor): Prediction {
            const base = suggestDetailed(doc, cursor, language, tuning).result;
            const words = base.suggestions.filter((s) => s.kind !== 'line' && s.kind !== 'snippet').map((s) => s.label);
            const pairpadTop = words[0];
            const at = memberPrefix(doc, cursor);
            if (!at) return { suggestion: base.suggestion, top: pairpadTop };
            const { ws, prefix } = at;
            const members = sourceFor(file).membersAt(doc, cursor, ws);
            if (!members) return { suggestion: base.suggestion, top: pairpadTop };
            const memberSet = new Set(members);
            const fitting = members.filter((m) => m.startsWith(prefix) && m.length > prefix.length);
            const listedMember = words.find((w) => memberSet.has(w) && w.length > prefix.length);
            const top = listedMember ?? fitting[0];
            let suggestion = base.suggestion;
            if (suggestion !== '') {
              const word = prefix + (/^[\w$]*/.exec(suggestion)?.[0] ?? '');
              const isWordOnly = word.length === prefix.length + suggestion.length;
              // A member, or (a stem offered alone) the start of one.
              const consistent = memberSet.has(word) || (isWordOnly && fitting.some((m) => m.startsWith(word)));
              if (!consistent && rule !== 'add') {
                effect.vetoed++;
                effect.vetoedCorrect += right(suggestion, cursor);
                if (process.env.LS_DEBUG && right(suggestion, cursor)) {
                  console.error(`vetoed right: ${file.id} ${JSON.stringify(doc.slice(cursor - 40, cursor))} + ${suggestion} | members ${fitting.slice(0, 5).join(' ')} / ${members.length}`);
                }
                suggestion = '';
                if (rule === 'prefer' && listedMember !== undefined) {
                  suggestion = listedMember.slice(prefix.length);
                  effect.replaced++;
                  effect.replacedCorrect += right(suggestion, cursor);
                }
              }
            }
            if ((rule === 'unique' || rule === 'add') && suggestion === '' && fitting.length === 1) {
              const rest = (fitting[0] as string).slice(prefix.length);
              if (rest.length >= tuning.minInsert) {
                suggestion = rest;
                effect.added++;
                effect.addedCorrect += right(suggestion, cursor);
              }
            }
            return { suggestion, top };
          },
        };
      },
    };
  });
  const ranking: Engine = {
    name: 'list ranking',
    forFile(file: CorpusFile): FilePredictor {
      const language = file.language as Language;
      const tally = (stats.ranking[file.language] ??= newRankTally());
      // pairpad asked at a word's start, as when `.` opens the list: the document a user has there.
      const atOpen = new Map<number, string[]>();
      return {
        predict(doc, cursor): Prediction {
          const none = { suggestion: '', top: undefined };
          const at = memberPrefix(doc, cursor);
          if (!at) return none;
          const { ws, prefix } = at;
          const members = sourceFor(file).membersAt(doc, cursor, ws);
          if (!members) return none;
          const word = /^[\w$]*/.exec(file.text.slice(ws))?.[0] ?? '';
          // Top-1 as the main table counts it: only while the word is not fully typed.
          if (word.length <= prefix.length || !members.includes(word)) return none;
          tally.queries++;
          const score = (list: string[], hit1: 'service1' | 'open1' | 'typing1', hit3: 'service3' | 'open3' | 'typing3'): void => {
            const i = list.indexOf(word);
            if (i === 0) tally[hit1]++;
            if (i >= 0 && i < 3) tally[hit3]++;
          };
          score(
            members.filter((m) => m.startsWith(prefix)),
            'service1',
            'service3',
          );
          let open = atOpen.get(ws);
          if (!open) {
            open = engineWords(editorDocument(file.text, ws), ws, language, tuning);
            atOpen.set(ws, open);
          }
          if (open.some((w) => members.includes(w))) tally.openRanked++;
          score(rankedList(members, open, prefix), 'open1', 'open3');
          score(rankedList(members, engineWords(doc, cursor, language, tuning), prefix), 'typing1', 'typing3');
          return none;
        },
      };
    },
  };
  return {
    engines,
    ranking,
    prepare,
    async close() {
      current?.dispose();
      current = undefined;
      currentFile = undefined;
      await client?.dispose();
      client = undefined;
    },
  };
}

/** The TypeScript-service engines alone (the large-file latency run). */
export function lsEngines(rules: LsRule[], stats: LsStats, opts: { noLib?: boolean; tuning?: SuggestTuning; everywhere?: boolean } = {}): Engine[] {
  return createLsHarness(rules, stats, opts).engines;
}
