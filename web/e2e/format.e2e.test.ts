import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { format, initSync } from '@wasm-fmt/ruff_fmt/web';
import { caretAt, editorText, launchBrowser, newUser, waitForRoom, waitForText, type User } from './browser';
import { waitFor } from './server';

// Issue 18, Format Document for Python: Ruff's WebAssembly build in a worker, loaded from our
// server on the first format. The expected text is Ruff's own output, computed here in Node
// from the same package. Latencies are logged ("[format] ...") for the README.

const baseUrl = inject('baseUrl');
let browser: Browser;
const users: User[] = [];

/** About 300 lines of valid Python, formatted badly, ending in a line Ruff leaves as it is. */
const UGLY = [
  'import os,sys',
  ...Array.from({ length: 25 }, (_, i) => [
    `def func_${i}(a,b = 2 , *args,**kwargs):`,
    "  x={'a':1,'b':[1,2,3 ],'c':(a,b)}",
    '  if a>b :',
    "      return x[ 'a' ]",
    '  else:',
    '   for k in range( 10 ):print(k,a ,b)',
    "  return  {'total':a+b+len(args),'kw':kwargs}",
    `class Thing_${i} :`,
    '  def __init__(self,v):self.v=v',
    '  def value(self) :',
    '    return self.v*2',
    `value_${i}=Thing_${i}( func_${i}(1,2) ) ;print(os.sep,sys.argv)`,
  ]).flat(),
  'print("done")',
  '',
].join('\n');

function ruffFormat(text: string): string {
  const require = createRequire(import.meta.url);
  initSync(readFileSync(require.resolve('@wasm-fmt/ruff_fmt/ruff_fmt_bg.wasm')));
  return format(text, 'main.py', { indent_style: 'space', indent_width: 4 });
}

/** Runs Format Document in `page` and returns how long the action took, in the page's clock. */
async function formatDocument(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const editor = window.__pairpad?.editor;
    const action = editor?.getAction('editor.action.formatDocument');
    if (!action) throw new Error('no Format Document action');
    const started = performance.now();
    await action.run();
    return performance.now() - started;
  });
}

async function setText(page: Page, text: string): Promise<void> {
  await page.evaluate((value) => {
    const model = window.__pairpad?.editor.getModel();
    model?.pushEditOperations([], [{ range: model.getFullModelRange(), text: value }], () => null);
  }, text);
}

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const each of users) await each.context.close().catch(() => {});
  await browser?.close();
});

