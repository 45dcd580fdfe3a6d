import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page, Request } from 'playwright-core';
import {
  editorLanguage,
  editorText,
  focusEnd,
  isSubsequence,
  launchBrowser,
  newUser,
  screenshot,
  waitForRoom,
  waitForText,
  type User,
} from './browser';
import { waitFor } from './server';

const baseUrl = inject('baseUrl');
let browser: Browser;
let alice: User;
let bob: User;
let viewer: User;
let roomId = '';

async function tokenClasses(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const classes = new Set<string>();
    document.querySelectorAll('[data-testid="editor"] .view-lines span[class^="mtk"]').forEach((el) => classes.add(el.classList[0] ?? ''));
    return [...classes];
  });
}

async function suggestFor(code: string, language: string): Promise<{ suggestion: string }> {
  const response = await fetch(`${baseUrl}/autocomplete`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code, cursorPosition: code.length, language }),
  });
  return (await response.json()) as { suggestion: string };
}

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const user of [alice, bob, viewer]) await user?.context.close().catch(() => {});
  await browser?.close();
});

describe('two people in one room', () => {
  it('Alice creates a room on the home page; Bob joins by pasting the edit link', async () => {
    alice = await newUser(browser, 'Alice');
    await alice.page.goto(`${baseUrl}/`);
    await alice.page.fill('[data-testid="display-name"]', 'Alice');
    await alice.page.fill('[data-testid="room-name"]', 'E2E pairing');
    await alice.page.selectOption('[data-testid="create-language"]', 'plaintext');
    await alice.page.fill('[data-testid="create-limit"]', '5');
    await alice.page.click('[data-testid="create-room"]');
    await alice.page.waitForURL(/\/room\/[A-Za-z0-9_-]{6,64}$/);
    roomId = new URL(alice.page.url()).pathname.split('/').pop() ?? '';
    await waitForRoom(alice.page);
    expect(await alice.page.inputValue('[data-testid="room-title"]')).toBe('E2E pairing');

    bob = await newUser(browser, 'Bob');
    await bob.page.goto(`${baseUrl}/`);
    await bob.page.fill('[data-testid="display-name"]', 'Bob');
    await bob.page.fill('[data-testid="join-link"]', `${baseUrl}/room/${roomId}`);
    await bob.page.click('[data-testid="join-room"]');
    await bob.page.waitForURL(`${baseUrl}/room/${roomId}`);
    await waitForRoom(bob.page);
  });

  it('both type into the same line at the same time and end with identical text holding both inputs', async () => {
    await focusEnd(alice.page);
    await alice.page.keyboard.type('let x = 1;');
    await waitForText(bob.page, (t) => t === 'let x = 1;', 'Bob to see the first line');
    await focusEnd(alice.page);
    await focusEnd(bob.page);
    const a = 'alpha_one_two';
    const b = 'BRAVO_SIX_TEN';
    await Promise.all([alice.page.keyboard.type(a, { delay: 25 }), bob.page.keyboard.type(b, { delay: 25 })]);
    const expectedLength = 'let x = 1;'.length + a.length + b.length;
    const final = await waitFor(
      async () => {
        const [ta, tb] = await Promise.all([editorText(alice.page), editorText(bob.page)]);
        return ta === tb && ta.length === expectedLength ? ta : false;
      },
      { timeout: 15_000, message: 'both editors to converge' },
    );
    expect(final, final).toMatch(/^let x = 1;/);
    expect(final.includes('\n')).toBe(false); // still one line
    expect(isSubsequence(a, final), final).toBe(true);
    expect(isSubsequence(b, final), final).toBe(true);
    // Each caret stays behind its owner's own characters, so the two runs do not interleave.
    expect(final).toContain(a);
    expect(final).toContain(b);
  });

  it('each sees the other’s cursor label and both names in the presence panel', async () => {
    await alice.page.waitForSelector('[data-testid="remote-cursor-label"][data-name="Bob"]', { state: 'attached' });
    await bob.page.waitForSelector('[data-testid="remote-cursor-label"][data-name="Alice"]', { state: 'attached' });
    for (const user of [alice, bob]) {
      await user.page.waitForSelector('[data-testid="participant"][data-name="Alice"][data-online="true"]');
      await user.page.waitForSelector('[data-testid="participant"][data-name="Bob"][data-online="true"]');
      await waitFor(async () => (await user.page.textContent('[data-testid="online-count"]')) === '2 online / limit 5', {
        message: `${user.name}'s online count`,
      });
    }
  });

  it('a viewer sees edits and cursors live but cannot type', async () => {
    const details = (await (await fetch(`${baseUrl}/rooms/${roomId}`)).json()) as { viewId: string };
    viewer = await newUser(browser, 'Vera');
    await viewer.page.goto(`${baseUrl}/watch/${details.viewId}`);
    await waitForRoom(viewer.page);
    await viewer.page.waitForSelector('[data-testid="viewer-banner"]');
    expect(await viewer.page.getAttribute('[data-testid="editor"]', 'data-readonly')).toBe('true');
    expect(await viewer.page.$('[data-testid="copy-edit-link"]')).toBeNull();
    const start = await editorText(alice.page);
    await waitForText(viewer.page, (t) => t === start, 'the viewer to get the document');

    await focusEnd(alice.page);
    await alice.page.keyboard.type(' // live');
    await waitForText(viewer.page, (t) => t.endsWith(' // live'), 'the viewer to see a live edit');
    await viewer.page.waitForSelector('[data-testid="remote-cursor-label"][data-name="Alice"]', { state: 'attached' });
    await viewer.page.waitForSelector('[data-testid="remote-cursor-label"][data-name="Bob"]', { state: 'attached' });

    // The viewer tries to type; then Alice types a marker. Once the marker arrives everywhere,
    // any edit from the viewer would have arrived too.
    await viewer.page.click('[data-testid="editor"] .view-lines');
    await viewer.page.keyboard.type('zzz');
    expect(await editorText(viewer.page)).not.toContain('zzz');
    await focusEnd(alice.page);
    await alice.page.keyboard.type('!');
    await waitForText(viewer.page, (t) => t.endsWith(' // live!'), 'the marker on the viewer');
    await waitForText(bob.page, (t) => t.endsWith(' // live!'), 'the marker on Bob');
    for (const user of [alice, bob, viewer]) expect(await editorText(user.page)).not.toContain('zzz');
    await alice.page.waitForSelector('[data-testid="participant"][data-name="Vera"]');
    expect(await alice.page.textContent('[data-testid="participant"][data-name="Vera"]')).toContain('viewer');
  });

  it('a language switch by one user changes highlighting for the other', async () => {
    expect(await editorLanguage(bob.page)).toBe('plaintext');
    const before = await tokenClasses(bob.page);
    expect(before.length, before.join(',')).toBe(1);
    await alice.page.selectOption('[data-testid="language-select"]', 'javascript');
    await waitFor(async () => (await editorLanguage(bob.page)) === 'javascript', { message: 'Bob’s editor language' });
    expect(await bob.page.inputValue('[data-testid="language-select"]')).toBe('javascript');
    await waitFor(async () => (await tokenClasses(bob.page)).length > 1, { message: 'Bob’s editor to re-highlight' });
    await waitFor(async () => (await editorLanguage(viewer.page)) === 'javascript', { message: 'the viewer’s editor language' });
  });

  it('renaming the room shows up for the other user and in REST', async () => {
    await alice.page.fill('[data-testid="room-title"]', 'Renamed live');
    await alice.page.press('[data-testid="room-title"]', 'Enter');
    await waitFor(async () => (await bob.page.inputValue('[data-testid="room-title"]')) === 'Renamed live', {
      message: 'Bob to see the new room name',
    });
    await waitFor(async () => (await viewer.page.textContent('[data-testid="room-title"]')) === 'Renamed live', {
      message: 'the viewer to see the new room name',
    });
    await waitFor(
      async () => ((await (await fetch(`${baseUrl}/rooms/${roomId}`)).json()) as { name: string }).name === 'Renamed live',
      { message: 'REST to see the new name' },
    );
  });

  it('ghost text appears after a pause (not while typing) and Tab inserts it', async () => {
    // The server's engine only speaks when it is confident: find a context it completes for
    // this document. The context goes in as one edit (as if pasted); the last characters are
    // typed like a person would.
    const start = await editorText(alice.page);
    const candidates = [
      '\nconsole.lo',
      '\nretu',
      "\nconst { data } = await get('/a');\nconst { data } = await get('/b');\nconst { data } = await get('/c');\nconst { data } = await get('/d');\ncons",
      '\nfunction computeTotal(a, b) {\n  return a + b;\n}\ncomputeTotal(1, 2);\ncomputeTotal(3, 4);\ncomputeTotal(5, 6);\ncomputeTo',
      '\nconst value = 1;\nvalue = 2;\nval',
    ];
    let line = '';
    for (const candidate of candidates) {
      const answer = await suggestFor(start + candidate, 'javascript');
      if (answer.suggestion) {
        line = candidate;
        break;
      }
    }
    expect(line, 'a context the local engine completes').not.toBe('');
    const pasted = line.slice(0, -2);
    const typed = line.slice(-2);
    await alice.page.evaluate((text) => {
      const editor = window.__pairpad?.editor;
      const model = editor?.getModel();
      if (!editor || !model) return;
      // Unfocused, so the paste itself asks for nothing; the typing below does.
      (document.activeElement as HTMLElement | null)?.blur();
      const end = model.getPositionAt(model.getValueLength());
      editor.executeEdits('e2e', [{ range: { startLineNumber: end.lineNumber, startColumn: end.column, endLineNumber: end.lineNumber, endColumn: end.column }, text }]);
    }, pasted);
    await waitForText(alice.page, (t) => t === start + pasted, 'the pasted context');

    const requests: number[] = [];
    const onRequest = (request: Request): void => {
      if (request.url().endsWith('/autocomplete') && request.method() === 'POST') requests.push(Date.now());
    };
    alice.page.on('request', onRequest);
    await focusEnd(alice.page);
    await alice.page.keyboard.type(typed.slice(0, 1), { delay: 30 });
    expect(requests, 'no request while typing').toEqual([]);
    await alice.page.keyboard.type(typed.slice(1));
    await alice.page.waitForSelector('[data-testid="suggestion-hint"][data-source="local"]', { timeout: 10_000 });
    await alice.page.waitForSelector('[data-testid="editor"] .ghost-text-decoration', { timeout: 10_000 });
    expect(requests.length).toBeGreaterThanOrEqual(1);
    // Esc dismisses; typing again brings a fresh suggestion after the next pause.
    await alice.page.keyboard.press('Escape');
    await alice.page.waitForSelector('[data-testid="editor"] .ghost-text-decoration', { state: 'detached' });
    await alice.page.waitForSelector('[data-testid="suggestion-hint"]', { state: 'detached' });
    await alice.page.keyboard.press('Backspace');
    await alice.page.keyboard.type(typed.slice(-1));
    await alice.page.waitForSelector('[data-testid="editor"] .ghost-text-decoration', { timeout: 10_000 });
    // The ghost text is exactly what the server suggests for this text and cursor.
    const code = await editorText(alice.page);
    const answer = await suggestFor(code, 'javascript');
    expect(answer.suggestion.length).toBeGreaterThan(0);
    const ghost = await alice.page.textContent('[data-testid="editor"] .ghost-text-decoration');
    expect(answer.suggestion.startsWith(ghost ?? '-')).toBe(true);
    await alice.page.keyboard.press('Tab');
    const accepted = `${code}${answer.suggestion}`;
    await waitForText(alice.page, (t) => t === accepted, 'Tab to insert the suggestion');
    await waitForText(bob.page, (t) => t === accepted, 'Bob to get the accepted suggestion');
    alice.page.off('request', onRequest);
    // Viewers never ask.
    expect(await viewer.page.$('[data-testid="suggestion-hint"]')).toBeNull();
  });

  it('Save keeps a version (the name is optional) and shows the time', async () => {
    await alice.page.click('[data-testid="save"]');
    await alice.page.waitForSelector('[data-testid="save-dialog"]');
    await alice.page.keyboard.press('Enter');
    const saved = await alice.page.waitForSelector('[data-testid="saved-at"]', { timeout: 10_000 });
    expect(await saved.textContent()).toMatch(/^saved \d\d:\d\d:\d\d$/);
  });

  it('saves a screenshot of the room with two cursors', async () => {
    // Bob moves and types so both labels are open on the viewer's screen.
    await focusEnd(bob.page);
    await bob.page.keyboard.type(' + 1');
    await alice.page.click('[data-testid="editor"] .view-lines');
    await alice.page.keyboard.press('Control+Home');
    await alice.page.keyboard.type('hi ');
    await waitForText(viewer.page, (t) => t.startsWith('hi ') && t.endsWith(' + 1'), 'both edits on the viewer');
    await viewer.page.waitForSelector('[data-testid="remote-cursor-label"].is-active[data-name="Alice"]');
    const file = await screenshot(viewer.page, 'room-two-cursors.png');
    await screenshot(alice.page, 'room-alice.png');
    expect(file).toMatch(/room-two-cursors\.png$/);
  });

  it('a reload restores the document', async () => {
    const before = await editorText(alice.page);
    await bob.page.reload();
    await waitForRoom(bob.page);
    await waitForText(bob.page, (t) => t === before, 'the document after reload');
    // Same tab, same session id: the reconnect replaced the old socket instead of a "name taken".
    await alice.page.waitForSelector('[data-testid="participant"][data-name="Bob"][data-online="true"]');
  });
});

