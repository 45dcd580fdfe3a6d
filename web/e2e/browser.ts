import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { waitFor, webDir } from './server';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const artifactsDir = path.join(webDir, 'test-results');

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

export interface User {
  name: string;
  context: BrowserContext;
  page: Page;
  /** Uncaught errors and unhandled rejections in the page, for tests to assert there were none. */
  pageErrors: string[];
}

/** A separate browser profile (own storage) whose remembered display name is `name`. */
export async function newUser(browser: Browser, name: string, viewport = { width: 1280, height: 800 }): Promise<User> {
  const context = await browser.newContext({ viewport });
  await context.addInitScript((remembered: string) => {
    if (!localStorage.getItem('pairpad.name')) localStorage.setItem('pairpad.name', remembered);
  }, name);
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => {
    pageErrors.push(error.message);
    console.error(`[${name}] page error: ${error.message}`);
  });
  return { name, context, page, pageErrors };
}

/** Waits for Monaco to mount and the socket to be connected and synced. */
export async function waitForRoom(page: Page, timeout = 30_000): Promise<void> {
  await page.waitForSelector('[data-testid="editor"] .monaco-editor .view-lines', { timeout });
  await page.waitForSelector('[data-testid="connection-status"][data-status="connected"]', { timeout });
}

/** Puts the caret at (line, column) through Monaco, focusing the editor as a click would. */
export async function caretAt(page: Page, lineNumber: number, column: number): Promise<void> {
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

export async function editorText(page: Page): Promise<string> {
  return page.evaluate(() => window.__pairpad?.text() ?? '');
}

export async function editorLanguage(page: Page): Promise<string> {
  return page.evaluate(() => window.__pairpad?.language() ?? '');
}

/** Focuses the editor with the caret at the very end of the document. */
export async function focusEnd(page: Page): Promise<void> {
  await page.click('[data-testid="editor"] .view-lines');
  await page.keyboard.press('Control+End');
}

export async function waitForText(page: Page, predicate: (text: string) => boolean, message: string, timeout = 15_000): Promise<string> {
  return waitFor(async () => {
    const text = await editorText(page);
    return predicate(text) ? text : false;
  }, { timeout, message });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(artifactsDir, { recursive: true });
  const file = path.join(artifactsDir, name);
  await page.screenshot({ path: file });
  return file;
}

/** True when `needle`'s characters appear in `haystack` in order (concurrent typing may interleave runs). */
export function isSubsequence(needle: string, haystack: string): boolean {
  let i = 0;
  for (const ch of haystack) if (ch === needle[i]) i++;
  return i === needle.length;
}
