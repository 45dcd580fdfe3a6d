import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { caretAt, editorText, focusEnd, launchBrowser, newUser, waitForRoom, waitForText, type User } from './browser';

const baseUrl = inject('baseUrl');
let browser: Browser;
let yjsUser: User;
let lwwUser: User;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const user of [yjsUser, lwwUser]) await user?.context.close().catch(() => {});
  await browser?.close();
});

describe('?sync=lww fallback', () => {
  it('uses the whole-buffer endpoint, says edits may overwrite, and interoperates with Yjs editors', async () => {
    const response = await fetch(`${baseUrl}/rooms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ language: 'go', code: 'package main\n' }),
    });
    const { roomId } = (await response.json()) as { roomId: string };

    lwwUser = await newUser(browser, 'Lee');
    const sockets: string[] = [];
    lwwUser.page.on('websocket', (ws) => sockets.push(new URL(ws.url()).pathname));
    await lwwUser.page.goto(`${baseUrl}/room/${roomId}?sync=lww`);
    await waitForRoom(lwwUser.page);
    await lwwUser.page.waitForSelector('[data-testid="lww-banner"]');
    expect(sockets).toContain(`/ws/${roomId}`);
    expect(sockets.some((p) => p.startsWith('/yjs'))).toBe(false);
    await waitForText(lwwUser.page, (t) => t === 'package main\n', 'the initial buffer');
    expect(await lwwUser.page.inputValue('[data-testid="language-select"]')).toBe('go');

    yjsUser = await newUser(browser, 'Yara');
    await yjsUser.page.goto(`${baseUrl}/room/${roomId}`);
    await waitForRoom(yjsUser.page);

    await focusEnd(lwwUser.page);
    await lwwUser.page.keyboard.type('// from lww');
    await waitForText(yjsUser.page, (t) => t === 'package main\n// from lww', 'the Yjs editor to get the LWW edit');

    await focusEnd(yjsUser.page);
    await yjsUser.page.keyboard.type(' and yjs');
    await waitForText(lwwUser.page, (t) => t === 'package main\n// from lww and yjs', 'the LWW editor to get the Yjs edit');
    expect(await editorText(yjsUser.page)).toBe('package main\n// from lww and yjs');
    await lwwUser.page.waitForSelector('[data-testid="participant"][data-name="Yara"][data-online="true"]');
    // The Yjs side learns about the LWW participant from the server's roster in awareness.
    await yjsUser.page.waitForSelector('[data-testid="participant"][data-name="Lee"][data-online="true"]');
  });
  it('a buffer typed while offline is merged with what others typed meanwhile: nothing is overwritten', async () => {
    const before = 'package main\n// from lww and yjs';
    await lwwUser.context.setOffline(true);
    await lwwUser.page.waitForSelector('[data-testid="offline-banner"]', { timeout: 15_000 });
    await caretAt(lwwUser.page, 1, 1);
    await lwwUser.page.keyboard.type('// offline ');
    await focusEnd(yjsUser.page);
    await yjsUser.page.keyboard.type('!');
    await waitForText(yjsUser.page, (t) => t === `${before}!`, 'the Yjs edit made while Lee is offline');
    await lwwUser.context.setOffline(false);
    const merged = `// offline ${before}!`;
    await waitForText(lwwUser.page, (t) => t === merged, 'Lee to get the merged text', 30_000);
    await waitForText(yjsUser.page, (t) => t === merged, 'the Yjs editor to keep its edit and get the offline one', 30_000);
  });
});
