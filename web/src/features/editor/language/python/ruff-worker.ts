import init, { format as ruffFormat, format_range as ruffFormatRange } from '@wasm-fmt/ruff_fmt/web';
// Served from our own origin, hashed like any other asset (never a CDN).
import wasmUrl from '@wasm-fmt/ruff_fmt/ruff_fmt_bg.wasm?url';
import { formatRangeWith, formatWith, type FormatResult } from './ruff-format';
import type { FormatRequest, FormatResponse } from './ruff-protocol';

/**
 * Ruff's formatter in a module worker of its own, started on the first Format Document of a
 * Python room and kept for the page. The WebAssembly is compiled here, under this script's own
 * Content-Security-Policy (`'wasm-unsafe-eval'`, no `'unsafe-eval'`; see server/src/app.ts): the
 * page's policy stays `script-src 'self'`.
 */

interface Scope {
  postMessage(message: FormatResponse): void;
  onmessage: ((event: MessageEvent<FormatRequest>) => void) | null;
}
const scope = self as unknown as Scope;

let ready: Promise<unknown> | null = null;

async function format(request: FormatRequest): Promise<FormatResult> {
  try {
    ready ??= init(new URL(wasmUrl, self.location.href));
    await ready;
  } catch (error) {
    ready = null; // the next request tries again
    return { ok: false, reason: 'unavailable', message: error instanceof Error ? error.message : String(error) };
  }
  return request.range ? formatRangeWith(ruffFormatRange, request.text, request.range, request.options) : formatWith(ruffFormat, request.text, request.options);
}

scope.onmessage = (event) => {
  const request = event.data;
  void format(request).then((result) => scope.postMessage({ id: request.id, result }));
};
