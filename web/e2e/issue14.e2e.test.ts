import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { caretAt, editorText, focusEnd, launchBrowser, newUser, waitForRoom, waitForText, type User } from './browser';
import { freePort, startServer, waitFor, type ServerHandle } from './server';

// Browser checks for issue 14 (what a real pair hit on first use). ISSUE14_WEB_DIR=<a build>
// runs them against another build of the web app (e.g. one from before the fixes, to see them fail).
let baseUrl = inject('baseUrl');
let ownServer: ServerHandle | null = null;
let ownDataDir = '';
let browser: Browser;
const users: User[] = [];

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
const overlaps = (a: Box, b: Box): boolean => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

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


beforeAll(async () => {
  const webDir = process.env.ISSUE14_WEB_DIR;
  if (webDir) {
    ownDataDir = mkdtempSync(path.join(tmpdir(), 'pairpad-e2e-issue14-'));
    ownServer = await startServer({ port: await freePort(), dataDir: ownDataDir, webDir });
    baseUrl = ownServer.url;
  }
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const made of users) await made.context.close().catch(() => {});
  await browser?.close();
  await ownServer?.stop();
  if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
});

async function patchLimit(roomId: string, limit: number): Promise<number> {
  const response = await fetch(`${baseUrl}/rooms/${roomId}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ limit }),
  });
  return response.status;
}

const onlineCount = (page: Page): Promise<string | null> => page.textContent('[data-testid="online-count"]');

describe('defect 5 and the capacity gap: the limit is live, and editors change it on the page', () => {
  it('a PATCH elsewhere shows on open pages without a reload; editors set it with the PATCH rules; viewers cannot', async () => {
    const { roomId, viewId } = await createRoom({ limit: 5 });
    const ann = await user('Ann Five');
    const ben = await user('Ben Five');
    const vic = await user('Vic Five');
    await open(ann, `/room/${roomId}`);
    await open(ben, `/room/${roomId}`);
    await open(vic, `/watch/${viewId}`);
    for (const u of [ann, ben, vic]) {
      await waitFor(async () => (await onlineCount(u.page)) === '3 online / limit 5', { message: `${u.name}: 3 online / limit 5` });
    }
    // Someone changes the capacity through the API: every open page follows.
    expect(await patchLimit(roomId, 4)).toBe(200);
    for (const u of [ann, ben, vic]) {
      await waitFor(async () => (await onlineCount(u.page)) === '3 online / limit 4', { message: `${u.name} to see limit 4 live` });
    }
    // Ann sets it from the room page; Ben and the viewer see it live.
    await ann.page.fill('[data-testid="capacity-input"]', '7');
    await ann.page.click('[data-testid="capacity-apply"]');
    for (const u of [ann, ben, vic]) {
      await waitFor(async () => (await onlineCount(u.page)) === '3 online / limit 7', { message: `${u.name} to see limit 7` });
    }
    expect(await ben.page.inputValue('[data-testid="capacity-input"]')).toBe('7');
    // Out of range: refused before anything is sent.
    await ann.page.fill('[data-testid="capacity-input"]', '21');
    await ann.page.click('[data-testid="capacity-apply"]');
    expect(await ann.page.textContent('[data-testid="capacity-error"]')).toBe('Capacity must be a whole number from 2 to 20');
    // Below the number online: the server's 409, in words, and nothing changes.
    await ann.page.fill('[data-testid="capacity-input"]', '2');
    await ann.page.click('[data-testid="capacity-apply"]');
    await waitFor(async () => (await ann.page.textContent('[data-testid="capacity-error"]'))?.includes('3 participants are online') ?? false, {
      message: 'the 409 message',
    });
    expect(await onlineCount(ben.page)).toBe('3 online / limit 7');
    // The viewer has no control.
    expect(await vic.page.$('[data-testid="capacity-input"]')).toBeNull();
    for (const u of [ann, ben, vic]) expect(u.pageErrors, u.name).toEqual([]);
  });
});

describe('defect 8: the join form accepts only this server’s links', () => {
  it('a foreign link is refused with the reason; this server’s link still joins', async () => {
    const { roomId } = await createRoom({});
    const joe = await user('Joe Eight');
    await joe.page.goto(`${baseUrl}/`);
    await joe.page.fill('[data-testid="display-name"]', 'Joe Eight');
    await joe.page.fill('[data-testid="join-link"]', `https://example.com/room/${roomId}`);
    await joe.page.click('[data-testid="join-room"]');
    await joe.page.waitForSelector('[data-testid="join-link-error"]');
    expect(await joe.page.textContent('[data-testid="join-link-error"]')).toMatch(/example\.com, not this pairpad server/);
    expect(new URL(joe.page.url()).pathname).toBe('/');
    await joe.page.fill('[data-testid="join-link"]', `${baseUrl}/room/${roomId}`);
    await joe.page.click('[data-testid="join-room"]');
    await joe.page.waitForURL(`${baseUrl}/room/${roomId}`);
  });
});

