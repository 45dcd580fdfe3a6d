import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, startServer, type TestServer } from './helpers';

let server: TestServer;
let webDir: string;
const CHUNK = Buffer.from('export const words = ["pairpad"];\n'.repeat(200));

beforeAll(async () => {
  webDir = await mkdtemp(join(tmpdir(), 'pairpad-web-'));
  await writeFile(join(webDir, 'index.html'), '<!doctype html><title>pairpad test app</title>');
  await mkdir(join(webDir, 'assets'));
  await writeFile(join(webDir, 'assets', 'app.js'), 'console.log(1)');
  // What the web build writes: a hashed chunk with brotli and gzip siblings.
  await writeFile(join(webDir, 'assets', 'editor-Ab12Cd34.js'), CHUNK);
  await writeFile(join(webDir, 'assets', 'editor-Ab12Cd34.js.br'), brotliCompressSync(CHUNK));
  await writeFile(join(webDir, 'assets', 'editor-Ab12Cd34.js.gz'), gzipSync(CHUNK));
  server = await startServer({ env: { WEB_DIR: webDir } });
});
afterAll(async () => {
  await server.close();
  await rm(webDir, { recursive: true, force: true });
});

describe('one port serves the app and the API', () => {
  it('[WEB-serve] editUrl and viewUrl load the app, whatever the Accept header', async () => {
    const room = await createRoom(server);
    for (const url of [room.editUrl, room.viewUrl, `${server.httpUrl}/`]) {
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/html');
      expect(await response.text()).toContain('pairpad test app');
    }
    const asset = await fetch(`${server.httpUrl}/assets/app.js`);
    expect(asset.status).toBe(200);
  });

  it('[WEB-serve] API paths and unknown files keep their JSON errors', async () => {
    const api = await fetch(`${server.httpUrl}/rooms/doesnotexist`);
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('room_not_found');
    const missing = await fetch(`${server.httpUrl}/assets/missing.js`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });
});

describe('delivery of the web app', () => {
  const get = (path: string, acceptEncoding: string) => fetch(`${server.httpUrl}${path}`, { headers: { 'accept-encoding': acceptEncoding } });

  it('[WEB-delivery] hashed assets are sent precompressed, brotli first, and vary by Accept-Encoding', async () => {
    for (const [accept, encoding] of [
      ['gzip, deflate, br, zstd', 'br'],
      ['gzip', 'gzip'],
      ['identity', null],
    ] as const) {
      const response = await get('/assets/editor-Ab12Cd34.js', accept);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-encoding'), accept).toBe(encoding);
      expect(response.headers.get('content-type')).toMatch(/javascript/);
      expect(response.headers.get('vary')?.toLowerCase()).toContain('accept-encoding');
      // fetch decodes the body: whatever the encoding, the script arrives intact.
      expect(Buffer.from(await response.arrayBuffer()).equals(CHUNK)).toBe(true);
    }
  });

  it('[WEB-delivery] hashed assets are cached for a year as immutable, also uncompressed', async () => {
    for (const [path, accept] of [
      ['/assets/editor-Ab12Cd34.js', 'br'],
      ['/assets/editor-Ab12Cd34.js', 'identity'],
      ['/assets/app.js', 'br'],
    ] as const) {
      const response = await get(path, accept);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      await response.arrayBuffer();
    }
  });

  it('[WEB-delivery] index.html and the app pages are revalidated on every load', async () => {
    const room = await createRoom(server);
    for (const url of [`${server.httpUrl}/`, `${server.httpUrl}/index.html`, room.editUrl, room.viewUrl]) {
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control'), url).toBe('no-cache');
      expect(await response.text()).toContain('pairpad test app');
    }
  });
});
