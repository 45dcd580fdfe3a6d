/**
 * "pairpad + TypeScript language service": what issue 18 asks of the editor, measured in the
 * harness. The ghost text stays pairpad's best guess; the language service's completion list
 * (one `typescript` LanguageService per file, run against the simulated document) only filters
 * or re-ranks pairpad's words where it knows something: a member list for a known type (after
 * `.`, or an object literal with a contextual type). Where it is silent or answers with the
 * scope's globals, pairpad answers alone. See docs/autocomplete.md, "Language-service candidates".
 *
 * The language service sees one file, as Monaco's TypeScript worker does for a room: imports are
 * not resolved (`noResolve`), so imported names are `any`; the default lib the package ships is
 * loaded (or none with `noLib`). JavaScript files get `allowJs`, `checkJs: false`.
 * `LS_DEBUG=1` prints each vetoed ghost text that was right, to stderr.
 */
import { performance } from 'node:perf_hooks';
import ts from 'typescript';
import type { Language } from '@pairpad/shared';
import { suggestDetailed } from '../../server/src/autocomplete/suggest.js';
import { DEFAULT_TUNING, type SuggestTuning } from '../../server/src/autocomplete/tuning.js';
import type { CorpusFile } from './corpus.js';
import type { Engine, FilePredictor, Prediction } from './simulate.js';

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
  /** Queries where the service returned a usable member list, per language (distinct cursors). */
  memberLists: Record<string, number>;
  /** Distinct cursors asked, per language. */
  asked: Record<string, number>;
  /** Per engine name, then language. */
  effects: Record<string, Record<string, RuleEffect>>;
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
  return { lsMs: {}, memberLists: {}, asked: {}, effects: {} };
}

/**
 * The language-service engines, one per rule, sharing one service (and its answers) per file.
 * run.ts simulates a file with every engine before the next file, so the previous file's
 * service is disposed when the next file arrives.
 */
export function lsEngines(rules: LsRule[], stats: LsStats, opts: { noLib?: boolean; tuning?: SuggestTuning; everywhere?: boolean } = {}): Engine[] {
  let current: FileService | undefined;
  const serviceFor = (file: CorpusFile): FileService => {
    if (current?.file !== file) {
      current?.dispose();
      current = new FileService(file, stats, opts.noLib ?? false);
    }
    return current;
  };
  const tuning = opts.tuning ?? DEFAULT_TUNING;
  return rules.map((rule) => {
    const name = `pairpad + TS LS (${rule}${opts.noLib ? ', noLib' : ''}${opts.everywhere ? ', asked everywhere' : ''})`;
    return {
      name,
      forFile(file: CorpusFile): FilePredictor {
        const language = file.language as Language;
        const service = file.language === 'python' ? undefined : serviceFor(file);
        const effect = ((stats.effects[name] ??= {})[file.language] ??= { vetoed: 0, vetoedCorrect: 0, replaced: 0, replacedCorrect: 0, added: 0, addedCorrect: 0 });
        // The simulated document is the file up to the cursor, so the file says whether an offer is right.
        const right = (s: string, cursor: number): number => (file.text.startsWith(s, cursor) ? 1 : 0);
        return {
          predict(doc, cursor): Prediction {
            const base = suggestDetailed(doc, cursor, language, tuning).result;
            const words = base.suggestions.filter((s) => s.kind !== 'line' && s.kind !== 'snippet').map((s) => s.label);
            const pairpadTop = words[0];
            if (!service) return { suggestion: base.suggestion, top: pairpadTop };
            let ws = cursor;
            while (ws > 0 && /[\w$]/.test(doc[ws - 1] as string)) ws--;
            const prefix = doc.slice(ws, cursor);
            if (prefix === '' || /^\d/.test(prefix)) return { suggestion: base.suggestion, top: pairpadTop };
            // Only a member list changes the answer, so the simulation asks only after `.` / `?.`
            // (an object literal's contextual members are left out); `everywhere` asks at every
            // identifier, as an editor's completion list would, to measure latency.
            if (!opts.everywhere && doc[ws - 1] !== '.') return { suggestion: base.suggestion, top: pairpadTop };
            const { members } = service.at(doc, cursor);
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
}