describe('follow mode and own-edits undo', () => {
  it('following a participant scrolls with their cursor until you type', async () => {
    const bobScroll = (): Promise<number> => bob.page.evaluate(() => window.__pairpad?.editor.getScrollTop() ?? -1);
    await bob.page.click('[data-testid="editor"] .view-lines');
    await bob.page.keyboard.press('Control+Home');
    expect(await bobScroll()).toBe(0);
    await bob.page.click('[data-testid="participant"][data-name="Alice"] button');
    await bob.page.waitForSelector('[data-testid="following"]');

    await focusEnd(alice.page);
    for (let i = 0; i < 60; i++) await alice.page.keyboard.press('Enter');
    await alice.page.keyboard.type('far down');
    await waitFor(async () => (await bobScroll()) > 300, { message: 'Bob’s editor to scroll after Alice' });

    // Typing stops following.
    await bob.page.click('[data-testid="editor"] .view-lines');
    await bob.page.keyboard.type('b');
    await bob.page.waitForSelector('[data-testid="following"]', { state: 'detached' });
    await bob.page.keyboard.press('Backspace');
  });

  it('undo takes back only your own edits, never your partner’s', async () => {
    await focusEnd(alice.page);
    await alice.page.keyboard.type(' ALICE');
    await waitForText(bob.page, (t) => t.endsWith('far down ALICE'), 'Alice’s edit on Bob');
    await bob.page.click('[data-testid="editor"] .view-lines');
    await bob.page.keyboard.press('Control+Home');
    await bob.page.keyboard.type('BOB ');
    await waitForText(alice.page, (t) => t.startsWith('BOB ') && t.endsWith('far down ALICE'), 'both edits on Alice');
    await alice.page.keyboard.press('Control+z');
    await waitForText(alice.page, (t) => t.startsWith('BOB ') && t.endsWith('far down'), 'Alice’s undo to keep Bob’s edit');
    await waitForText(bob.page, (t) => t.startsWith('BOB ') && t.endsWith('far down'), 'the undo to reach Bob');
    await alice.page.click('[data-testid="redo"]');
    await waitForText(bob.page, (t) => t.startsWith('BOB ') && t.endsWith('far down ALICE'), 'the redo to reach Bob');
  });
});

