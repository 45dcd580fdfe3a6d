import { RUN_OUTPUT_MAX_BYTES, type RunChunk, type RunnableLanguage } from '@pairpad/shared';
import type { RunResult } from './run-log';
import type { RunProgress } from './run-slice';
import type { SandboxMessage } from './sandbox-protocol';

/**
 * Starts runs in workers and ends them: loaded by the page on the first Run only (it is what
 * pulls in the workers, sucrase and Pyodide). JavaScript and TypeScript get a new worker per
 * run; Python's worker is kept between runs while it behaves. The wall-clock limit counts from
 * the moment the code starts (not while Python loads); passing it, or Stop, terminates the
 * worker, which ends the program however busy it is: the page never waits on it.
 */

export interface RunRequest {
  language: RunnableLanguage;
  code: string;
  limitMs: number;
}

export interface RunHandlers {
  onProgress(progress: RunProgress): void;
  /** The code starts; `pythonLoadMs` when Python had to load first. */
  onStarted(info: { pythonLoadMs?: number }): void;
  onOutput(chunks: RunChunk[]): void;
  /** Called once, last. */
  onExit(result: RunResult): void;
}

export interface RunHandle {
  stop(): void;
}

let python: Worker | null = null;

function createWorker(language: RunnableLanguage): Worker {
  if (language === 'python') {
    python ??= new Worker(new URL('./sandbox-python.ts', import.meta.url), { type: 'module', name: 'pairpad-python' });
    return python;
  }
  return new Worker(new URL('./sandbox-js.ts', import.meta.url), { type: 'module', name: 'pairpad-run' });
}

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;

export function startRun(request: RunRequest, handlers: RunHandlers): RunHandle {
  const worker = createWorker(request.language);
  let startedAt: number | null = null;
  let limitTimer: ReturnType<typeof setTimeout> | null = null;
  let over = false;

  const end = (result: RunResult, note?: string): void => {
    if (over) return;
    over = true;
    if (limitTimer) clearTimeout(limitTimer);
    worker.removeEventListener('message', onMessage);
    worker.removeEventListener('error', onError);
    const killed = result.status === 'timeout' || result.status === 'stopped' || result.exitCode === null;
    if (request.language !== 'python') worker.terminate();
    else if (killed) {
      worker.terminate();
      if (python === worker) python = null;
    }
    handlers.onExit(note ? { ...result, note } : result);
  };
  const elapsed = (): number | null => (startedAt === null ? null : Math.round(performance.now() - startedAt));

  const onMessage = (event: MessageEvent<SandboxMessage>): void => {
    const message = event.data;
    switch (message.type) {
      case 'progress':
        handlers.onProgress({ label: message.label, loaded: message.loaded, total: message.total });
        break;
      case 'started':
        startedAt = performance.now();
        handlers.onStarted(message.loadMs === undefined ? {} : { pythonLoadMs: message.loadMs });
        limitTimer = setTimeout(
          () => end({ status: 'timeout', exitCode: null, durationMs: elapsed() }, `Stopped: the run passed its limit of ${seconds(request.limitMs)}.\n`),
          request.limitMs,
        );
        break;
      case 'output':
        handlers.onOutput(message.chunks);
        break;
      case 'exit':
        end({ status: message.code === 0 ? 'ok' : 'error', exitCode: message.code, durationMs: elapsed() });
        break;
      case 'failed':
        end({ status: 'error', exitCode: null, durationMs: null }, `${message.message}\n`);
        break;
    }
  };
  const onError = (event: ErrorEvent): void => {
    event.preventDefault();
    end({ status: 'error', exitCode: null, durationMs: elapsed() }, `The runner failed: ${event.message || 'its worker could not start'}.\n`);
  };
  worker.addEventListener('message', onMessage);
  worker.addEventListener('error', onError);
  worker.postMessage({ type: 'run', language: request.language, code: request.code, maxBytes: RUN_OUTPUT_MAX_BYTES });

  return {
    stop() {
      const ms = elapsed();
      end({ status: 'stopped', exitCode: null, durationMs: ms }, ms === null ? 'Stopped before the code started.\n' : `Stopped after ${seconds(ms)}.\n`);
    },
  };
}
