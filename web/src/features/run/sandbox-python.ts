import { loadPyodide, type PyodideInterface } from 'pyodide';
// The runtime is served from our own origin, hashed like any other asset (never a CDN).
import asmUrl from 'pyodide/pyodide.asm.mjs?url';
import wasmUrl from 'pyodide/pyodide.asm.wasm?url';
import stdlibUrl from 'pyodide/python_stdlib.zip?url';
import lockUrl from 'pyodide/pyodide-lock.json?url';
import type { RunChunk } from '@pairpad/shared';
import { FILENAME, cleanTraceback } from './traceback';
import { NO_INPUT_PY, SANDBOX_FLUSH_MS, type RunRequest, type SandboxMessage } from './sandbox-protocol';

/**
 * Python runs: Pyodide in a module worker the page keeps between runs (loading it takes
 * seconds) and terminates when a run is stopped or passes its limit (the next run loads it
 * again, from the browser's cache). Each run gets fresh globals.
 */

interface Scope {
  postMessage(message: SandboxMessage): void;
  onmessage: ((event: MessageEvent<RunRequest>) => void) | null;
  fetch: typeof fetch;
}
const scope = self as unknown as Scope;

/**
 * Downloads the two large files with a byte count for the progress bar. Pyodide then asks for
 * them by its own names (`<indexURL>pyodide.asm.wasm`); `fetch` answers those from memory.
 */
async function download(urls: string[], onBytes: (loaded: number, total: number | null) => void): Promise<Map<string, ArrayBuffer>> {
  const loaded = new Map<string, number>();
  const totals = new Map<string, number | null>();
  const report = (): void => {
    const sum = [...loaded.values()].reduce((a, b) => a + b, 0);
    const known = [...totals.values()];
    onBytes(sum, known.length === urls.length && known.every((t) => t !== null) ? known.reduce<number>((a, b) => a + (b ?? 0), 0) : null);
  };
  const files = await Promise.all(
    urls.map(async (url) => {
      const response = await fetch(url);
      if (!response.ok || !response.body) throw new Error(`${url}: HTTP ${response.status}`);
      // A compressed response's length is not the bytes the reader yields.
      const length = response.headers.get('content-encoding') ? null : Number(response.headers.get('content-length')) || null;
      totals.set(url, length);
      const reader = response.body.getReader();
      const parts: Uint8Array[] = [];
      let size = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
        size += value.byteLength;
        loaded.set(url, size);
        report();
      }
      const bytes = new Uint8Array(size);
      let offset = 0;
      for (const part of parts) {
        bytes.set(part, offset);
        offset += part.byteLength;
      }
      return [url, bytes.buffer] as const;
    }),
  );
  return new Map(files);
}

let pyodide: Promise<PyodideInterface> | null = null;

async function load(): Promise<PyodideInterface> {
  const absolute = (url: string): string => new URL(url, self.location.href).href;
  const wasm = absolute(wasmUrl);
  const stdlib = absolute(stdlibUrl);
  // Pyodide looks for the wasm next to its index URL under its own name; any directory will do.
  const indexURL = new URL('./', wasm).href;
  scope.postMessage({ type: 'progress', label: 'Downloading Python', loaded: 0, total: null });
  const files = await download([wasm, stdlib], (loaded, total) => scope.postMessage({ type: 'progress', label: 'Downloading Python', loaded, total }));
  const served = new Map<string, ArrayBuffer>([
    [`${indexURL}pyodide.asm.wasm`, files.get(wasm)!],
    [stdlib, files.get(stdlib)!],
  ]);
  const realFetch = scope.fetch.bind(scope);
  scope.fetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const body = served.get(url);
    if (!body) return realFetch(input, init);
    // Once: Pyodide reads each file once, and the memory is better given back.
    served.delete(url);
    const type = url.endsWith('.wasm') ? 'application/wasm' : 'application/zip';
    return Promise.resolve(new Response(body, { headers: { 'content-type': type } }));
  };
  scope.postMessage({ type: 'progress', label: 'Starting Python', loaded: 0, total: null });
  const { default: createPyodideModule } = (await import(/* @vite-ignore */ absolute(asmUrl))) as {
    default: NonNullable<Parameters<typeof loadPyodide>[0]>['createPyodideModule'];
  };
  return loadPyodide({ indexURL, stdLibURL: stdlib, lockFileURL: absolute(lockUrl), createPyodideModule, checkAPIVersion: true });
}

scope.onmessage = (event) => {
  const request = event.data;
  if (request.type !== 'run') return;
  const t0 = performance.now();
  const firstLoad = pyodide === null;
  pyodide ??= load();
  pyodide.then(
    async (py) => {
      let buffer: RunChunk[] = [];
      let used = 0;
      let full = false;
      let last = Date.now();
      let timer: ReturnType<typeof setTimeout> | null = null;
      const flush = (): void => {
        if (timer) clearTimeout(timer);
        timer = null;
        if (buffer.length > 0) scope.postMessage({ type: 'output', chunks: buffer });
        buffer = [];
        last = Date.now();
      };
      const emit = (s: RunChunk['s'], text: string): void => {
        if (full || !text) return;
        let t = text;
        if (used + t.length > request.maxBytes + 1) {
          t = t.slice(0, request.maxBytes + 1 - used);
          full = true;
        }
        used += t.length;
        const tail = buffer[buffer.length - 1];
        if (tail && tail.s === s) tail.t += t;
        else buffer.push({ s, t });
        // A loop that never yields still passes its output on (the timer would never fire).
        if (Date.now() - last >= SANDBOX_FLUSH_MS) flush();
        else timer ??= setTimeout(flush, SANDBOX_FLUSH_MS);
      };
      const writer = (s: RunChunk['s']) => {
        const decoder = new TextDecoder();
        return {
          // A terminal: Python then flushes every line (a file would be flushed per 8 KB, and a
          // program that never ends would show nothing).
          isatty: true,
          write(bytes: Uint8Array): number {
            emit(s, decoder.decode(bytes, { stream: true }));
            return bytes.length;
          },
        };
      };
      py.setStdout(writer('out'));
      py.setStderr(writer('err'));
      py.setStdin({
        stdin: () => {
          emit('sys', NO_INPUT_PY);
          return null;
        },
      });
      scope.postMessage(firstLoad ? { type: 'started', loadMs: Math.round(performance.now() - t0) } : { type: 'started' });
      const globals = py.toPy({ __name__: '__main__' });
      let code = 0;
      try {
        await py.runPythonAsync(request.code, { globals, filename: FILENAME, dedent: false });
      } catch (error) {
        code = 1;
        emit('err', cleanTraceback(error instanceof Error ? error.message : String(error)));
      } finally {
        globals.destroy();
        try {
          py.runPython('import sys\nsys.stdout.flush()\nsys.stderr.flush()');
        } catch {
          // Nothing more to say.
        }
      }
      flush();
      scope.postMessage({ type: 'exit', code });
    },
    (error: unknown) => {
      pyodide = null;
      scope.postMessage({ type: 'failed', message: `Python could not be loaded: ${error instanceof Error ? error.message : String(error)}` });
    },
  );
};
