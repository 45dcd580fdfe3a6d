/**
 * How long a fresh room takes to open over a slow link, in Debian's Chromium with the network
 * emulated through the DevTools protocol (default 10 Mbit/s both ways, 40 ms latency).
 *
 *   npm run measure:load                          # starts its own server on the built app
 *   npm run measure:load -- --url http://127.0.0.1:3000 --runs 5 --mbit 10 --latency 40
 *
 * Each run opens a new Python room in a new browser profile (empty cache) and stops the clock
 * when the editor shows the room's text; then it reloads the page in the same profile (warm
 * cache). It prints, per run and as medians: the load time (from navigation start, in the
 * page's own clock), the bytes on the wire (headers included) and the bytes after decoding,
 * and the requests by encoding. One discarded warm-up load first (`--warmup`), so the figures
 * leave out the browser's own start-up; it uses its own profile, so it warms no cache.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import { freePort, repoRoot, startServer, type ServerHandle } from '../web/e2e/server';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    runs: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    mbit: { type: 'string', default: '10' },
    latency: { type: 'string', default: '40' },
    chromium: { type: 'string', default: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
  },
});
const runs = Number(args.runs);
const mbit = Number(args.mbit);
const latencyMs = Number(args.latency);

const CODE = [
  'def fib(n: int) -> int:',
  '    """The n-th Fibonacci number."""',
  '    a, b = 0, 1',
  '    for _ in range(n):',
  '        a, b = b, a + b',
  '    return a',
  '',
  "if __name__ == '__main__':",
  '    print(fib(30))',
  '',
].join('\n');

interface Transfer {
  url: string;
  /** Seconds (CDP monotonic clock) when the request was sent and when it finished. */
  sentAt: number;
  doneAt: number;
  encoding: string;
  wireBytes: number;
  decodedBytes: number;
  fromCache: boolean;
}

interface LoadResult {
  ms: number;
  transfers: Transfer[];
}

/** Records every response of one page load through CDP (sizes as Chromium's DevTools shows them). */
function recordTransfers(cdp: CDPSession): () => Transfer[] {
  const byId = new Map<string, Transfer>();
  // Fired before responseReceived for responses from the memory cache.
  const servedFromCache = new Set<string>();
  const sentAt = new Map<string, number>();
  cdp.on('Network.requestServedFromCache', (event) => servedFromCache.add(event.requestId));
  cdp.on('Network.requestWillBeSent', (event) => sentAt.set(event.requestId, event.timestamp));
  cdp.on('Network.responseReceived', (event) => {
    const headers = Object.fromEntries(Object.entries(event.response.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
    byId.set(event.requestId, {
      url: event.response.url,
      sentAt: sentAt.get(event.requestId) ?? event.timestamp,
      doneAt: event.timestamp,
      encoding: headers['content-encoding'] ?? 'identity',
      wireBytes: 0,
      decodedBytes: 0,
      fromCache: servedFromCache.has(event.requestId) || Boolean(event.response.fromDiskCache || event.response.fromPrefetchCache),
    });
  });
  cdp.on('Network.dataReceived', (event) => {
    const transfer = byId.get(event.requestId);
    if (transfer) transfer.decodedBytes += event.dataLength;
  });
  cdp.on('Network.loadingFinished', (event) => {
    const transfer = byId.get(event.requestId);
    if (!transfer) return;
    transfer.wireBytes = event.encodedDataLength;
    transfer.doneAt = event.timestamp;
  });
  return () => [...byId.values()];
}

async function emulate(page: Page): Promise<CDPSession> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: latencyMs,
    downloadThroughput: (mbit * 1_000_000) / 8,
    uploadThroughput: (mbit * 1_000_000) / 8,
  });
  return cdp;
}

/** Milliseconds from navigation start until the editor shows the room's first line. */
async function loadUntilText(page: Page, url: string): Promise<number> {
  await page.goto(url, { waitUntil: 'commit' });
  const firstLine = CODE.split('\n')[0]!;
  // A function, not a string: the page's CSP forbids eval. Typed loosely: scripts/ has no DOM types.
  await page.waitForFunction(
    ({ code, line }) => {
      const page = globalThis as unknown as {
        __pairpad?: { text(): string };
        document: { querySelector(selector: string): { textContent: string | null } | null };
      };
      const shown = page.document.querySelector('[data-testid="editor"] .view-lines')?.textContent ?? '';
      return page.__pairpad?.text() === code && shown.replace(/\u00a0/g, ' ').includes(line);
    },
    { code: CODE, line: firstLine },
    { timeout: 120_000, polling: 'raf' },
  );
  return page.evaluate(() => performance.now());
}

