/**
 * Run: code runs in the browser of the person who pressed Run (never on the server), and each
 * run's output is written into the room's document so everyone sees the same console live and
 * it survives a reload.
 */

/** Languages a browser can run: JavaScript and TypeScript in a Web Worker, Python in Pyodide. */
export const RUNNABLE_LANGUAGES = ['javascript', 'typescript', 'python'] as const;
export type RunnableLanguage = (typeof RUNNABLE_LANGUAGES)[number];

export function isRunnable(language: unknown): language is RunnableLanguage {
  return typeof language === 'string' && (RUNNABLE_LANGUAGES as readonly string[]).includes(language);
}

/**
 * Shared Y.Array in every room's document holding the output console: one Y.Map per run (keys
 * below; `output` is a nested Y.Array of RunChunk so a running program's output streams in as
 * small appends). Only clients write it: the one who runs appends, and trims the oldest entries
 * past the caps in the same transaction.
 */
export const DOC_RUNS_KEY = 'runs';

/** Output one run keeps (UTF-8 bytes of all its chunks); past it a `sys` chunk says "output truncated". */
export const RUN_OUTPUT_MAX_BYTES = 64 * 1024;
/** Runs the console keeps; starting one more deletes the oldest. */
export const RUN_CONSOLE_MAX_RUNS = 50;
/**
 * Output the whole console keeps. Starting a run reserves RUN_OUTPUT_MAX_BYTES, deleting the
 * oldest runs until it fits, so the console never takes more than 1 MiB of a room's document
 * (whose default cap is 5 MiB).
 */
export const RUN_CONSOLE_MAX_BYTES = 1024 * 1024;

/** Wall-clock limit of one run: default, and the range a person may choose. */
export const RUN_LIMIT_DEFAULT_MS = 10_000;
export const RUN_LIMIT_MIN_MS = 1_000;
export const RUN_LIMIT_MAX_MS = 120_000;

/** `out` stdout, `err` stderr and uncaught errors, `sys` what pairpad says (truncation, input(), limits). */
export const RUN_STREAMS = ['out', 'err', 'sys'] as const;
export type RunStream = (typeof RUN_STREAMS)[number];

export interface RunChunk {
  s: RunStream;
  t: string;
}

/**
 * - `running`: started and not finished (a run whose runner left mid-way stays so; the console
 *   shows it as interrupted once it is older than its limit);
 * - `ok` / `error`: finished with exit code 0 / non-zero (an uncaught error);
 * - `timeout`: stopped by the wall-clock limit; `stopped`: stopped by the person who ran it.
 */
export const RUN_STATUSES = ['running', 'ok', 'error', 'timeout', 'stopped'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Keys of each run's Y.Map in DOC_RUNS_KEY. */
export const RUN_KEYS = {
  id: 'id',
  by: 'by',
  color: 'color',
  language: 'language',
  startedAt: 'startedAt',
  limitMs: 'limitMs',
  status: 'status',
  exitCode: 'exitCode',
  durationMs: 'durationMs',
  bytes: 'bytes',
  truncated: 'truncated',
  output: 'output',
} as const;

/** One run as read from the document. */
export interface RunEntry {
  /** Random, unique per run. */
  id: string;
  /** Display name and roster colour of who ran it. */
  by: string;
  color: string;
  language: RunnableLanguage;
  /** ISO time the run was started. */
  startedAt: string;
  limitMs: number;
  status: RunStatus;
  /** null while running or when stopped. */
  exitCode: number | null;
  /** Time the code ran (not counting loading Python); null while running. */
  durationMs: number | null;
  /** UTF-8 bytes of `output`, at most RUN_OUTPUT_MAX_BYTES plus the truncation notice. */
  bytes: number;
  truncated: boolean;
  output: RunChunk[];
}