describe('defect 4 (client half): never online yourself while disconnected', () => {
  it('your own row turns offline with the offline badge, and online again after', async () => {
    const { roomId } = await createRoom({});
    const oli = await user('Oli Four');
    await open(oli, `/room/${roomId}`);
    await oli.page.waitForSelector('[data-testid="participant"][data-name="Oli Four"][data-online="true"]');
    await oli.context.setOffline(true);
    await oli.page.waitForSelector('[data-testid="connection-status"][data-status="offline"]');
    await oli.page.waitForSelector('[data-testid="participant"][data-name="Oli Four"][data-online="false"]', { timeout: 5_000 });
    expect(await oli.page.textContent('[data-testid="participant"][data-name="Oli Four"]')).toContain('offline');
    expect(await onlineCount(oli.page)).toMatch(/^0 online/);
    await oli.context.setOffline(false);
    await oli.page.waitForSelector('[data-testid="participant"][data-name="Oli Four"][data-online="true"]', { timeout: 20_000 });
  });
});

describe('defect 10: cursors and the undo pill stay out of the code', () => {
  it('labels never cover another line, two cursors at one spot show two labels, a viewer is marked as watching', async () => {
    const code = Array.from({ length: 40 }, (_, i) => `line_${i} = "${'x'.repeat(20 + (i % 7) * 6)}"`).join('\n');
    const { roomId, viewId } = await createRoom({ language: 'python', code });
    const ann = await user('Ann Ten');
    const ben = await user('Ben Ten');
    const cat = await user('Cat Ten');
    const vic = await user('Vic Ten');
    await open(ann, `/room/${roomId}`);
    await open(ben, `/room/${roomId}`);
    await open(cat, `/room/${roomId}`);
    await open(vic, `/watch/${viewId}`);
    await waitForText(ann.page, (t) => t === code, 'the code on Ann');
    // Ben and Cat both put their caret at the same spot on line 5; the viewer on line 9.
    await caretAt(ben.page, 5, 4);
    await caretAt(cat.page, 5, 4);
    await caretAt(vic.page, 9, 6);
    await ann.page.waitForSelector('[data-testid="remote-cursor-label"][data-name="Ben Ten"]');
    await ann.page.waitForSelector('[data-testid="remote-cursor-label"][data-name="Cat Ten"]');
    await ann.page.waitForSelector('[data-testid="remote-cursor-label"][data-name="Vic Ten"]');
    const boxes = await ann.page.evaluate(() => {
      const rect = (el: Element | null) => {
        const r = el?.getBoundingClientRect();
        return r ? { x: r.x, y: r.y, width: r.width, height: r.height } : null;
      };
      const editor = window.__pairpad!.editor;
      const labels = [...document.querySelectorAll('[data-testid="remote-cursor-label"]')].map((el) => ({
        name: (el as HTMLElement).dataset.name ?? '',
        text: el.textContent ?? '',
        viewer: el.classList.contains('is-viewer'),
        box: rect(el)!,
      }));
      // Every rendered piece of text (one span per token) with its line number.
      const host = document.querySelector('[data-testid="editor"]')!.getBoundingClientRect();
      const lineHeight = 21;
      const texts = [...document.querySelectorAll('[data-testid="editor"] .view-line span span')]
        .map((el) => ({ box: rect(el)!, text: el.textContent ?? '' }))
        .filter((t) => t.text.trim().length > 0 && t.box.width > 0)
        .map((t) => ({ ...t, line: editor.getTargetAtClientPoint(t.box.x + 1, t.box.y + t.box.height / 2)?.position?.lineNumber ?? -1 }));
      const heads = [...document.querySelectorAll('[data-testid="editor"] .yRemoteSelectionHead')].map((el) => ({
        cls: el.className,
        style: getComputedStyle(el).borderLeftStyle,
      }));
      return { labels, texts, heads, host: { x: host.x, y: host.y, width: host.width, height: host.height }, lineHeight };
    });
    // Two cursors at one spot: two labels, side by side.
    const benBox = boxes.labels.find((l) => l.name === 'Ben Ten')!.box;
    const catBox = boxes.labels.find((l) => l.name === 'Cat Ten')!.box;
    expect(overlaps(benBox, catBox), JSON.stringify({ benBox, catBox })).toBe(false);
    expect(benBox.width).toBeGreaterThan(20);
    expect(catBox.width).toBeGreaterThan(20);
    // No label covers any text (of its own line or the one above).
    for (const label of boxes.labels) {
      const covered = boxes.texts.filter((t) => overlaps(label.box, t.box));
      expect(covered.map((t) => `${t.line}:${t.text}`), `${label.name}'s label covers code`).toEqual([]);
    }
    // The viewer is marked as watching: label text and a dashed caret.
    const vicLabel = boxes.labels.find((l) => l.name === 'Vic Ten')!;
    expect(vicLabel.text).toBe('Vic Ten (watching)');
    expect(vicLabel.viewer).toBe(true);
    expect(boxes.labels.find((l) => l.name === 'Ben Ten')!.text).toBe('Ben Ten');
    expect(boxes.heads.some((h) => h.style === 'dashed'), JSON.stringify(boxes.heads)).toBe(true);
    expect(boxes.heads.filter((h) => h.style === 'solid').length, JSON.stringify(boxes.heads)).toBe(2);
    for (const u of [ann, ben, cat, vic]) expect(u.pageErrors, u.name).toEqual([]);
  });

  it('the Undo/Redo pill does not cover the ends of the bottom lines', async () => {
    const code = Array.from({ length: 120 }, (_, i) => `value_${i} = ${'9'.repeat(150)}`).join('\n');
    const { roomId } = await createRoom({ language: 'python', code });
    const ann = await user('Ann Pill');
    await open(ann, `/room/${roomId}`);
    await waitForText(ann.page, (t) => t === code, 'the code');
    // Long lines, scrolled to the middle and to the far right of the text.
    await caretAt(ann.page, 60, 150);
    const result = await ann.page.evaluate(() => {
      const r = (el: Element | null) => {
        const b = el?.getBoundingClientRect();
        return b ? { x: b.x, y: b.y, width: b.width, height: b.height } : null;
      };
      return {
        pill: r(document.querySelector('[data-testid="undo"]')?.parentElement ?? null),
        lines: r(document.querySelector('[data-testid="editor"] .monaco-scrollable-element')),
      };
    });
    expect(result.pill).not.toBeNull();
    expect(overlaps(result.pill!, result.lines!), JSON.stringify(result)).toBe(false);
  });
});

