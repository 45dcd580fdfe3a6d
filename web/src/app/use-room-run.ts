import { useCallback, useEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import * as Y from 'yjs';
import { isRunnable, type Language, type RunEntry } from '@pairpad/shared';
import { useAppDispatch, useAppSelector } from './hooks';
import { useLatest } from '../lib/use-latest';
import type { RoomSession } from '../features/editor/room-session';
import { createRunLog, type RunResult, type RunWriter } from '../features/run/run-log';
import { limitChanged, runEnded, runProgressed, runRequested, runReset, runStarted, type RunState } from '../features/run/run-slice';
import { clampLimitMs, loadRunLimitMs, saveRunLimitMs } from '../features/run/storage';
import { bindRunShortcut } from '../features/run/run-shortcut';
import type { RunHandle } from '../features/run/runner';

export interface RoomRunOptions {
  session: RoomSession | null;
  /** An editor (viewers see the console but never run). */
  canRun: boolean;
  language: Language;
  name: string;
  color: string;
}

export interface RoomRun {
  run: RunState;
  entries: readonly RunEntry[];
  /** Simple-sync mode has no shared document: the console is this page's own. */
  localOnly: boolean;
  start(): void;
  stop(): void;
  clear(): void;
  setLimit(ms: number): void;
}

/** This page's run in progress: the console entry it writes and the runner's handle once loaded. */
interface ActiveRun {
  runId: string;
  writer: RunWriter;
  handle: RunHandle | null;
  over: boolean;
}

function newRunId(): string {
  const bytes = new Uint8Array(9);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const NO_CODE = (): string => '';

/**
 * Run for the room page: the console on the session's Y.Doc (a page-local one in simple
 * sync), the Run/Stop actions, Ctrl/Cmd+Enter, and the limit remembered in this browser. The
 * runner and its workers are imported on the first Run only.
 */
export function useRoomRun({ session, canRun, language, name, color }: RoomRunOptions): RoomRun {
  const dispatch = useAppDispatch();
  const run = useAppSelector((s) => s.run);

  const shared = useMemo(() => session?.bindText<Y.Doc | null>({ crdt: (text) => text.doc, buffer: () => null }) ?? null, [session]);
  const readCode = useMemo(
    () => session?.bindText<() => string>({ crdt: (text) => () => text.text.toString(), buffer: (buffer) => () => buffer.latestCode ?? '' }) ?? NO_CODE,
    [session],
  );
  const localDoc = useMemo(() => new Y.Doc(), []);
  const doc = shared ?? localDoc;
  const log = useMemo(() => createRunLog(doc), [doc]);
  const entries = useSyncExternalStore(log.subscribe, log.entries);

  useEffect(() => {
    dispatch(limitChanged(loadRunLimitMs()));
  }, [dispatch]);

  const active = useRef<ActiveRun | null>(null);

  const finish = useCallback(
    (current: ActiveRun, result: RunResult, error?: string) => {
      if (current.over) return;
      current.over = true;
      current.writer.finish(result);
      if (active.current === current) active.current = null;
      dispatch(runEnded(error === undefined ? { runId: current.runId } : { runId: current.runId, error }));
    },
    [dispatch],
  );

  const stop = useCallback(() => {
    const current = active.current;
    if (!current) return;
    if (current.handle) current.handle.stop();
    else finish(current, { status: 'stopped', exitCode: null, durationMs: null, note: 'Stopped before the code started.\n' });
  }, [finish]);

  // Leaving the room (or a new session) stops what this page runs; its entry says so.
  useEffect(
    () => () => {
      stop();
      dispatch(runReset());
    },
    [dispatch, log, stop],
  );

  // Closing the tab ends the run too, and tells the room (the socket is still open on pagehide).
  useEffect(() => {
    window.addEventListener('pagehide', stop);
    return () => window.removeEventListener('pagehide', stop);
  }, [stop]);

  const runnable = canRun && isRunnable(language);
  const start = useCallback(() => {
    if (!runnable || active.current || !isRunnable(language)) return;
    const runId = newRunId();
    const limitMs = run.limitMs;
    const current: ActiveRun = { runId, writer: log.start({ id: runId, by: name, color, language, limitMs }), handle: null, over: false };
    active.current = current;
    dispatch(runRequested({ runId }));
    const code = readCode();
    import('../features/run/runner').then(
      ({ startRun }) => {
        if (current.over) return;
        current.handle = startRun(
          { language, code, limitMs },
          {
            onProgress: (progress) => dispatch(runProgressed(progress)),
            onStarted: ({ pythonLoadMs }) => dispatch(runStarted(pythonLoadMs === undefined ? { runId } : { runId, pythonLoadMs })),
            onOutput: (chunks) => current.writer.append(chunks),
            onExit: (result) => finish(current, result),
          },
        );
      },
      (error: unknown) => {
        const message = `The runner could not be loaded (${error instanceof Error ? error.message : String(error)}).`;
        finish(current, { status: 'error', exitCode: null, durationMs: null, note: `${message}\n` }, message);
      },
    );
  }, [runnable, language, run.limitMs, log, name, color, readCode, dispatch, finish]);

  const startRef = useLatest(start);
  useEffect(() => {
    if (!runnable) return;
    const shortcut = bindRunShortcut(window, () => startRef.current());
    return () => shortcut.dispose();
  }, [runnable, startRef]);

  const setLimit = useCallback(
    (ms: number) => {
      const limit = clampLimitMs(ms);
      dispatch(limitChanged(limit));
      saveRunLimitMs(limit);
    },
    [dispatch],
  );

  const clear = useCallback(() => log.clear(), [log]);

  return { run, entries, localOnly: shared === null, start, stop, clear, setLimit };
}
