import type { RunChunk } from '@pairpad/shared';
import { NO_INPUT_JS, SANDBOX_FLUSH_MS, type RunRequest, type SandboxMessage } from './sandbox-protocol';

/**
 * One JavaScript/TypeScript run: a dedicated module worker the page creates per run and
 * terminates when it ends, is stopped, or passes its limit (which also ends the worker below).
 *
 * TypeScript is first turned into JavaScript with sucrase (imported only by a TypeScript run).
 * The program then runs as the whole script of a nested classic worker made from a blob: its
 * console, timers, prompt() and error handlers are set up by a prelude on the script's first
 * line. A classic worker's script is what makes syntax errors report a line: the browser
 * compiles it and reports the error, with line and column, to the worker that created it
 * (eval or `new Function` throw a SyntaxError without a position, and a module worker's parse
 * error arrives as a bare event).
 */

interface Scope {
  postMessage(message: SandboxMessage): void;
  onmessage: ((event: MessageEvent<RunRequest>) => void) | null;
}
const scope = self as unknown as Scope;

interface PreludeConfig {
  /** Characters passed on before the program's output stops being collected (one more than the page keeps, so it sees the cut). */
  max: number;
  flushMs: number;
  /** Lines before the program's first line in the script. */
  offset: number;
  noInput: string;
}

/**
 * Runs inside the program's worker, before the program: must not use anything from this module
 * (it is sent as source text). Output goes out at most every `flushMs`, also from a loop that
 * never yields (checked on every console call). The run ends when the script has finished and
 * no timer is pending; exit code 1 after an uncaught error.
 */
function prelude(cfg: PreludeConfig): void {
  /* eslint-disable @typescript-eslint/no-explicit-any */
  const g = self as any;
  const post = (message: unknown): void => g.postMessage(message);
  const realSetTimeout: (fn: () => void, ms?: number) => number = g.setTimeout.bind(g);
  const realClearTimeout: (id: number) => void = g.clearTimeout.bind(g);
  const realSetInterval: (fn: () => void, ms?: number) => number = g.setInterval.bind(g);
  const realClearInterval: (id: number) => void = g.clearInterval.bind(g);
  let buffer: { s: string; t: string }[] = [];
  let used = 0;
  let full = false;
  let last = Date.now();
  let flushTimer: number | null = null;
  let ended = false;
  let failed = false;
  let done = false;
  const timers = new Set<number>();

  const flush = (): void => {
    if (flushTimer !== null) realClearTimeout(flushTimer);
    flushTimer = null;
    if (buffer.length > 0) post({ type: 'output', chunks: buffer });
    buffer = [];
    last = Date.now();
  };
  const emit = (s: string, text: string): void => {
    if (done || full || !text) return;
    let t = text;
    if (used + t.length > cfg.max) {
      t = t.slice(0, cfg.max - used);
      full = true;
    }
    used += t.length;
    const tail = buffer[buffer.length - 1];
    if (tail && tail.s === s) tail.t += t;
    else buffer.push({ s, t });
    if (Date.now() - last >= cfg.flushMs) flush();
    else flushTimer ??= realSetTimeout(flush, cfg.flushMs);
  };

  const show = (value: unknown): string => {
    if (typeof value === 'string') return value;
    if (value instanceof Error) return value.stack && value.stack.includes(value.message) ? `${value.name}: ${value.message}` : String(value);
    if (typeof value === 'function') return `[Function ${value.name || '(anonymous)'}]`;
    if (typeof value === 'bigint') return `${value}n`;
    if (typeof value === 'symbol') return value.toString();
    if (value === null || typeof value !== 'object') return String(value);
    try {
      const seen = new WeakSet<object>();
      const json = JSON.stringify(value, (_key, v: unknown) => {
        if (typeof v === 'bigint') return `${v}n`;
        if (typeof v === 'function') return `[Function ${v.name || '(anonymous)'}]`;
        if (typeof v === 'object' && v !== null) {
          if (seen.has(v)) return '[Circular]';
          seen.add(v);
          if (v instanceof Map) return { Map: [...v.entries()] };
          if (v instanceof Set) return { Set: [...v] };
        }
        return v;
      });
      return json ?? String(value);
    } catch {
      return String(value);
    }
  };
  const line = (args: unknown[]): string => `${args.map(show).join(' ')}\n`;
  const out = (...args: unknown[]): void => emit('out', line(args));
  const err = (...args: unknown[]): void => emit('err', line(args));
  g.console = {
    ...g.console,
    log: out,
    info: out,
    debug: out,
    trace: out,
    dir: out,
    table: out,
    error: err,
    warn: err,
    assert: (ok: unknown, ...args: unknown[]) => {
      if (!ok) err('Assertion failed:', ...args);
    },
  };
  g.prompt = (): null => {
    emit('sys', cfg.noInput);
    return null;
  };
  g.confirm = (): boolean => {
    emit('sys', cfg.noInput);
    return false;
  };
  g.alert = (message?: unknown): void => emit('out', line([message ?? '']));

  /** Where in the program an error was thrown: from its stack (the first frame in this script). */
  const where = (error: unknown, lineno?: number, colno?: number): string => {
    let l = lineno ?? 0;
    let c = colno ?? 0;
    if (!l && error instanceof Error && error.stack) {
      const match = /blob:[^\s)]*:(\d+):(\d+)/.exec(error.stack);
      if (match) {
        l = Number(match[1]);
        c = Number(match[2]);
      }
    }
    l -= cfg.offset;
    return l > 0 ? ` (line ${l}${c ? `:${c}` : ''})` : '';
  };
  const report = (error: unknown, lineno?: number, colno?: number): void => {
    failed = true;
    const text = error instanceof Error ? `${error.name}: ${error.message}` : show(error);
    emit('err', `Uncaught ${text.replace(/^Uncaught /, '')}${where(error, lineno, colno)}\n`);
  };

  const settle = (): void => {
    if (done || !ended || timers.size > 0) return;
    // After the microtasks the program queued (a promise chain may still start a timer) and
    // the unhandled-rejection events they cause, which come a task later.
    realSetTimeout(() =>
      realSetTimeout(() => {
        if (done || timers.size > 0) return;
        done = true;
        flush();
        post({ type: 'exit', code: failed ? 1 : 0 });
      }, 0),
    );
  };
  const track = (fn: unknown, args: unknown[], id: () => number, once: boolean) => () => {
    if (once) timers.delete(id());
    try {
      if (typeof fn === 'function') fn(...args);
    } finally {
      settle();
    }
  };
  g.setTimeout = (fn: unknown, ms?: number, ...args: unknown[]): number => {
    let id = 0;
    id = realSetTimeout(track(fn, args, () => id, true), ms);
    timers.add(id);
    return id;
  };
  g.setInterval = (fn: unknown, ms?: number, ...args: unknown[]): number => {
    let id = 0;
    id = realSetInterval(track(fn, args, () => id, false), ms);
    timers.add(id);
    return id;
  };
  g.clearTimeout = (id: number): void => {
    realClearTimeout(id);
    timers.delete(id);
    settle();
  };
  g.clearInterval = (id: number): void => {
    realClearInterval(id);
    timers.delete(id);
    settle();
  };

  g.onerror = (_message: unknown, _source: unknown, lineno?: number, colno?: number, error?: unknown): boolean => {
    report(error ?? _message, lineno, colno);
    ended = true;
    settle();
    return true;
  };
  g.addEventListener('unhandledrejection', (event: PromiseRejectionEvent) => {
    event.preventDefault();
    report(event.reason);
    ended = true;
    settle();
  });
  Object.defineProperty(g, '__pairpadEnd', {
    value: () => {
      ended = true;
      settle();
    },
  });
  /* eslint-enable @typescript-eslint/no-explicit-any */
}

