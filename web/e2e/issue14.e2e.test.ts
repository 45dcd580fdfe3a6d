import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { editorText, launchBrowser, newUser, waitForRoom, waitForText, type User } from './browser';
import { waitFor } from './server';

// Browser checks for issue 14 (what a real pair hit on first use).
const baseUrl = inject('baseUrl');
let browser: Browser;
const users: User[] = [];

async function user(name: string): Promise<User> {
  const made = await newUser(browser, name);
  users.push(made);
  return made;
}

async function createRoom(body: Record<string, unknown>): Promise<{ roomId: string; viewId: string }> {
  const response = await fetch(`${baseUrl}/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { roomId: string; viewId: string };
}

async function open(who: User, path: string): Promise<Page> {
  await who.page.goto(`${baseUrl}${path}`);
  await waitForRoom(who.page);
  return who.page;
}

/** Puts the caret at (line, column) through Monaco, as a click would. */
async function caretAt(page: Page, lineNumber: number, column: number): Promise<void> {
  await page.evaluate(
    ({ lineNumber, column }) => {
      const editor = window.__pairpad?.editor;
      editor?.focus();
      editor?.setPosition({ lineNumber, column });
      editor?.revealLineInCenter(lineNumber);
    },
    { lineNumber, column },
  );
}

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const made of users) await made.context.close().catch(() => {});
  await browser?.close();
});

describe('defect 6: a partner deletes the line you type on inside a Python def', () => {
  it('no "Illegal value for lineNumber" from sticky scroll in either tab, round after round', async () => {
    // The whole file is one def, so deleting any of its lines leaves its folding range one
    // line past the end until Monaco recomputes it.
    const code = 'def handler(event):\n    total = 0\n    for x in event:\n        total += x\n    return total';
    const { roomId } = await createRoom({ language: 'python', code });
    const ann = await user('Ann Six');
    const ben = await user('Ben Six');
    await open(ann, `/room/${roomId}`);
    await open(ben, `/room/${roomId}`);
    await waitForText(ben.page, (t) => t === code, 'Ben to get the code');
    for (let round = 0; round < 6; round++) {
      await caretAt(ann.page, 2, 30);
      await caretAt(ben.page, 2, 3);
      // Ann types at a human pace (two keys ~0.3 s apart: Monaco's folding model is then still
      // pending when its sticky-scroll candidates refresh); Ben deletes her line meanwhile.
      await ann.page.keyboard.type('x');
      await ann.page.waitForTimeout(305 + round * 5);
      await ann.page.keyboard.type('x');
      await ben.page.waitForTimeout(100);
      await ben.page.keyboard.press('Control+Shift+K');
      await waitFor(async () => (await editorText(ann.page)) === (await editorText(ben.page)), { message: 'both tabs to converge' });
      await ann.page.waitForTimeout(700);
      // Put a line back for the next round.
      await caretAt(ann.page, 1, 100);
      await ann.page.keyboard.press('Enter');
      await ann.page.keyboard.type('y = 1');
      await waitFor(async () => (await editorText(ann.page)) === (await editorText(ben.page)), { message: 'both tabs to converge' });
      await ann.page.waitForTimeout(700);
    }
    expect(ann.pageErrors, 'Ann').toEqual([]);
    expect(ben.pageErrors, 'Ben').toEqual([]);
  });
});
