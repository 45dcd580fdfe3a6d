import type { RunChunk, RunnableLanguage } from '@pairpad/shared';

/** Messages between the page (runner.ts) and a run's worker (sandbox-js.ts, sandbox-python.ts). */

export interface RunRequest {
  type: 'run';
  language: RunnableLanguage;
  code: string;
  /** Output the worker passes on before it stops collecting (the page caps again when writing). */
  maxBytes: number;
}

export type SandboxMessage =
  /** Loading Python: a step and its bytes so far. */
  | { type: 'progress'; label: string; loaded: number; total: number | null }
  /** The code starts now (the limit counts from here); `loadMs` when Python had to load first. */
  | { type: 'started'; loadMs?: number }
  /** Output since the last message, at most every ~100 ms. */
  | { type: 'output'; chunks: RunChunk[] }
  /** The program finished: 0, or 1 after an uncaught error. */
  | { type: 'exit'; code: number }
  /** The worker could not run anything (a runtime that failed to load). */
  | { type: 'failed'; message: string };

/** How often a worker passes output on while the program runs. */
export const SANDBOX_FLUSH_MS = 100;

/** What a run says when the program asks for input: there is nobody to type it. */
export const NO_INPUT_JS = 'prompt() has nobody to answer during a run: it returns null (alert() and confirm() do not wait either).\n';
export const NO_INPUT_PY = 'input() has nobody to answer during a run: it reads end of file (EOFError). Put the input in the code instead.\n';