/** The browser's refusal of `await` outside an async function (Chromium's and Firefox's wording). */
const TOP_LEVEL_AWAIT = /await is only valid in async functions/i;

/** "Unexpected token (2:7)" from sucrase reads "… (line 2:7)" like the browser's errors here. */
function sucraseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `Uncaught SyntaxError: ${message.replace(/\s*\((\d+):(\d+)\)\s*$/, (_m, l: string, c: string) => ` (line ${l}:${Number(c) + 1})`)}\n`;
}

async function toJavaScript(request: RunRequest): Promise<string> {
  if (request.language !== 'typescript') return request.code;
  const { transform } = await import('sucrase');
  // Types are removed in place, so line numbers stay those of the source.
  return transform(request.code, { transforms: ['typescript'], disableESTransforms: true }).code;
}

scope.onmessage = (event) => {
  const request = event.data;
  if (request.type !== 'run') return;
  let exited = false;
  const exit = (code: number): void => {
    if (exited) return;
    exited = true;
    scope.postMessage({ type: 'exit', code });
  };
  const fail = (chunks: RunChunk[]): void => {
    scope.postMessage({ type: 'output', chunks });
    exit(1);
  };
  toJavaScript(request).then(
    (code) => {
      const config: PreludeConfig = { max: request.maxBytes + 1, flushMs: SANDBOX_FLUSH_MS, offset: 0, noInput: NO_INPUT_JS };
      const head = `(${prelude.toString()})(`;
      // The prelude's own line breaks (none once minified) put the program further down.
      config.offset = head.split('\n').length;
      const start = `${head}${JSON.stringify(config)});`;
      // As a script first: its top-level declarations are globals, as in a console. A program
      // with a top-level `await` cannot compile as one; it runs again (nothing of it ran) as the
      // body of an async function, on the same lines, and ends when that body has settled.
      const asScript = `${start}\n${code}\n;__pairpadEnd();\n`;
      const asAsyncBody = `${start}(async () => {\n${code}\n})().then(__pairpadEnd);\n`;
      scope.postMessage({ type: 'started' });
      const launch = (script: string, retryWithAwait: boolean): void => {
        const url = URL.createObjectURL(new Blob([script], { type: 'text/javascript' }));
        const program = new Worker(url);
        program.onmessage = (message: MessageEvent<SandboxMessage>) => {
          if (message.data.type === 'exit') exit(message.data.code);
          else scope.postMessage(message.data);
        };
        // Reaches here only for what the prelude could not catch: a syntax error (nothing ran).
        program.onerror = (error) => {
          error.preventDefault();
          program.terminate();
          URL.revokeObjectURL(url);
          if (retryWithAwait && TOP_LEVEL_AWAIT.test(error.message)) {
            launch(asAsyncBody, false);
            return;
          }
          const line = error.lineno - config.offset;
          const text = (error.message || 'Uncaught error').replace(/^(?!Uncaught )/, 'Uncaught ');
          fail([{ s: 'err', t: `${text}${line > 0 ? ` (line ${line}${error.colno ? `:${error.colno}` : ''})` : ''}\n` }]);
        };
      };
      launch(asScript, true);
    },
    (error: unknown) => {
      scope.postMessage({ type: 'started' });
      fail([{ s: 'err', t: sucraseError(error) }]);
    },
  );
};
