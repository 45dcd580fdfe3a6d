import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { editorText, launchBrowser, newUser, screenshot, waitForRoom, type User } from './browser';
import { distDir, waitFor } from './server';

// Issue 18 (Run): code runs in the browser of whoever pressed Run; the output console is in the
// room's document, so the partner and viewers see the same output live.

const baseUrl = inject('baseUrl');
let browser: Browser;
let alice: User;
let bob: User;

interface Created {
  roomId: string;
  viewId: string;
}

async function createRoom(name: string, language: string, code: string): Promise<Created> {
  const response = await fetch(`${baseUrl}/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, language, code }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as Created;
}

async function open(page: Page, path: string): Promise<void> {
  await page.goto(`${baseUrl}${path}`);
  await waitForRoom(page);
  await page.waitForSelector('[data-testid="run-panel"]');
}

/** The n-th console entry (1-based) once it has finished; returns its status and output text. */
async function finishedEntry(page: Page, n: number, timeout = 30_000): Promise<{ status: string; by: string; output: string }> {
  const selector = `[data-testid="run-entry"]:nth-child(${n})`;
  return waitFor(
    async () =>
      page.evaluate((sel) => {
        const el = document.querySelector(sel);
        const status = el?.getAttribute('data-status');
        if (!el || !status || status === 'running') return null;
        return { status, by: el.getAttribute('data-by') ?? '', output: el.querySelector('[data-testid="run-output"]')?.textContent ?? '' };
      }, selector),
    { timeout, message: `run ${n} to finish` },
  );
}

const JS = [
  'const who = "js";',
  'console.log("hello from " + who, { n: 1 });',
  'console.error("careful");',
  'const answer = prompt("name?");',
  'console.log("answer:", answer);',
  'setTimeout(() => console.log("later"), 50);',
  '',
].join('\n');
const TS = [
  'interface Box { w: number; h: number }',
  'const area = (b: Box): number => b.w * b.h;',
  'console.log("area", area({ w: 3, h: 4 }));',
  'const missing = undefined as unknown as { f(): void };',
  'missing.f();',
  '',
].join('\n');
const SYNTAX = ['const a = 1;', 'const b = ;', 'console.log(a, b);', ''].join('\n');
const AWAIT = [
  'console.log("before");',
  'const n = await new Promise((resolve) => setTimeout(() => resolve(41), 100));',
  'console.log("after", n + 1);',
  'function sync() { await 1; }',
  '',
].join('\n');
const AWAIT_OK = AWAIT.replace('function sync() { await 1; }', 'async function later() { await 1; }');
const LOOP = ['let i = 0;', 'while (true) { i++; }', ''].join('\n');
const PY = ['import sys', 'print("hello from python", sum(range(10)))', 'print("careful", file=sys.stderr)', ''].join('\n');
const PY_INPUT = ['print("asking")', 'name = input("name? ")', 'print("never", name)', ''].join('\n');

let jsRoom: Created;

beforeAll(async () => {
  browser = await launchBrowser();
  alice = await newUser(browser, 'Alice');
  bob = await newUser(browser, 'Bobby');
  jsRoom = await createRoom('Run JS e2e', 'javascript', JS);
  await Promise.all([open(alice.page, `/room/${jsRoom.roomId}`), open(bob.page, `/room/${jsRoom.roomId}`)]);
});

afterAll(async () => {
  for (const user of [alice, bob]) await user?.context.close().catch(() => {});
  await browser?.close();
});

describe('Run in the browser', () => {
  it('Alice runs JavaScript: both see the same output (stdout, stderr, the prompt() notice), who ran it and the exit status', async () => {
    await alice.page.click('[data-testid="run-button"]');
    const mine = await finishedEntry(alice.page, 1);
    const theirs = await finishedEntry(bob.page, 1);
    expect(mine.status).toBe('ok');
    expect(mine.by).toBe('Alice');
    expect(mine.output).toContain('hello from js {"n":1}\n');
    expect(mine.output).toContain('careful\n');
    expect(mine.output).toMatch(/prompt\(\) has nobody to answer/);
    expect(mine.output).toContain('answer: null\n');
    expect(mine.output).toContain('later\n');
    expect(theirs).toEqual(mine);
    expect(await bob.page.textContent('[data-testid="run-entry"] [data-testid="run-result"]')).toMatch(/exit 0 · \d+ ms/);
  });

  it('Bobby runs with Ctrl+Enter from the editor: a second entry, and no line break typed', async () => {
    const before = await editorText(bob.page);
    await bob.page.click('[data-testid="editor"] .view-lines');
    await bob.page.keyboard.press('Control+Enter');
    const second = await finishedEntry(alice.page, 2);
    expect(second).toMatchObject({ status: 'ok', by: 'Bobby' });
    expect(await editorText(bob.page)).toBe(before);
  });

  it('TypeScript: types are stripped in the worker, and a runtime error reports its line', async () => {
    const room = await createRoom('Run TS e2e', 'typescript', TS);
    await open(alice.page, `/room/${room.roomId}`);
    await alice.page.click('[data-testid="run-button"]');
    const entry = await finishedEntry(alice.page, 1);
    expect(entry.status).toBe('error');
    expect(entry.output).toContain('area 12\n');
    expect(entry.output).toMatch(/Uncaught TypeError: .*\(line 5:\d+\)/);
  });

  it('a viewer sees the output, but Run is disabled with the reason', async () => {
    const viewer = await newUser(browser, 'Viewer');
    try {
      await open(viewer.page, `/watch/${jsRoom.viewId}`);
      const first = await finishedEntry(viewer.page, 1);
      expect(first.output).toContain('hello from js');
      expect(await viewer.page.isDisabled('[data-testid="run-button"]')).toBe(true);
      expect(await viewer.page.textContent('[data-testid="run-reason"]')).toMatch(/only editors can run/);
      // The shortcut does nothing either.
      await viewer.page.keyboard.press('Control+Enter');
      await viewer.page.waitForTimeout(300);
      expect(await viewer.page.$$eval('[data-testid="run-entry"]', (els) => els.length)).toBe(2);
    } finally {
      await viewer.context.close();
    }
  });

  it('a syntax error shows an error line with its line number', async () => {
    const room = await createRoom('Run syntax e2e', 'javascript', SYNTAX);
    await open(alice.page, `/room/${room.roomId}`);
    await alice.page.click('[data-testid="run-button"]');
    const entry = await finishedEntry(alice.page, 1);
    expect(entry.status).toBe('error');
    expect(entry.output).toMatch(/SyntaxError: .*\(line 2(:\d+)?\)/);
    expect(await alice.page.textContent('[data-testid="run-entry"] [data-testid="run-result"]')).toMatch(/exit 1/);
  });

  it('top-level await runs, and the run waits for what it awaits; await in a plain function is a syntax error on its line', async () => {
    const bad = await createRoom('Run await e2e', 'javascript', AWAIT);
    await open(alice.page, `/room/${bad.roomId}`);
    await alice.page.click('[data-testid="run-button"]');
    const refused = await finishedEntry(alice.page, 1);
    expect(refused.status).toBe('error');
    expect(refused.output).toMatch(/SyntaxError: await is only valid in async functions.*\(line 4(:\d+)?\)/);
    const good = await createRoom('Run await ok e2e', 'javascript', AWAIT_OK);
    await open(alice.page, `/room/${good.roomId}`);
    await alice.page.click('[data-testid="run-button"]');
    const entry = await finishedEntry(alice.page, 1);
    expect(entry).toMatchObject({ status: 'ok', output: 'before\nafter 42\n' });
  });

  it('an infinite loop is stopped by the limit (set to 2 s in the panel, remembered) and the page stays responsive', async () => {
    const room = await createRoom('Run loop e2e', 'javascript', LOOP);
    await open(alice.page, `/room/${room.roomId}`);
    await alice.page.fill('[data-testid="run-limit"]', '2');
    await alice.page.press('[data-testid="run-limit"]', 'Enter');
    await alice.page.click('[data-testid="run-button"]');
    await alice.page.waitForSelector('[data-testid="run-stop"]');
    // The page answers while the loop spins in its worker.
    for (let i = 0; i < 3; i++) {
      const answered = await Promise.race([
        alice.page.evaluate(() => new Promise<number>((resolve) => requestAnimationFrame(() => resolve(1)))),
        new Promise<number>((resolve) => setTimeout(() => resolve(0), 1500)),
      ]);
      expect(answered).toBe(1);
    }
    const entry = await finishedEntry(alice.page, 1, 15_000);
    expect(entry.status).toBe('timeout');
    expect(entry.output).toMatch(/passed its limit of 2 s/);
    await alice.page.waitForSelector('[data-testid="run-button"]');
    await screenshot(alice.page, 'run-timeout.png');
    await alice.page.reload();
    await waitForRoom(alice.page);
    expect(await alice.page.inputValue('[data-testid="run-limit"]')).toBe('2');
    // The console survived the reload.
    expect((await finishedEntry(alice.page, 1)).status).toBe('timeout');
    await alice.page.fill('[data-testid="run-limit"]', '10');
    await alice.page.press('[data-testid="run-limit"]', 'Enter');
  });

  it('Python: Alice runs it (Pyodide loads on first use with progress), both see the output; input() answers with a notice', async () => {
    const room = await createRoom('Run Python e2e', 'python', PY);
    await Promise.all([open(alice.page, `/room/${room.roomId}`), open(bob.page, `/room/${room.roomId}`)]);
    const requested: string[] = [];
    alice.context.on('request', (request) => requested.push(request.url()));
    const clicked = Date.now();
    await alice.page.click('[data-testid="run-button"]');
    await alice.page.waitForSelector('[data-testid="run-progress"]');
    const mine = await finishedEntry(alice.page, 1, 60_000);
    const wall = Date.now() - clicked;
    const loadMs = await alice.page.getAttribute('[data-testid="run-panel"]', 'data-python-load-ms');
    console.log(`[RUN-pyodide] ${JSON.stringify({ firstRunWallMs: wall, pyodideLoadMs: Number(loadMs) })}`);
    // Everything Python needs comes from this server (no CDN).
    expect(requested.filter((url) => !url.startsWith(baseUrl) && !url.startsWith('blob:') && !url.startsWith('data:'))).toEqual([]);
    expect(mine.status).toBe('ok');
    expect(mine.output).toContain('hello from python 45\n');
    expect(mine.output).toContain('careful\n');
    expect(await finishedEntry(bob.page, 1)).toEqual(mine);
    await screenshot(bob.page, 'run-python.png');

    // A second run reuses the loaded Python: input() gets a notice and EOFError, with the line.
    await alice.page.evaluate((code) => window.__pairpad?.editor.getModel()?.setValue(code), PY_INPUT);
    const warm = Date.now();
    await alice.page.click('[data-testid="run-button"]');
    const second = await finishedEntry(bob.page, 2, 30_000);
    console.log(`[RUN-pyodide] ${JSON.stringify({ secondRunWallMs: Date.now() - warm })}`);
    expect(second.status).toBe('error');
    expect(second.output).toContain('asking\n');
    expect(second.output).toMatch(/input\(\) has nobody to answer/);
    expect(second.output).toMatch(/File "main\.py", line 2/);
    expect(second.output).toMatch(/EOFError/);
    expect(second.output).not.toContain('never');
  });

  it('Pyodide’s wasm is served gzipped as application/wasm', async () => {
    const wasm = readdirSync(path.join(distDir, 'assets')).find((file) => /^pyodide\.asm-[\w-]+\.wasm$/.test(file));
    expect(wasm).toBeDefined();
    const response = await fetch(`${baseUrl}/assets/${wasm}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/wasm');
    expect(response.headers.get('content-encoding')).toBe('gzip');
    await response.arrayBuffer();
  });

  it('no page errors', () => {
    expect(alice.pageErrors).toEqual([]);
    expect(bob.pageErrors).toEqual([]);
  });
});
