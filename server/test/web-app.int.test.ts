import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, startServer, type TestServer } from './helpers';

let server: TestServer;
let webDir: string;

beforeAll(async () => {
  webDir = await mkdtemp(join(tmpdir(), 'pairpad-web-'));
  await writeFile(join(webDir, 'index.html'), '<!doctype html><title>pairpad test app</title>');
  await mkdir(join(webDir, 'assets'));
  await writeFile(join(webDir, 'assets', 'app.js'), 'console.log(1)');
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
