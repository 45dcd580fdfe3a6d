import * as Y from 'yjs';
import {
  DOC_RUNS_KEY,
  RUN_KEYS,
  RUN_STATUSES,
  RUN_STREAMS,
  isRunnable,
  type RunChunk,
  type RunEntry,
  type RunStatus,
  type RunnableLanguage,
} from '@pairpad/shared';
import { capOutput, runsToTrim } from './output-cap';

/** How often a running program's output is written into the document (one transaction each). */
export const RUN_FLUSH_MS = 100;
/** Transaction origin of console writes (never an editor binding's, so undo ignores them). */
export const RUN_ORIGIN = 'run';

export interface RunStart {
  id: string;
  by: string;
  color: string;
  language: RunnableLanguage;
  limitMs: number;
  startedAt?: string;
}

export interface RunResult {
  status: Exclude<RunStatus, 'running'>;
  exitCode: number | null;
  durationMs: number | null;
  /** A last `sys` line (why it stopped), written even past the output cap. */
  note?: string;
}

/** Appends one run's output to its entry, RUN_FLUSH_MS at a time, capped; `finish` writes the rest and the result. */
export interface RunWriter {
  readonly id: string;
  append(chunks: readonly RunChunk[]): void;
  finish(result: RunResult): void;
}

/**
 * The room's output console on its Y.Doc (DOC_RUNS_KEY): reads entries (validated: any client
 * may write the array), starts runs (trimming the oldest past the caps in the same
 * transaction) and clears. Not Redux state: the page subscribes with `subscribe`/`entries`.
 */
export interface RunLog {
  entries(): readonly RunEntry[];
  subscribe(listener: () => void): () => void;
  start(run: RunStart): RunWriter;
  /** Deletes every finished run (a run still going keeps its entry). */
  clear(): void;
  destroy(): void;
}

type RunMap = Y.Map<unknown>;

export function createRunLog(doc: Y.Doc, options: { flushMs?: number; now?: () => number } = {}): RunLog {
  const flushMs = options.flushMs ?? RUN_FLUSH_MS;
  const now = options.now ?? Date.now;
  const runs = doc.getArray<RunMap>(DOC_RUNS_KEY);
  const listeners = new Set<() => void>();
  // Each map's entry is re-read only when something inside it changed.
  const cache = new WeakMap<RunMap, RunEntry | null>();
  let snapshot: readonly RunEntry[] | null = null;
  const writers = new Set<{ flush(): void }>();

  const observer = (events: Y.YEvent<Y.AbstractType<unknown>>[]): void => {
    for (const event of events) {
      let target: Y.AbstractType<unknown> | null = event.target;
      // The changed map is the top-level entry or the parent of its output array.
      while (target && target.parent !== runs && target !== runs) target = target.parent as Y.AbstractType<unknown> | null;
      if (target && target !== runs && target instanceof Y.Map) cache.delete(target as RunMap);
    }
    snapshot = null;
    for (const listener of [...listeners]) listener();
  };
  runs.observeDeep(observer);

  const read = (map: RunMap): RunEntry | null => {
    if (cache.has(map)) return cache.get(map) ?? null;
    const entry = readRunEntry(map);
    cache.set(map, entry);
    return entry;
  };

  const entries = (): readonly RunEntry[] => {
    snapshot ??= runs.toArray().flatMap((map) => {
      const entry = map instanceof Y.Map ? read(map) : null;
      return entry ? [entry] : [];
    });
    return snapshot;
  };

  const start = (run: RunStart): RunWriter => {
    const map: RunMap = new Y.Map<unknown>();
    const output = new Y.Array<RunChunk>();
    doc.transact(() => {
      const sizes = runs.toArray().map((m) => (m instanceof Y.Map && typeof m.get(RUN_KEYS.bytes) === 'number' ? (m.get(RUN_KEYS.bytes) as number) : 0));
      const remove = runsToTrim(sizes);
      if (remove > 0) runs.delete(0, remove);
      map.set(RUN_KEYS.id, run.id);
      map.set(RUN_KEYS.by, run.by);
      map.set(RUN_KEYS.color, run.color);
      map.set(RUN_KEYS.language, run.language);
      map.set(RUN_KEYS.startedAt, run.startedAt ?? new Date(now()).toISOString());
      map.set(RUN_KEYS.limitMs, run.limitMs);
      map.set(RUN_KEYS.status, 'running');
      map.set(RUN_KEYS.exitCode, null);
      map.set(RUN_KEYS.durationMs, null);
      map.set(RUN_KEYS.bytes, 0);
      map.set(RUN_KEYS.truncated, false);
      map.set(RUN_KEYS.output, output);
      runs.push([map]);
    }, RUN_ORIGIN);

    let pending: RunChunk[] = [];
    let used = 0;
    let truncated = false;
    let finished = false;
    let timer: ReturnType<typeof setTimeout> | null = null;

    const flush = (): void => {
      if (timer) clearTimeout(timer);
      timer = null;
      if (pending.length === 0 || truncated) {
        pending = [];
        return;
      }
      const capped = capOutput(used, pending);
      pending = [];
      used += capped.bytes;
      truncated = capped.truncated;
      // Someone may have cleared the console (or trimmed this run) meanwhile: then there is nowhere to write.
      if (isGone(map) || capped.chunks.length === 0) return;
      doc.transact(() => {
        output.push(capped.chunks);
        map.set(RUN_KEYS.bytes, used);
        if (capped.truncated) map.set(RUN_KEYS.truncated, true);
      }, RUN_ORIGIN);
    };
    const handle = { flush };
    writers.add(handle);

    return {
      id: run.id,
      append(chunks) {
        if (finished || truncated) return;
        pending.push(...chunks);
        timer ??= setTimeout(flush, flushMs);
      },
      finish(result) {
        if (finished) return;
        finished = true;
        flush();
        writers.delete(handle);
        if (isGone(map)) return;
        doc.transact(() => {
          if (result.note) output.push([{ s: 'sys', t: result.note }]);
          map.set(RUN_KEYS.status, result.status);
          map.set(RUN_KEYS.exitCode, result.exitCode);
          map.set(RUN_KEYS.durationMs, result.durationMs);
        }, RUN_ORIGIN);
      },
    };
  };

  return {
    entries,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start,
    clear() {
      doc.transact(() => {
        // From the end, so the indexes before stay valid.
        const all = runs.toArray();
        for (let i = all.length - 1; i >= 0; i--) {
          const map = all[i];
          if (!(map instanceof Y.Map) || map.get(RUN_KEYS.status) !== 'running') runs.delete(i, 1);
        }
      }, RUN_ORIGIN);
    },
    destroy() {
      for (const writer of [...writers]) writer.flush();
      runs.unobserveDeep(observer);
      listeners.clear();
    },
  };
}

