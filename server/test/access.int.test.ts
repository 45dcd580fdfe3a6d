import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { YMessageType } from '@pairpad/shared';
import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { generateId } from '../src/http/room-lookup';
import { REPO_ROOT } from './child-server';
import { createRoom, getJson, lwwClient, rawSocket, startServer, waitFor, yClient, type TestServer } from './helpers';

const ALLOWED = 'https://allowed.example';
let server: TestServer;
beforeAll(async () => {
  server = await startServer({ env: { ALLOWED_ORIGINS: ALLOWED } });
});
afterAll(async () => {
  await server.close();
});

const yjsUrl = (id: string, name: string) => `${server.wsUrl}/yjs/${id}?name=${encodeURIComponent(name)}`;

/** Resolves true if the server greeted the socket, false if it closed it; the code is kept. */
async function admitted(socket: ReturnType<typeof rawSocket>): Promise<{ ok: boolean; code?: number }> {
  const outcome = await Promise.race([
    socket.closed.then((closed) => ({ ok: false, code: closed.code })),
    waitFor(() => socket.messages.length > 0, 5_000).then(() => ({ ok: true })),
  ]);
  if (outcome.ok) socket.ws.close();
  return outcome;
}

describe('access', () => {
  it('[ACC-viewid] nothing a viewer receives (Yjs frames, awareness, every LWW message, REST answers and errors) contains the roomId', async () => {
    const room = await createRoom(server, { name: 'Secret room', code: 'start\n' });
    const { roomId, viewId } = room;
    const editor = yClient(server, roomId, 'Acc Editor');
    const lwwEditor = lwwClient(server, roomId, 'Acc Lww Editor');
    await Promise.all([editor.synced(), lwwEditor.next('init')]);

    // A raw viewer records every byte; it asks for the full state and all awareness explicitly.
    const viewer = rawSocket(yjsUrl(viewId, 'Acc Viewer'));
    await viewer.opened;
    const step1 = encoding.createEncoder();
    encoding.writeVarUint(step1, YMessageType.Sync);
    encoding.writeVarUint(step1, 0);
    encoding.writeVarUint8Array(step1, Y.encodeStateVector(new Y.Doc()));
    viewer.ws.send(encoding.toUint8Array(step1));
    const lwwViewer = lwwClient(server, viewId, 'Acc Lww Viewer');
    await lwwViewer.next('init');

    // Everything that fans out: edits from both endpoints, awareness, typing, settings, joins and leaves.
    editor.provider.awareness.setLocalStateField('user', { name: 'Acc Editor', color: '#22c55e', role: 'editor' });
    editor.text.insert(editor.text.length, 'from yjs\n');
    lwwEditor.send({ type: 'typing' });
    lwwEditor.send({ type: 'code', code: `${editor.text.toString()}from lww\n` });
    await waitFor(() => editor.text.toString().endsWith('from lww\n'));
    const patch = await fetch(`${server.httpUrl}/rooms/${roomId}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Renamed room', language: 'rust' }),
    });
    expect(patch.status).toBe(200);
    const passerby = yClient(server, roomId, 'Acc Passerby');
    await passerby.synced();
    passerby.destroy();
    expect((await fetch(`${server.httpUrl}/rooms/${roomId}/snapshot`, { method: 'POST' })).status).toBe(200);
    viewer.ws.send(new Uint8Array([YMessageType.QueryAwareness]));
    await waitFor(() => lwwViewer.messages.some((m) => m.type === 'code' && m.code.endsWith('from lww\n')));
    await waitFor(() => viewer.messages.length >= 6);

    // The viewer's own attempts to write get errors that do not name the room either.
    lwwViewer.send({ type: 'code', code: 'hijack' });
    const refusal = await lwwViewer.next('error');
    expect(refusal.code).toBe('forbidden');

    const needle = Buffer.from(roomId);
    for (const message of viewer.messages) {
      const data = typeof message === 'string' ? Buffer.from(message) : Buffer.from(message);
      expect(data.includes(needle), 'a Yjs/awareness frame sent to a viewer contains the roomId').toBe(false);
    }
    for (const message of lwwViewer.messages) expect(JSON.stringify(message)).not.toContain(roomId);
    expect(lwwViewer.messages.map((m) => m.type)).toEqual(expect.arrayContaining(['init', 'code', 'presence', 'typing', 'error']));

    const answers = [
      await fetch(`${server.httpUrl}/rooms/${viewId}`),
      await fetch(`${server.httpUrl}/rooms/${viewId}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"name":"x y z"}' }),
      await fetch(`${server.httpUrl}/rooms/${viewId}/snapshot`, { method: 'POST' }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([200, 403, 403]);
    for (const answer of answers) {
      expect(await answer.text()).not.toContain(roomId);
      for (const [, value] of answer.headers) expect(value).not.toContain(roomId);
    }
    viewer.ws.close();
    lwwViewer.close();
    lwwEditor.close();
    editor.destroy();
  });

  it('[ACC-origin] WebSocket upgrades from a foreign Origin are refused with 1008; allowed, same-origin and Origin-less clients are accepted', async () => {
    const room = await createRoom(server);
    const open = (name: string, origin?: string) => rawSocket(yjsUrl(room.roomId, name), origin ? { origin } : {});
    expect(await admitted(open('Origin Evil', 'https://evil.example'))).toEqual({ ok: false, code: 1008 });
    expect(await admitted(open('Origin Suffix', 'https://allowed.example.evil.example'))).toEqual({ ok: false, code: 1008 });
    expect(await admitted(open('Origin Null', 'null'))).toEqual({ ok: false, code: 1008 });
    expect(await admitted(open('Origin Port', 'https://allowed.example:8443'))).toEqual({ ok: false, code: 1008 });
    expect((await admitted(open('Origin Allowed', ALLOWED))).ok).toBe(true);
    expect((await admitted(open('Origin Same', `http://127.0.0.1:${server.port}`))).ok).toBe(true);
    expect((await admitted(open('Origin None'))).ok).toBe(true);
    // The JSON endpoint says why before closing.
    const query = new URLSearchParams({ name: 'Origin Lww' });
    const lww = rawSocket(`${server.wsUrl}/ws/${room.roomId}?${query}`, { origin: 'https://evil.example' });
    const closed = await lww.closed;
    expect(closed.code).toBe(1008);
    expect(JSON.parse(lww.messages[0] as string)).toMatchObject({ type: 'error', code: 'forbidden' });
  });

  it('[ACC-cors] CORS preflight answers an allowed origin and not a foreign one', async () => {
    const preflight = (origin: string) =>
      server.app.inject({
        method: 'OPTIONS',
        url: '/rooms',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    const allowed = await preflight(ALLOWED);
    expect(allowed.statusCode).toBeLessThan(300);
    expect(allowed.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(String(allowed.headers['access-control-allow-methods'])).toContain('POST');
    const foreign = await preflight('https://evil.example');
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    const simple = await server.app.inject({ method: 'GET', url: '/healthz', headers: { origin: 'https://evil.example' } });
    expect(simple.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('[ACC-headers] helmet security headers are on every answer, errors included', async () => {
    for (const url of ['/healthz', '/rooms/nosuchroom1', '/nothing/here']) {
      const { headers } = await server.app.inject({ method: 'GET', url });
      expect(headers['x-content-type-options'], url).toBe('nosniff');
      expect(headers['x-frame-options'], url).toBe('SAMEORIGIN');
      expect(headers['referrer-policy'], url).toBe('no-referrer');
      expect(headers['cross-origin-opener-policy'], url).toBe('same-origin');
      expect(headers['strict-transport-security'], url).toMatch(/max-age=\d+/);
      const csp = String(headers['content-security-policy']);
      expect(csp, url).toContain("default-src 'self'");
      expect(csp, url).toContain("frame-ancestors 'self'");
      expect(csp, url).toContain("object-src 'none'");
      expect(headers['x-powered-by'], url).toBeUndefined();
    }
  });

  it('[ACC-ids] generateId: 16 base64url characters (96 random bits), no collision in 100,000, every symbol at every position', () => {
    const count = 100_000;
    const seen = new Set<string>();
    const perPosition = Array.from({ length: 16 }, () => new Map<string, number>());
    const malformed: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = generateId();
      if (!/^[A-Za-z0-9_-]{16}$/.test(id)) malformed.push(id);
      seen.add(id);
      for (let p = 0; p < 16; p++) perPosition[p]!.set(id[p]!, (perPosition[p]!.get(id[p]!) ?? 0) + 1);
    }
    expect(malformed).toEqual([]);
    expect(seen.size).toBe(count);
    // 16 symbols x 6 bits: each position must use all 64 symbols about evenly (expected 1,562 each;
    // 1,000 is more than 14 standard deviations below), or the ids carry fewer than 96 bits.
    for (const counts of perPosition) {
      expect(counts.size).toBe(64);
      expect(Math.min(...counts.values())).toBeGreaterThan(1_000);
    }
  });

  it('[ACC-names] display names are data: HTML in a name comes back verbatim as JSON text, and web/src never renders HTML from strings', async () => {
    const room = await createRoom(server);
    const name = '<img src=x onerror=alert(1)>';
    const lww = lwwClient(server, room.roomId, name);
    await lww.next('init');
    const { body } = await getJson(`${server.httpUrl}/rooms/${room.roomId}`);
    expect(body.participants.map((p: { name: string }) => p.name)).toContain(name);
    lww.close();

    const sources: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (/\.(ts|tsx)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) sources.push(path);
      }
    };
    await walk(join(REPO_ROOT, 'web/src'));
    expect(sources.length).toBeGreaterThan(10);
    for (const path of sources) {
      const text = await readFile(path, 'utf8');
      expect(text, path).not.toMatch(/dangerouslySetInnerHTML|\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML|document\.write\(/);
    }
  });
});
