import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Response } from 'playwright-core';
import { editorLanguage, launchBrowser, newUser, waitForRoom, waitForText, type User } from './browser';

// How the built app reaches a browser: compressed, cached by content hash, and only the
// language the room needs. Timing is scripts/measure-load.ts's business, not a test's.
const baseUrl = inject('baseUrl');
const CODE = 'def greet(name):\n    return f"hello {name}"\n';
/** Monaco's grammar chunks of every language but Python, and JSON's language service. */
const OTHER_LANGUAGES = /\/assets\/(?:javascript|typescript|java|go|cpp|rust|sql|markdown|html|css|jsonMode|json\.worker)-[\w-]+\.js$/;

let browser: Browser;
let user: User;
const responses: Response[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await user?.context.close().catch(() => {});
  await browser?.close();
});

describe('delivery of the web app', () => {
  it('[WEB-delivery] a fresh Python room arrives compressed, with hashed assets immutable, index.html revalidated, and no other language', async () => {
    const created = await fetch(`${baseUrl}/rooms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'delivery', language: 'python', code: CODE }),
    });
    const { roomId } = (await created.json()) as { roomId: string };
    user = await newUser(browser, 'Delivery');
    user.page.on('response', (response) => responses.push(response));
    await user.page.goto(`${baseUrl}/room/${roomId}`);
    await waitForRoom(user.page);
    await waitForText(user.page, (text) => text === CODE, 'the room text');
    expect(await editorLanguage(user.page)).toBe('python');
    // Let any lazy work Monaco starts after the first paint (its editor worker) be requested too.
    await user.page.waitForTimeout(1_000);

    const page = responses.find((r) => new URL(r.url()).pathname === `/room/${roomId}`);
    expect(page?.status()).toBe(200);
    expect(page?.headers()['cache-control']).toBe('no-cache');

    const assets = responses.filter((r) => new URL(r.url()).pathname.startsWith('/assets/') && r.status() === 200);
    const scripts = assets.filter((r) => r.url().endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(3);
    for (const response of assets) {
      const headers = response.headers();
      expect(headers['cache-control'], response.url()).toBe('public, max-age=31536000, immutable');
      expect(headers['vary']?.toLowerCase(), response.url()).toContain('accept-encoding');
    }
    // Everything sizeable is brotli; the build leaves files under 1 KB uncompressed.
    const sizeable = await Promise.all(scripts.map(async (r) => ({ r, size: (await r.body()).length })));
    for (const { r, size } of sizeable.filter(({ size }) => size >= 1024)) {
      expect(r.headers()['content-encoding'], `${r.url()} (${size} bytes)`).toBe('br');
    }
    // The Python grammar was fetched, and nothing of another language.
    expect(scripts.some((r) => /\/assets\/python-[\w-]+\.js$/.test(r.url()))).toBe(true);
    expect(responses.map((r) => r.url()).filter((url) => OTHER_LANGUAGES.test(url))).toEqual([]);
    expect(user.pageErrors).toEqual([]);
  });

  it('[WEB-delivery] a browser without brotli gets gzip; hashed assets keep their long cache', async () => {
    const html = await (await fetch(`${baseUrl}/`)).text();
    const entry = /<script type="module" crossorigin src="(\/assets\/index-[\w-]+\.js)"/.exec(html)?.[1];
    expect(entry).toBeDefined();
    const gzip = await fetch(`${baseUrl}${entry}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(gzip.headers.get('content-encoding')).toBe('gzip');
    expect(gzip.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const plain = await fetch(`${baseUrl}${entry}`, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe(await gzip.text());
  });
});