async function createRoom(base: string): Promise<string> {
  const response = await fetch(`${base}/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'measure-load', language: 'python', code: CODE }),
  });
  if (response.status !== 201) throw new Error(`POST /rooms answered ${response.status}`);
  return ((await response.json()) as { editUrl: string }).editUrl;
}

async function oneRun(browser: Browser, base: string): Promise<{ cold: LoadResult; warm: LoadResult }> {
  const editUrl = await createRoom(base);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(() => (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem('pairpad.name', 'Measure'));
  try {
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') console.error(`console error: ${message.text()}`);
    });
    const cdp = await emulate(page);
    let transfers = recordTransfers(cdp);
    const coldMs = await loadUntilText(page, editUrl);
    const cold = { ms: coldMs, transfers: transfers() };
    await cdp.detach();
    const warmCdp = await emulate(page);
    transfers = recordTransfers(warmCdp);
    const warmMs = await loadUntilText(page, editUrl);
    return { cold, warm: { ms: warmMs, transfers: transfers() } };
  } finally {
    await context.close();
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const kb = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KB`;

function summarize(result: LoadResult): { ms: number; wire: number; decoded: number; requests: number; fromNetwork: number; byEncoding: Record<string, number> } {
  const network = result.transfers.filter((t) => !t.fromCache && !t.url.startsWith('data:'));
  const byEncoding: Record<string, number> = {};
  for (const t of network) byEncoding[t.encoding] = (byEncoding[t.encoding] ?? 0) + 1;
  return {
    ms: Math.round(result.ms),
    wire: network.reduce((sum, t) => sum + t.wireBytes, 0),
    decoded: network.reduce((sum, t) => sum + t.decodedBytes, 0),
    requests: result.transfers.length,
    fromNetwork: network.length,
    byEncoding,
  };
}

let server: ServerHandle | null = null;
let dataDir: string | null = null;
let base = args.url?.replace(/\/+$/, '');
if (!base) {
  dataDir = mkdtempSync(path.join(tmpdir(), 'pairpad-measure-'));
  server = await startServer({ port: await freePort(), dataDir, webDir: path.join(repoRoot, 'web', 'dist') });
  base = server.url;
}

const browser = await chromium.launch({
  executablePath: args.chromium,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  console.log(`fresh Python room at ${mbit} Mbit/s, ${latencyMs} ms latency, ${runs} runs against ${base}`);
  for (let i = 0; i < Number(args.warmup); i++) await oneRun(browser, base);
  const results: { cold: ReturnType<typeof summarize>; warm: ReturnType<typeof summarize> }[] = [];
  for (let run = 1; run <= runs; run++) {
    const { cold, warm } = await oneRun(browser, base);
    const summary = { cold: summarize(cold), warm: summarize(warm) };
    results.push(summary);
    console.log(`[measure-load] ${JSON.stringify({ run, ...summary })}`);
    if (run === 1) {
      // The first request is the page itself: times are relative to when it was sent.
      const shown = cold.transfers.filter((t) => !t.url.startsWith('data:'));
      const t0 = Math.min(...shown.map((t) => t.sentAt));
      const at = (seconds: number) => `${Math.round((seconds - t0) * 1000)}`.padStart(5);
      for (const t of shown) {
        console.log(
          `  ${at(t.sentAt)}-${at(t.doneAt)} ms  ${t.encoding.padEnd(8)} ${kb(t.wireBytes).padStart(7)} on the wire ${kb(t.decodedBytes).padStart(8)} decoded  ${new URL(t.url).pathname}`,
        );
      }
    }
  }
  const m = (pick: (r: (typeof results)[number]) => number) => median(results.map(pick));
  console.log(
    `median fresh load: ${m((r) => r.cold.ms)} ms, ${kb(m((r) => r.cold.wire))} on the wire (${kb(m((r) => r.cold.decoded))} decoded) in ${m((r) => r.cold.fromNetwork)} requests`,
  );
  console.log(`median reload (warm cache): ${m((r) => r.warm.ms)} ms, ${kb(m((r) => r.warm.wire))} on the wire, ${m((r) => r.warm.fromNetwork)} requests over the network`);
} finally {
  await browser.close();
  if (server) await server.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
