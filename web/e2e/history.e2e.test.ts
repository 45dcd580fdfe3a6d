import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { editorText, focusEnd, launchBrowser, newUser, screenshot, waitForRoom, waitForText, type User } from './browser';
import { waitFor } from './server';

// Issue 17: save a named version, edit, open History and see the diff, restore (the partner's
// editor follows and shows the note), authorship colours for both authors, fork a new room.

const baseUrl = inject('baseUrl');
let browser: Browser;
let alice: User;
let bob: User;
let roomId = '';

const FIRST = 'const first = 1;\n';
const LATER = 'const later = 2;\n';
const BOBS = 'const bobs = 3;\n';

beforeAll(async () => {
  browser = await launchBrowser();
  const response = await fetch(`${baseUrl}/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'History e2e', language: 'javascript' }),
  });
  roomId = ((await response.json()) as { roomId: string }).roomId;
  alice = await newUser(browser, 'Alice');
  bob = await newUser(browser, 'Bobby');
  await Promise.all([alice.page.goto(`${baseUrl}/room/${roomId}`), bob.page.goto(`${baseUrl}/room/${roomId}`)]);
  await Promise.all([waitForRoom(alice.page), waitForRoom(bob.page)]);
});

afterAll(async () => {
  for (const user of [alice, bob]) await user?.context.close().catch(() => {});
  await browser?.close();
});

describe('history in the browser', () => {
  it('saves a named version with Ctrl+S and a name, then both keep typing', async () => {
    await focusEnd(alice.page);
    await alice.page.keyboard.type(FIRST);
    await waitForText(bob.page, (t) => t === FIRST, 'Bobby to see the first line');

    await alice.page.keyboard.press('Control+s');
    await alice.page.waitForSelector('[data-testid="save-dialog"]');
    await alice.page.fill('[data-testid="version-name"]', 'first draft');
    await alice.page.keyboard.press('Enter');
    await alice.page.waitForSelector('[data-testid="confirmation"]:has-text("Saved “first draft”")');
    expect(await alice.page.$('[data-testid="save-dialog"]')).toBeNull();

    await focusEnd(alice.page);
    await alice.page.keyboard.type(LATER);
    await waitForText(bob.page, (t) => t === FIRST + LATER, 'Bobby to see the later line');
    await focusEnd(bob.page);
    await bob.page.keyboard.type(BOBS);
    await waitForText(alice.page, (t) => t === FIRST + LATER + BOBS, 'Alice to see Bobby’s line');
  });

  it('History lists the named version; selecting it shows the diff against the text now and a replay', async () => {
    await alice.page.click('[data-testid="history-toggle"]');
    const item = '[data-testid="version-item"][data-kind="named"]:has-text("Saved: first draft")';
    await alice.page.waitForSelector(item);
    expect(await alice.page.textContent(item)).toMatch(/Alice/);
    await alice.page.click(item);
    await alice.page.waitForSelector('[data-testid="version-diff"] .monaco-diff-editor');
    // Monaco marks the lines added since the version on the right-hand side.
    await alice.page.waitForSelector('[data-testid="version-diff"] .editor.modified .line-insert', { timeout: 15_000 });
    const right = await alice.page.textContent('[data-testid="version-diff"] .editor.modified .view-lines');
    expect(right?.replace(/\u00a0/g, ' ')).toContain('const bobs = 3;');
    const left = await alice.page.textContent('[data-testid="version-diff"] .editor.original .view-lines');
    expect(left?.replace(/\u00a0/g, ' ')).toContain('const first = 1;');
    expect(left).not.toContain('later');

    await alice.page.click('[data-testid="tab-replay"]');
    await alice.page.waitForSelector('[data-testid="replay"]');
    const end = Number(await alice.page.getAttribute('[data-testid="replay"]', 'data-end'));
    expect(end).toBeGreaterThan(0);
    await alice.page.click('[data-testid="replay-play"]');
    await alice.page.waitForSelector(`[data-testid="replay"][data-position="${end}"]`, { timeout: 30_000 });
    expect(await alice.page.textContent('[data-testid="replay-step"]')).toMatch(/(Alice|Bobby)/);
    await screenshot(alice.page, 'history-replay.png');
    await alice.page.click('[data-testid="tab-diff"]');
  });

  it('restoring the named version: Bobby’s editor follows and he sees who restored which version', async () => {
    await alice.page.click('[data-testid="restore"]');
    await alice.page.click('[data-testid="restore-confirm"]');
    await waitForText(alice.page, (t) => t === FIRST, 'Alice’s editor to hold the restored text');
    await waitForText(bob.page, (t) => t === FIRST, 'Bobby’s editor to follow the restore');
    const toast = await bob.page.waitForSelector('[data-testid="restore-toast"]');
    expect(await toast.textContent()).toMatch(/Alice restored the \d\d:\d\d version “first draft”/);
    expect(await bob.page.$('[data-testid="restore-undo"]')).not.toBeNull();
    await screenshot(bob.page, 'history-restore-toast.png');
    // The timeline gains the text before the restore.
    await alice.page.waitForSelector('[data-testid="version-item"][data-kind="before_restore"]');
  });

  it('Undo in the toast restores the text from before the restore, for everyone', async () => {
    await bob.page.click('[data-testid="restore-undo"]');
    await waitForText(bob.page, (t) => t === FIRST + LATER + BOBS, 'Bobby’s undo to bring the text back');
    await waitForText(alice.page, (t) => t === FIRST + LATER + BOBS, 'Alice’s editor to follow the undo');
    const toast = await alice.page.waitForSelector('[data-testid="restore-toast"]:has-text("Bobby restored")');
    expect(await toast.textContent()).toMatch(/Bobby restored the \d\d:\d\d version/);
    // Back to the named version for the rest of the story.
    await alice.page.click('[data-testid="version-pane"] [data-testid="restore"]');
    await alice.page.click('[data-testid="restore-confirm"]');
    await waitForText(bob.page, (t) => t === FIRST, 'Bobby’s editor to follow the second restore');
  });

  it('authorship colours the characters of both authors, with a hover naming them', async () => {
    await focusEnd(bob.page);
    await bob.page.keyboard.type('bob();');
    await waitForText(alice.page, (t) => t === `${FIRST}bob();`, 'Alice to see Bobby’s new line');
    await alice.page.click('[data-testid="authorship-toggle"]');
    const classes = await waitFor(
      async () => {
        const found = await alice.page.evaluate(() => {
          const names = new Set<string>();
          document.querySelectorAll('[data-testid="editor"] .view-lines span[class*="pp-author-"]').forEach((el) => {
            for (const c of el.classList) if (c.startsWith('pp-author-')) names.add(c);
          });
          return [...names];
        });
        return found.length >= 2 ? found : false;
      },
      { timeout: 15_000, message: 'decorations in two authors’ colours' },
    );
    expect(classes.length).toBe(2);
    const legend = await alice.page.textContent('[data-testid="authorship-legend"]');
    expect(legend).toContain('Alice');
    expect(legend).toContain('Bobby');
    // Hovering Bobby's text names him and the minute he wrote it.
    await alice.page.hover('[data-testid="editor"] .view-lines span[class*="pp-author-"]:has-text("bob")', { timeout: 5_000 });
    await alice.page.waitForSelector('.monaco-hover:has-text("Bobby ·")', { timeout: 10_000 });
    await screenshot(alice.page, 'history-authorship.png');
  });

  it('a viewer browses history and authorship but cannot save, restore or fork', async () => {
    const details = (await (await fetch(`${baseUrl}/rooms/${roomId}`)).json()) as { viewId: string };
    const vera = await newUser(browser, 'Vera');
    try {
      await vera.page.goto(`${baseUrl}/watch/${details.viewId}`);
      await waitForRoom(vera.page);
      expect(await vera.page.$('[data-testid="save"]')).toBeNull();
      await vera.page.click('[data-testid="history-toggle"]');
      await vera.page.click('[data-testid="version-item"][data-kind="named"]');
      await vera.page.waitForSelector('[data-testid="version-diff"] .monaco-diff-editor');
      expect(await vera.page.$('[data-testid="restore"]')).toBeNull();
      expect(await vera.page.$('[data-testid="fork"]')).toBeNull();
      expect(await vera.page.textContent('[data-testid="edit-only-reason"]')).toMatch(/edit link/);
      await vera.page.click('[data-testid="authorship-toggle"]');
      await vera.page.waitForSelector('[data-testid="editor"] .view-lines span[class*="pp-author-"]');
      expect(vera.pageErrors).toEqual([]);
    } finally {
      await vera.context.close();
    }
  });

  it('fork opens a new room with the version’s text and a link back to its parent', async () => {
    // Still selected since the restore; select it again if not.
    const named = '[data-testid="version-item"][data-kind="named"]';
    if ((await alice.page.getAttribute(named, 'aria-pressed')) !== 'true') await alice.page.click(named);
    await alice.page.waitForSelector('[data-testid="version-pane"] [data-testid="fork"]');
    await alice.page.click('[data-testid="version-pane"] [data-testid="fork"]');
    await alice.page.waitForURL((url) => /^\/room\/[A-Za-z0-9_-]+$/.test(url.pathname) && !url.pathname.endsWith(roomId), { timeout: 15_000 });
    await waitForRoom(alice.page);
    // Connected comes just before the first sync delivers the text.
    await waitForText(alice.page, (t) => t === FIRST, 'the forked room to hold the version’s text');
    const parent = await alice.page.waitForSelector('[data-testid="forked-from"]');
    expect(await parent.textContent()).toMatch(/forked from History e2e/);
    expect(await alice.page.getAttribute('[data-testid="forked-from"] a', 'href')).toMatch(/^\/watch\//);
    // The parent room is untouched.
    expect(await editorText(bob.page)).toBe(`${FIRST}bob();`);
    expect([...alice.pageErrors, ...bob.pageErrors]).toEqual([]);
  });
});