/** Deleted from the array (a clear, or trimmed by someone else's new run). */
const isGone = (map: RunMap): boolean => map.doc === null || map._item?.deleted === true;

const isStatus = (value: unknown): value is RunStatus => typeof value === 'string' && (RUN_STATUSES as readonly string[]).includes(value);
const isStream = (value: unknown): value is RunChunk['s'] => typeof value === 'string' && (RUN_STREAMS as readonly string[]).includes(value);
const numberOrNull = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** One entry of the array as a plain value, or null when it is not a well-formed run. */
export function readRunEntry(map: RunMap): RunEntry | null {
  const id = map.get(RUN_KEYS.id);
  const by = map.get(RUN_KEYS.by);
  const language = map.get(RUN_KEYS.language);
  const startedAt = map.get(RUN_KEYS.startedAt);
  const status = map.get(RUN_KEYS.status);
  const output = map.get(RUN_KEYS.output);
  if (typeof id !== 'string' || typeof by !== 'string' || !isRunnable(language) || typeof startedAt !== 'string' || !isStatus(status)) return null;
  const chunks: RunChunk[] = [];
  if (output instanceof Y.Array) {
    for (const chunk of output.toArray() as unknown[]) {
      if (typeof chunk === 'object' && chunk !== null) {
        const { s, t } = chunk as Record<string, unknown>;
        if (isStream(s) && typeof t === 'string') chunks.push({ s, t });
      }
    }
  }
  const color = map.get(RUN_KEYS.color);
  return {
    id,
    by,
    color: typeof color === 'string' ? color : '#888888',
    language,
    startedAt,
    limitMs: numberOrNull(map.get(RUN_KEYS.limitMs)) ?? 0,
    status,
    exitCode: numberOrNull(map.get(RUN_KEYS.exitCode)),
    durationMs: numberOrNull(map.get(RUN_KEYS.durationMs)),
    bytes: numberOrNull(map.get(RUN_KEYS.bytes)) ?? 0,
    truncated: map.get(RUN_KEYS.truncated) === true,
    output: chunks,
  };
}