describe('Format Document in a Python room: Ruff, loaded on first use', () => {
  it('formats for both users, leaves a partner’s caret where it was, formats a selection alone, and refuses a file with a syntax error', async () => {
    const expected = ruffFormat(UGLY);
    expect(expected).not.toBe(UGLY);
    const response = await fetch(`${baseUrl}/rooms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'format python', language: 'python', code: UGLY }),
    });
    expect(response.status).toBe(201);
    const { roomId } = (await response.json()) as { roomId: string };

    const alice = await newUser(browser, 'Alice');
    const bob = await newUser(browser, 'Bob');
    users.push(alice, bob);
    const requests: string[] = [];
    for (const each of [alice, bob]) each.context.on('request', (request) => requests.push(request.url()));
    await Promise.all([alice.page.goto(`${baseUrl}/room/${roomId}`), bob.page.goto(`${baseUrl}/room/${roomId}`)]);
    await Promise.all([waitForRoom(alice.page), waitForRoom(bob.page)]);
    // Opening the room loads nothing of Ruff.
    expect(requests.filter((url) => /ruff/i.test(url))).toEqual([]);

    // Bob's caret after `Thing_12` in a line Ruff rewrites (`class Thing_12 :`), far below the
    // first change: it stays after `Thing_12`.
    const uglyLines = UGLY.split('\n');
    const expectedLines = expected.split('\n');
    const caret = (lines: string[], classLine: string) => ({ lineNumber: lines.indexOf(classLine) + 1, column: 15 });
    const bobAt = caret(uglyLines, 'class Thing_12 :');
    await caretAt(bob.page, bobAt.lineNumber, bobAt.column);

    const firstMs = await formatDocument(alice.page);
    expect(await editorText(alice.page)).toBe(expected);
    await waitForText(bob.page, (text) => text === expected, 'Bob to get the formatted text');
    const bobCarets = await bob.page.evaluate(() => window.__pairpad?.editor.getSelections()?.map((s) => ({ lineNumber: s.positionLineNumber, column: s.positionColumn })));
    expect(bobCarets).toEqual([caret(expectedLines, 'class Thing_12:')]);

    // Warm: the worker and its WebAssembly are loaded.
    await setText(alice.page, UGLY);
    await waitForText(alice.page, (text) => text === UGLY, 'the ugly text again');
    const warmMs = await formatDocument(alice.page);
    expect(await editorText(alice.page)).toBe(expected);
    const marks = await alice.page.evaluate(() =>
      performance.getEntriesByType('mark').filter((m) => m.name.startsWith('pairpad:format')).map((m) => `${m.name.slice(15)} ${Math.round(m.startTime)}${(m as PerformanceMark).detail === null ? '' : ` (${String((m as PerformanceMark).detail)} edits)`}`),
    );
    console.log(`[format] Ruff, ${uglyLines.length} lines: first Format Document (worker + WebAssembly load) ${firstMs.toFixed(0)} ms, warm ${warmMs.toFixed(0)} ms; marks ${marks.join(', ')}`);

    // Format Selection: only the statement the selection touches (func_3) changes.
    await setText(alice.page, UGLY);
    await waitForText(alice.page, (text) => text === UGLY, 'the ugly text again');
    const defLine = uglyLines.indexOf('def func_3(a,b = 2 , *args,**kwargs):') + 1;
    const classLine = uglyLines.indexOf('class Thing_3 :') + 1;
    await alice.page.evaluate(async (from) => {
      const editor = window.__pairpad?.editor;
      editor?.setSelection({ startLineNumber: from, startColumn: 1, endLineNumber: from + 2, endColumn: 1 });
      await editor?.getAction('editor.action.formatSelection')?.run();
    }, defLine);
    const selected = await waitForText(alice.page, (text) => text !== UGLY, 'Format Selection to change the function');
    const head = uglyLines.slice(0, defLine - 1).join('\n');
    const tail = uglyLines.slice(classLine - 1).join('\n');
    expect(selected.startsWith(`${head}\n`)).toBe(true);
    expect(selected.endsWith(`\n${tail}`)).toBe(true);
    expect(selected).toContain('def func_3(a, b=2, *args, **kwargs):\n    x = {"a": 1, "b": [1, 2, 3], "c": (a, b)}');
    expect(selected).toContain('def func_4(a,b = 2 , *args,**kwargs):');
    await waitForText(bob.page, (text) => text === selected, 'Bob to get the formatted selection');

    // A syntax error: the text stays as it is, and the editor says why and where.
    const broken = `${expected}def broken(:\n    pass\n`;
    await setText(alice.page, broken);
    await alice.page.evaluate(() => window.__pairpad?.editor.setPosition({ lineNumber: 1, column: 1 }));
    await formatDocument(alice.page);
    const message = alice.page.locator('.monaco-editor-overlaymessage');
    await message.waitFor({ state: 'visible', timeout: 10_000 });
    const brokenLine = broken.split('\n').indexOf('def broken(:') + 1;
    expect(await message.textContent()).toContain(`syntax error on line ${brokenLine}`);
    expect(await editorText(alice.page)).toBe(broken);
    await waitFor(async () => (await editorText(bob.page)) === broken, { message: 'Bob to have the same, unformatted text' });

    // Everything came from our server: the worker and its WebAssembly among it.
    expect(requests.filter((url) => !url.startsWith(baseUrl) && !/^(data|blob):/.test(url))).toEqual([]);
    expect(requests.some((url) => /\/assets\/ruff-worker-[\w-]+\.js$/.test(url))).toBe(true);
    expect(requests.some((url) => /\/assets\/ruff_fmt_bg-[\w-]+\.wasm$/.test(url))).toBe(true);
    expect(alice.pageErrors).toEqual([]);
    expect(bob.pageErrors).toEqual([]);
  });
});
