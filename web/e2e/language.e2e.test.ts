import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { caretAt, editorText, launchBrowser, newUser, screenshot, waitForRoom, waitForText, type User } from './browser';
import { waitFor } from './server';

// Issue 18, language intelligence: TypeScript's service for JS/TS rooms (squiggles, completion
// list, hover, signature help, go to definition, Format Document), basedpyright for Python rooms
// (loaded on first use, with a progress line), each user's diagnostics computed in their own
// browser. The measured latencies are logged ("[language] ...") for the README; no assertion
// depends on them.

const baseUrl = inject('baseUrl');
let browser: Browser;
const users: User[] = [];

async function user(name: string): Promise<User> {
  const made = await newUser(browser, name);
  users.push(made);
  return made;
}

async function createRoom(language: string, code: string): Promise<string> {
  const response = await fetch(`${baseUrl}/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: `language ${language}`, language, code }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { roomId: string }).roomId;
}

async function caretAtEnd(page: Page): Promise<void> {
  await page.evaluate(() => {
    const editor = window.__pairpad?.editor;
    const model = editor?.getModel();
    if (!editor || !model) return;
    editor.focus();
    editor.setPosition(model.getFullModelRange().getEndPosition());
  });
}

async function squiggles(page: Page, kind = 'error'): Promise<number> {
  return page.locator(`[data-testid="editor"] .squiggly-${kind}`).count();
}

async function runAction(page: Page, id: string): Promise<void> {
  await page.evaluate((action) => window.__pairpad?.editor.trigger('e2e', action, {}), id);
}

/** The completion list's first row (rows are virtual: their order in the DOM is not the list's). */
async function firstListed(page: Page): Promise<string | null> {
  return page.locator('.suggest-widget.visible .monaco-list-row[data-index="0"] .label-name').textContent({ timeout: 10_000 });
}

/**
 * Shows the hover at the caret and returns its text once it holds `expected`. A service still
 * analysing (basedpyright on a loaded machine) can answer with nothing, and then no hover opens:
 * asked again until it does, as a person would hover again.
 */
async function hoverText(page: Page, expected: string): Promise<string> {
  const hover = page.locator('.monaco-hover:not(.hidden) .monaco-hover-content').first();
  let text = '';
  await waitFor(
    async () => {
      await runAction(page, 'editor.action.showHover');
      text = (await hover.waitFor({ state: 'visible', timeout: 5_000 }).then(() => hover.textContent(), () => '')) ?? '';
      if (text.includes(expected)) return true;
      await page.keyboard.press('Escape');
      return false;
    },
    { timeout: 45_000, message: `a hover with "${expected}"` },
  );
  return text;
}

/**
 * Types `.` at the caret (through Monaco's `type` command, as a keystroke does) and measures in
 * the page how long until the completion list shows `expected`; then closes the list and takes
 * the `.` back out.
 */
async function completionLatency(page: Page, expected: string): Promise<number> {
  const ms = await page.evaluate(async (label) => {
    const editor = window.__pairpad?.editor;
    if (!editor) throw new Error('no editor');
    const started = performance.now();
    editor.trigger('keyboard', 'type', { text: '.' });
    return new Promise<number>((resolve, reject) => {
      const check = (): void => {
        const labels = [...document.querySelectorAll('.suggest-widget.visible .monaco-list-row .label-name')].map((el) => el.textContent);
        if (labels.includes(label)) resolve(performance.now() - started);
        else if (performance.now() - started > 20_000) reject(new Error(`no "${label}" in the completion list: ${labels.join(', ')}`));
        else setTimeout(check, 2);
      };
      check();
    });
  }, expected);
  await page.evaluate(() => {
    const editor = window.__pairpad?.editor;
    editor?.trigger('e2e', 'hideSuggestWidget', {});
    editor?.trigger('keyboard', 'deleteLeft', {});
  });
  return ms;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

function logLatencies(what: string, samples: number[]): void {
  const [first, ...rest] = samples;
  console.log(
    `[language] ${what}: first ${first?.toFixed(0)} ms, then p50 ${percentile(rest, 50).toFixed(1)} ms, p95 ${percentile(rest, 95).toFixed(1)} ms, max ${Math.max(...rest).toFixed(1)} ms over ${rest.length}`,
  );
}

/** JS heap of each dedicated worker of `page` (by its name or script), through the DevTools protocol. */
async function workerHeaps(page: Page): Promise<{ worker: string; usedMB: number }[]> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  const workers: { sessionId: string; name: string }[] = [];
  const answers = new Map<number, (result: { usedSize: number }) => void>();
  cdp.on('Target.attachedToTarget', (event) => {
    if (event.targetInfo.type === 'worker') workers.push({ sessionId: event.sessionId, name: event.targetInfo.title || event.targetInfo.url });
  });
  cdp.on('Target.receivedMessageFromTarget', (event) => {
    const message = JSON.parse(event.message) as { id?: number; result?: { usedSize: number } };
    if (message.id !== undefined && message.result) answers.get(message.id)?.(message.result);
  });
  try {
    await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const heaps: { worker: string; usedMB: number }[] = [];
    let id = 1;
    for (const worker of workers) {
      const mine = id++;
      const answer = new Promise<{ usedSize: number }>((resolve) => answers.set(mine, resolve));
      // HeapProfiler.collectGarbage first would be fairer, but a worker mid-analysis is what a user has.
      await cdp.send('Target.sendMessageToTarget', { sessionId: worker.sessionId, message: JSON.stringify({ id: mine, method: 'Runtime.getHeapUsage' }) });
      const result = await Promise.race([answer, new Promise<null>((resolve) => setTimeout(() => resolve(null), 5_000))]);
      if (result) heaps.push({ worker: worker.name.replace(/^.*\/assets\//, ''), usedMB: Math.round((result.usedSize / 1_048_576) * 10) / 10 });
    }
    return heaps;
  } catch (error) {
    console.log(`[language] worker heaps unavailable: ${String(error)}`);
    return [];
  } finally {
    await cdp.detach().catch(() => {});
  }
}

/** Resident memory of all of Chromium's renderer processes (the page and its workers live there), in MB. */
function rendererRssMB(): number {
  let kb = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.includes('--type=renderer')) continue;
      const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      kb += Number(rss?.[1] ?? 0);
    } catch {
      // The process ended meanwhile.
    }
  }
  return Math.round(kb / 1024);
}

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const each of users) await each.context.close().catch(() => {});
  await browser?.close();
});

describe('JavaScript and TypeScript: Monaco’s TypeScript service, in each browser', () => {
  it('a syntax error in a JS room is underlined for both users, each by their own service', async () => {
    const roomId = await createRoom('javascript', 'function add(a, b) {\n  return a + b;\n}\n');
    const alice = await user('Alice');
    const bob = await user('Bob');
    await Promise.all([alice.page.goto(`${baseUrl}/room/${roomId}`), bob.page.goto(`${baseUrl}/room/${roomId}`)]);
    await Promise.all([waitForRoom(alice.page), waitForRoom(bob.page)]);
    // The service starts with the room; the valid code has no squiggle.
    await alice.page.waitForTimeout(1500);
    expect(await squiggles(alice.page)).toBe(0);

    await caretAtEnd(alice.page);
    const typedAt = Date.now();
    await alice.page.keyboard.type('const x = ;');
    await alice.page.waitForSelector('[data-testid="editor"] .squiggly-error', { timeout: 30_000 });
    console.log(`[language] JS syntax error typed -> squiggle: ${Date.now() - typedAt} ms (the service waits 500 ms after the last keystroke)`);
    await waitForText(bob.page, (t) => t.includes('const x = ;'), 'Bob to get the line');
    await bob.page.waitForSelector('[data-testid="editor"] .squiggly-error', { timeout: 30_000 });
    // Markers are not in the shared document: it holds the text only.
    expect(await editorText(bob.page)).toBe('function add(a, b) {\n  return a + b;\n}\nconst x = ;');

    // Fixed by Bob: both services clear their squiggle.
    await caretAtEnd(bob.page);
    await bob.page.keyboard.press('Backspace');
    await bob.page.keyboard.type('1;');
    await waitFor(async () => (await squiggles(alice.page)) === 0 && (await squiggles(bob.page)) === 0, { timeout: 20_000, message: 'both squiggles to go' });
    expect(alice.pageErrors).toEqual([]);
    expect(bob.pageErrors).toEqual([]);
    await Promise.all([alice.context.close(), bob.context.close()]);
  });

  it('a fresh JS room with an error shows it: time from navigation to the first squiggle', async () => {
    const roomId = await createRoom('javascript', 'let total = ;\n');
    const carol = await user('Carol');
    await carol.page.goto(`${baseUrl}/room/${roomId}`);
    await carol.page.waitForSelector('[data-testid="editor"] .squiggly-error', { timeout: 60_000 });
    const ms = await carol.page.evaluate(() => performance.now());
    console.log(`[language] JS: navigation -> first diagnostics (page, Monaco, TS worker, first check): ${ms.toFixed(0)} ms`);
    const heaps = await workerHeaps(carol.page);
    console.log(`[language] JS/TS service memory (worker JS heap): ${JSON.stringify(heaps)}`);
    expect(carol.pageErrors).toEqual([]);
    await carol.context.close();
  });

  it('TypeScript: completion list after `obj.`, hover with the type, signature help, go to definition', async () => {
    const code = [
      'const obj = { alpha: 1, beta: "two" };',
      'function greet(name: string, times: number): string {',
      '  return name.repeat(times);',
      '}',
      'greet("hi", 2);',
      'let n: number = "not a number";',
      'obj',
    ].join('\n');
    const roomId = await createRoom('typescript', code);
    const dana = await user('Dana');
    await dana.page.goto(`${baseUrl}/room/${roomId}`);
    await waitForRoom(dana.page);
    // A type error (not only syntax) is found in TypeScript rooms.
    await dana.page.waitForSelector('[data-testid="editor"] .squiggly-error', { timeout: 60_000 });

    await caretAtEnd(dana.page);
    const samples: number[] = [];
    for (let i = 0; i < 21; i++) samples.push(await completionLatency(dana.page, 'alpha'));
    logLatencies('TS completion list after `obj.`', samples);
    // And typed for real: the list opens on `.` with the object's members.
    await dana.page.keyboard.type('.');
    const list = dana.page.locator('.suggest-widget.visible');
    await list.waitFor({ timeout: 20_000 });
    expect(await list.locator('.label-name').allTextContents()).toEqual(expect.arrayContaining(['alpha', 'beta']));
    await screenshot(dana.page, 'language-ts-completion.png');
    await dana.page.keyboard.press('Escape');
    await dana.page.keyboard.press('Backspace');

    await caretAt(dana.page, 1, 8);
    expect(await hoverText(dana.page, 'const obj: {')).toContain('const obj: {');
    await dana.page.keyboard.press('Escape');

    await caretAt(dana.page, 5, 16);
    await dana.page.keyboard.press('Enter');
    await dana.page.keyboard.type('greet(');
    const hints = dana.page.locator('.parameter-hints-widget.visible');
    await hints.waitFor({ timeout: 20_000 });
    expect(await hints.textContent()).toContain('name: string');
    await dana.page.keyboard.press('Escape');

    await caretAt(dana.page, 5, 3);
    await runAction(dana.page, 'editor.action.revealDefinition');
    await waitFor(async () => (await dana.page.evaluate(() => window.__pairpad?.editor.getPosition()?.lineNumber)) === 2, {
      timeout: 20_000,
      message: 'the caret to jump to greet’s declaration',
    });

    // A warm service: a type error typed, then underlined (the service waits 500 ms after the last keystroke).
    const before = await squiggles(dana.page);
    await caretAtEnd(dana.page);
    const typedAt = Date.now();
    await dana.page.keyboard.press('Enter');
    await dana.page.keyboard.type('const y: string = 1;');
    await waitFor(async () => (await squiggles(dana.page)) > before, { timeout: 20_000, message: 'a squiggle under the new error' });
    console.log(`[language] TS: error typed -> squiggle (warm): ${Date.now() - typedAt} ms`);
    expect(dana.pageErrors).toEqual([]);
    await dana.context.close();
  });

  it('the completion list is ranked with pairpad’s engine; where pairpad is silent, the service’s only member is the ghost text', async () => {
    const code = ['const list: number[] = [];', 'list.push(1);', 'list.push(2);', 'list.push(3);', 'list'].join('\n');
    const roomId = await createRoom('typescript', code);
    const erin = await user('Erin');
    await erin.page.goto(`${baseUrl}/room/${roomId}`);
    await waitForRoom(erin.page);
    await caretAtEnd(erin.page);
    // The service lists an array's members alphabetically (`at`, `concat`, …); the code pushes.
    await erin.page.keyboard.type('.');
    const list = erin.page.locator('.suggest-widget.visible');
    await list.waitFor({ timeout: 30_000 });
    expect(await firstListed(erin.page)).toBe('push');
    expect(await list.locator('.monaco-list-row .label-name').allTextContents()).toEqual(expect.arrayContaining(['at', 'concat', 'map']));
    // Typing filters the same list and keeps the order: `p` leaves `push` above `pop`.
    await erin.page.keyboard.type('p');
    await waitFor(async () => (await firstListed(erin.page)) === 'push', { timeout: 10_000, message: 'push first in the filtered list' });
    await erin.page.keyboard.press('Escape');
    await erin.page.keyboard.press('Backspace');

    // `copyWithin` appears nowhere in the code, so pairpad offers nothing for `list.copyWi`; the
    // service knows it is the array's only member starting so, and it becomes the ghost text.
    // (The list stays closed: it opens on `.`, and that one was typed before.)
    await erin.page.keyboard.type('copyWi');
    await erin.page.waitForSelector('[data-testid="suggestion-hint"][data-source="language-service"]', { timeout: 20_000 });
    await erin.page.keyboard.press('Tab');
    await waitForText(erin.page, (text) => text === `${code}.copyWithin`, 'the accepted member in the text');
    expect(erin.pageErrors).toEqual([]);
    await erin.context.close();
  });

  it('Format Document in a JS room, and each language’s indentation', async () => {
    const roomId = await createRoom('javascript', 'function  f ( a,b ){\nif(a){return b}\n}\n');
    const erin = await user('Erin');
    await erin.page.goto(`${baseUrl}/room/${roomId}`);
    await waitForRoom(erin.page);
    await caretAt(erin.page, 1, 1);
    // The TypeScript service's formatter, with the room's 2 spaces.
    const formatted = await waitFor(
      async () => {
        await runAction(erin.page, 'editor.action.formatDocument');
        const text = await editorText(erin.page);
        return text.startsWith('function f(a, b) {\n  if (a)') ? text : false;
      },
      { timeout: 30_000, interval: 500, message: 'the document to be formatted with 2 spaces' },
    );
    console.log(`[language] Format Document (JS): ${JSON.stringify(formatted)}`);

    const options = () => erin.page.evaluate(() => window.__pairpad?.editor.getModel()?.getOptions());
    expect(await options()).toMatchObject({ tabSize: 2, insertSpaces: true });
    await erin.page.selectOption('[data-testid="language-select"]', 'python');
    await waitFor(async () => (await options())?.tabSize === 4, { message: 'Python’s 4 spaces' });
    expect(await options()).toMatchObject({ tabSize: 4, insertSpaces: true });
    await erin.page.selectOption('[data-testid="language-select"]', 'go');
    await waitFor(async () => (await options())?.insertSpaces === false, { message: 'Go’s tabs' });
    expect(erin.pageErrors).toEqual([]);
    // Its focus in the Python moment started a language server: gone with the page.
    await erin.context.close();
  });
});

describe('Python: basedpyright in the browser, on first use', () => {
  it('a type error is underlined for the user who uses the editor; the partner’s browser loads nothing until they do', async () => {
    const code = 'def shout(word: str) -> str:\n    return word.upper()\n\nmessage = "hi"\n';
    const roomId = await createRoom('python', code);
    const fay = await user('Fay');
    const gus = await user('Gus');
    await Promise.all([fay.page.goto(`${baseUrl}/room/${roomId}`), gus.page.goto(`${baseUrl}/room/${roomId}`)]);
    await Promise.all([waitForRoom(fay.page), waitForRoom(gus.page)]);
    const rssBefore = rendererRssMB();

    // Opening the room loaded no language server; the first use does, with a progress line.
    expect(await fay.page.locator('[data-testid="language-status"]').count()).toBe(0);
    const started = Date.now();
    await caretAtEnd(fay.page);
    await fay.page.waitForSelector('[data-testid="language-status"][data-state="loading"]', { timeout: 10_000 });
    await fay.page.waitForSelector('[data-testid="language-status"][data-state="ready"]', { timeout: 90_000 });
    const readyMs = Date.now() - started;
    await fay.page.keyboard.type('x: int = "a"');
    await fay.page.waitForSelector('[data-testid="editor"] .squiggly-error', { timeout: 60_000 });
    const firstMs = Date.now() - started;
    const marks = await fay.page.evaluate(() =>
      Object.fromEntries(performance.getEntriesByType('mark').filter((m) => m.name.startsWith('pairpad:python-ls')).map((m) => [m.name, Math.round(m.startTime)])),
    );
    console.log(`[language] Python: first focus -> server ready ${readyMs} ms, -> first squiggle ${firstMs} ms; marks ${JSON.stringify(marks)}`);
    await screenshot(fay.page, 'language-python-error.png');

    // Gus sees the same text and no squiggle: his browser has no server yet.
    await waitForText(gus.page, (t) => t.includes('x: int = "a"'), 'Gus to get the line');
    await gus.page.waitForTimeout(500);
    expect(await squiggles(gus.page)).toBe(0);
    expect(await gus.page.locator('[data-testid="language-status"]').count()).toBe(0);

    // The type error, hovered: pyright's type.
    await caretAt(fay.page, 5, 1);
    expect(await hoverText(fay.page, 'x: int')).toContain('x: int');
    await fay.page.keyboard.press('Escape');

    // A warm error: typed, then underlined.
    await caretAtEnd(fay.page);
    const typedAt = Date.now();
    await fay.page.keyboard.press('Enter');
    await fay.page.keyboard.type('shout(1)');
    await waitFor(async () => (await squiggles(fay.page)) >= 2, { timeout: 30_000, message: 'a second squiggle' });
    console.log(`[language] Python: error typed -> squiggle (warm): ${Date.now() - typedAt} ms`);

    // Completion list for a str's members, and signature help.
    await fay.page.keyboard.press('Enter');
    await fay.page.keyboard.type('message');
    const samples: number[] = [];
    // The list is virtual: 'capitalize' is its first row, 'upper' far below it.
    for (let i = 0; i < 21; i++) samples.push(await completionLatency(fay.page, 'capitalize'));
    logLatencies('Python completion list after `message.`', samples);
    await fay.page.keyboard.type('.');
    await fay.page.locator('.suggest-widget.visible').waitFor({ timeout: 20_000 });
    // Ranked with pairpad's engine: `upper`, which the code uses, heads basedpyright's list
    // (its own order starts at `capitalize`).
    expect(await firstListed(fay.page)).toBe('upper');
    await screenshot(fay.page, 'language-python-completion.png');
    await fay.page.keyboard.press('Escape');
    await fay.page.keyboard.press('Backspace');
    await fay.page.keyboard.press('Enter');
    await fay.page.keyboard.type('shout(');
    const hints = fay.page.locator('.parameter-hints-widget.visible');
    await hints.waitFor({ timeout: 20_000 });
    expect(await hints.textContent()).toContain('word: str');
    await fay.page.keyboard.press('Escape');

    // Where pairpad is silent (`removeprefix` is nowhere in the code), basedpyright's only
    // member starting with the typed word is the ghost text.
    await caretAtEnd(fay.page);
    await fay.page.keyboard.press('Enter');
    await fay.page.keyboard.type('message.');
    await fay.page.locator('.suggest-widget.visible').waitFor({ timeout: 20_000 });
    await fay.page.keyboard.press('Escape');
    await fay.page.keyboard.type('removep');
    await fay.page.waitForSelector('[data-testid="suggestion-hint"][data-source="language-service"]', { timeout: 20_000 });
    await fay.page.keyboard.press('Tab');
    await waitForText(fay.page, (t) => t.includes('message.removeprefix'), 'the accepted member in the text');

    const heaps = await workerHeaps(fay.page);
    console.log(`[language] Python service memory (worker JS heaps): ${JSON.stringify(heaps)}; renderer RSS ${rssBefore} -> ${rendererRssMB()} MB`);

    // Gus uses the editor: his own server starts and finds the same errors.
    await caretAtEnd(gus.page);
    await gus.page.waitForSelector('[data-testid="language-status"][data-state="ready"]', { timeout: 90_000 });
    await waitFor(async () => (await squiggles(gus.page)) >= 2, { timeout: 60_000, message: 'Gus’s own squiggles' });
    expect(fay.pageErrors).toEqual([]);
    expect(gus.pageErrors).toEqual([]);
  });
});
