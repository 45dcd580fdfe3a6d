import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { editorText, focusEnd, launchBrowser, newUser, waitForRoom, waitForText, type User } from './browser';
import { freePort, startServer, waitFor, type ServerHandle } from './server';

// This file runs its own server so it can stop and restart it on the same DATA_DIR.
let browser: Browser;
let server: ServerHandle;
let dataDir: string;
let port: number;
let alice: User;
let roomId = '';

async function serverCode(): Promise<string> {
  const response = await fetch(`${server.url}/rooms/${roomId}`);
  const body = (await response.json()) as { code: string };
  return body.code;
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'pairpad-e2e-restart-'));
  port = await freePort();
  server = await startServer({ port, dataDir });
  browser = await launchBrowser();
});

afterAll(async () => {
  await alice?.context.close().catch(() => {});
  await browser?.close();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the document survives reloads and server restarts', () => {
  it('a reload restores the document', async () => {
    const response = await fetch(`${server.url}/rooms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Restart me', language: 'python' }),
    });
    expect(response.status).toBe(201);
    roomId = ((await response.json()) as { roomId: string }).roomId;
    alice = await newUser(browser, 'Alice');
    await alice.page.goto(`${server.url}/room/${roomId}`);
    await waitForRoom(alice.page);
    await focusEnd(alice.page);
    await alice.page.keyboard.type('def hello():');
    await alice.page.keyboard.press('Enter');
    await alice.page.keyboard.type('return 42');
    const typed = await editorText(alice.page);
    expect(typed).toContain('return 42');
    await waitFor(async () => (await serverCode()) === typed, { message: 'the server to hold the text' });

    await alice.page.reload();
    await waitForRoom(alice.page);
    await waitForText(alice.page, (t) => t === typed, 'the text after reload');
    expect(await alice.page.inputValue('[data-testid="language-select"]')).toBe('python');
  });

  it('a server restart (SIGTERM, start again on the same DATA_DIR) restores it; offline edits merge on reconnect', async () => {
    const before = await editorText(alice.page);
    const code = await server.stop();
    expect(code === 0 || code === null).toBe(true);
    await alice.page.waitForSelector('[data-testid="connection-status"]:not([data-status="connected"])');
    await alice.page.waitForSelector('[data-testid="offline-banner"]');

    // Typing while the server is away: kept locally, merged when it is back.
    await focusEnd(alice.page);
    await alice.page.keyboard.press('Enter');
    await alice.page.keyboard.type('# typed while offline');
    const withOffline = await editorText(alice.page);

    server = await startServer({ port, dataDir });
    await alice.page.waitForSelector('[data-testid="connection-status"][data-status="connected"]', { timeout: 30_000 });
    await waitFor(async () => (await serverCode()) === withOffline, { timeout: 15_000, message: 'the offline edit to reach the server' });

    // A fresh browser gets the stored document.
    const bob = await newUser(browser, 'Bob');
    await bob.page.goto(`${server.url}/room/${roomId}`);
    await waitForRoom(bob.page);
    await waitForText(bob.page, (t) => t === withOffline, 'the stored document in a fresh browser');
    expect(withOffline.startsWith(before)).toBe(true);
    await bob.context.close();
  });

  it('a short network blip (the socket survives it) ends "connected" again, with the edit typed during it stored', async () => {
    await alice.context.setOffline(true);
    await alice.page.waitForSelector('[data-testid="connection-status"][data-status="offline"]');
    await focusEnd(alice.page);
    await alice.page.keyboard.press('Enter');
    await alice.page.keyboard.type('# typed during a blip');
    const withBlip = await editorText(alice.page);
    await alice.context.setOffline(false);
    await alice.page.waitForSelector('[data-testid="connection-status"][data-status="connected"]', { timeout: 15_000 });
    await alice.page.waitForSelector('[data-testid="offline-banner"]', { state: 'detached' });
    await waitFor(async () => (await serverCode()) === withBlip, { timeout: 15_000, message: 'the blip edit to reach the server' });
  });
});