describe('the Ctrl/Cmd+S gap: save from the keyboard, and an honest saved indicator', () => {
  it('Ctrl+S in the editor saves a version without the browser dialog; edits show Saving… then All changes saved', async () => {
    const { roomId } = await createRoom({ code: 'start' });
    const sam = await user('Sam Save');
    await open(sam, `/room/${roomId}`);
    await sam.page.waitForSelector('[data-testid="save-state"][data-state="saved"]');
    expect(await sam.page.textContent('[data-testid="save-state"]')).toBe('All changes saved');
    // Record whether Ctrl+S reached the browser's default action.
    await sam.page.evaluate(() => {
      (window as unknown as { __ctrlS: boolean[] }).__ctrlS = [];
      window.addEventListener('keydown', (event) => {
        if (event.ctrlKey && event.key.toLowerCase() === 's') (window as unknown as { __ctrlS: boolean[] }).__ctrlS.push(event.defaultPrevented);
      });
    });
    const saved = sam.page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith(`/rooms/${roomId}/versions`), { timeout: 5_000 });
    await focusEnd(sam.page);
    await sam.page.keyboard.type(' more');
    await sam.page.waitForSelector('[data-testid="save-state"][data-state="saving"]', { timeout: 2_000 });
    await sam.page.keyboard.press('Control+s');
    // Ctrl+S asks for an optional version name; Enter saves and the caret is back in the editor.
    await sam.page.waitForSelector('[data-testid="save-dialog"]');
    await sam.page.keyboard.press('Enter');
    await saved;
    await sam.page.waitForSelector('[data-testid="saved-at"]');
    await sam.page.waitForSelector('[data-testid="save-dialog"]', { state: 'detached' });
    expect(await sam.page.evaluate(() => (window as unknown as { __ctrlS: boolean[] }).__ctrlS)).toEqual([true]);
    await sam.page.waitForSelector('[data-testid="save-state"][data-state="saved"]', { timeout: 5_000 });
    // Offline, edits are not saved and the indicator says so; back online they are.
    await sam.context.setOffline(true);
    await sam.page.waitForSelector('[data-testid="connection-status"][data-status="offline"]');
    await sam.page.keyboard.type(' offline');
    await sam.page.waitForSelector('[data-testid="save-state"][data-state="offline"]');
    await sam.context.setOffline(false);
    await sam.page.waitForSelector('[data-testid="save-state"][data-state="saved"]', { timeout: 20_000 });
    await waitFor(async () => {
      const body = (await (await fetch(`${baseUrl}/rooms/${roomId}`)).json()) as { code: string };
      return body.code === 'start more offline';
    }, { message: 'the server to hold every edit' });
    expect(sam.pageErrors).toEqual([]);
  });
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