describe('errors become friendly messages', () => {
  it('an unknown room shows "Room not found" with a way back', async () => {
    const user = await newUser(browser, 'Zed');
    await user.page.goto(`${baseUrl}/room/doesnotexist123`);
    await user.page.waitForSelector('[data-testid="room-error"]');
    expect(await user.page.textContent('[data-testid="room-error"] h1')).toBe('Room not found');
    await user.page.click('[data-testid="back-home"]');
    await user.page.waitForSelector('[data-testid="create-form"]');
    await user.context.close();
  });

  it('a full room says so, with a way back', async () => {
    const response = await fetch(`${baseUrl}/rooms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ limit: 2 }),
    });
    const { roomId: small } = (await response.json()) as { roomId: string };
    const users = [await newUser(browser, 'Cat'), await newUser(browser, 'Dan')];
    for (const user of users) {
      await user.page.goto(`${baseUrl}/room/${small}`);
      await waitForRoom(user.page);
    }
    const third = await newUser(browser, 'Eve');
    await third.page.goto(`${baseUrl}/room/${small}`);
    await third.page.waitForSelector('[data-testid="room-error"][data-code="4429"]', { timeout: 20_000 });
    expect(await third.page.textContent('[data-testid="room-error"] h1')).toBe('Room is full');
    expect(await third.page.$('[data-testid="back-home"]')).not.toBeNull();
    for (const user of [...users, third]) await user.context.close();
  });

  it('a name already online gets "name taken" and can pick another', async () => {
    const twin = await newUser(browser, 'Alice');
    await twin.page.goto(`${baseUrl}/room/${roomId}`);
    await twin.page.waitForSelector('[data-testid="room-error"][data-code="4409"]', { timeout: 20_000 });
    await twin.page.fill('[data-testid="gate-name"]', 'Alice Two');
    await twin.page.click('[data-testid="gate-join"]');
    await waitForRoom(twin.page);
    await alice.page.waitForSelector('[data-testid="participant"][data-name="Alice Two"]');
    await twin.context.close();
  });

  it('nothing in the session threw in any page (uncaught errors or unhandled rejections)', () => {
    for (const user of [alice, bob, viewer]) expect(user.pageErrors, user.name).toEqual([]);
  });
});
