import { LANGUAGES, isRoomId } from '@pairpad/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, yClient, type TestServer, type YClient } from './helpers';

let server: TestServer;
const ys: YClient[] = [];

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  for (const c of ys) c.destroy();
  await server.close();
});

const request = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
  const response = await server.app.inject({
    method: method as 'GET',
    url: path,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.statusCode, body: response.body ? response.json() : undefined, headers: response.headers };
};

const expectError = (response: { status: number; body: any }, status: number, code: string) => {
  expect(response.status).toBe(status);
  expect(response.body).toEqual({ error: { code, message: expect.any(String) } });
};

describe('REST', () => {
  it('[REST-health] GET /healthz answers ok with the database up', async () => {
    expect(await request('GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok', db: 'ok' } });
  });

  it('[REST-create] POST /rooms returns 201 with capabilities, defaults and links', async () => {
    const { status, body } = await request('POST', '/rooms', {});
    expect(status).toBe(201);
    expect(body).toMatchObject({ name: expect.any(String), language: 'plaintext', limit: 5 });
    expect(isRoomId(body.roomId) && isRoomId(body.viewId)).toBe(true);
    expect(body.roomId).not.toBe(body.viewId);
    expect(body.editUrl).toMatch(new RegExp(`/room/${body.roomId}$`));
    expect(body.viewUrl).toMatch(new RegExp(`/watch/${body.viewId}$`));
    expect(body.viewUrl).not.toContain(body.roomId);
    expect(Date.parse(body.createdAt)).not.toBeNaN();
    expect(Date.parse(body.updatedAt)).not.toBeNaN();
  });

  it('[REST-create] an empty POST creates a room with defaults, also with a JSON content type and no body', async () => {
    expect((await request('POST', '/rooms')).status).toBe(201);
    const headerOnly = await request('POST', '/rooms', '');
    expect(headerOnly.status).toBe(201);
    expect(headerOnly.body).toMatchObject({ language: 'plaintext', limit: 5 });
    expect((await request('PATCH', `/rooms/${headerOnly.body.roomId}`, ' ')).status).toBe(200);
    // Fastify's own parser still judges every non-empty body.
    expectError(await request('POST', '/rooms', '{"name":'), 400, 'invalid_request');
    expectError(await request('POST', '/rooms', '{"__proto__":{"limit":3}}'), 400, 'invalid_request');
  });

  it('[REST-ids] generated ids are 16 url-safe characters (96 random bits) and never repeat', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const { body } = await request('POST', '/rooms', {});
      expect(body.roomId).toMatch(/^[A-Za-z0-9_-]{16}$/);
      ids.add(body.roomId).add(body.viewId);
    }
    expect(ids.size).toBe(40);
  });

  it('[REST-create] accepts every contract language and a starting text', async () => {
    for (const language of LANGUAGES) {
      const { status, body } = await request('POST', '/rooms', { language, name: `Room ${language}`, limit: 2, code: 'x' });
      expect(status).toBe(201);
      expect(body.language).toBe(language);
    }
  });

  it('[REST-400] invalid bodies get 400 invalid_request', async () => {
    const bad = [
      { limit: 1 },
      { limit: 21 },
      { limit: 2.5 },
      { limit: '5' },
      { language: 'klingon' },
      { name: '' },
      { name: '   ' },
      { name: 'x'.repeat(101) },
      { code: 42 },
      [],
      'null',
      '{"broken":',
    ];
    for (const body of bad) expectError(await request('POST', '/rooms', body), 400, 'invalid_request');
  });

  it('[REST-get] GET /rooms/:roomId returns the room with code and participants', async () => {
    const created = (await request('POST', '/rooms', { code: 'let x = 1;', language: 'javascript', name: 'JS' })).body;
    const c = yClient(server, created.roomId, 'Reader');
    ys.push(c);
    await c.synced();
    const { status, body } = await request('GET', `/rooms/${created.roomId}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      roomId: created.roomId,
      viewId: created.viewId,
      name: 'JS',
      language: 'javascript',
      limit: 5,
      code: 'let x = 1;',
      role: 'editor',
    });
    expect(body.participants).toEqual([{ name: 'Reader', color: expect.stringMatching(/^#[0-9a-f]{6}$/i), role: 'editor', online: true, typing: false }]);
  });

  it('[REST-view] GET by viewId answers role viewer without the roomId anywhere', async () => {
    const created = (await request('POST', '/rooms', { code: 'secret-free' })).body;
    const { status, body } = await request('GET', `/rooms/${created.viewId}`);
    expect(status).toBe(200);
    expect(body.role).toBe('viewer');
    expect(body.roomId).toBeUndefined();
    expect(JSON.stringify(body)).not.toContain(created.roomId);
    expect(body.code).toBe('secret-free');
  });

  it('[REST-404] unknown or malformed ids get 404 room_not_found', async () => {
    expectError(await request('GET', '/rooms/doesnotexist'), 404, 'room_not_found');
    expectError(await request('GET', '/rooms/bad!id'), 404, 'room_not_found');
    expectError(await request('GET', '/rooms/abc'), 404, 'room_not_found');
    expectError(await request('PATCH', '/rooms/doesnotexist', { name: 'x' }), 404, 'room_not_found');
  });

  it('[REST-patch] PATCH changes name, language and limit', async () => {
    const created = (await request('POST', '/rooms', {})).body;
    const { status, body } = await request('PATCH', `/rooms/${created.roomId}`, { name: 'Renamed', language: 'rust', limit: 10 });
    expect(status).toBe(200);
    expect(body).toMatchObject({ roomId: created.roomId, name: 'Renamed', language: 'rust', limit: 10 });
    expect((await request('GET', `/rooms/${created.roomId}`)).body).toMatchObject({ name: 'Renamed', language: 'rust', limit: 10 });
    expectError(await request('PATCH', `/rooms/${created.roomId}`, { limit: 0 }), 400, 'invalid_request');
    expectError(await request('PATCH', `/rooms/${created.roomId}`, { language: 'cobol' }), 400, 'invalid_request');
  });

  it('[REST-403] PATCH through a viewId is forbidden', async () => {
    const created = (await request('POST', '/rooms', {})).body;
    expectError(await request('PATCH', `/rooms/${created.viewId}`, { name: 'Hijack' }), 403, 'forbidden');
    // Whatever the body: the capability is checked first.
    expectError(await request('PATCH', `/rooms/${created.viewId}`, { limit: 1 }), 403, 'forbidden');
    expectError(await request('PATCH', `/rooms/${created.viewId}`, '{'), 403, 'forbidden');
    expectError(await request('PATCH', '/rooms/no-such-room', { limit: 1 }), 404, 'room_not_found');
    expect((await request('GET', `/rooms/${created.roomId}`)).body.name).not.toBe('Hijack');
  });

  it('[REST-409] the limit cannot go below the number online', async () => {
    const created = (await request('POST', '/rooms', { limit: 5 })).body;
    const clients = ['One1', 'Two2', 'Three'].map((name) => yClient(server, created.roomId, name));
    ys.push(...clients);
    await Promise.all(clients.map((c) => c.synced()));
    expectError(await request('PATCH', `/rooms/${created.roomId}`, { limit: 2 }), 409, 'limit_below_online');
    expect((await request('PATCH', `/rooms/${created.roomId}`, { limit: 3 })).status).toBe(200);
  });

  it('[REST-autocomplete] POST /autocomplete suggests and validates', async () => {
    const code = 'def compute_total(items):\n    return sum(items)\n\ncompute_';
    const { status, body } = await request('POST', '/autocomplete', { code, cursorPosition: code.length, language: 'python' });
    expect(status).toBe(200);
    expect(typeof body.suggestion).toBe('string');
    expect(Array.isArray(body.suggestions)).toBe(true);
    for (const s of body.suggestions) expect(s).toEqual(expect.objectContaining({ label: expect.any(String), insertText: expect.any(String), kind: expect.any(String) }));
    expect(body.suggestions.some((s: { label: string }) => s.label === 'compute_total')).toBe(true);

    expectError(await request('POST', '/autocomplete', { code: 'ab', cursorPosition: 3, language: 'python' }), 400, 'invalid_request');
    expectError(await request('POST', '/autocomplete', { code: 'ab', cursorPosition: -1, language: 'python' }), 400, 'invalid_request');
    expectError(await request('POST', '/autocomplete', { code: 'ab', cursorPosition: 1, language: 'brainfuck' }), 400, 'invalid_request');
    expectError(await request('POST', '/autocomplete', { cursorPosition: 0, language: 'python' }), 400, 'invalid_request');
    expectError(await request('POST', '/autocomplete', { code: 'ab', cursorPosition: '1', language: 'python' }), 400, 'invalid_request');
  });

  it('[REST-413] a body over the size limit gets 413 with the error shape', async () => {
    const huge = JSON.stringify({ code: 'x'.repeat(3 * 1024 * 1024) });
    expectError(await request('POST', '/rooms', huge), 413, 'payload_too_large');
  });

  it('[REST-404] unknown API routes answer the JSON 404', async () => {
    expectError(await request('GET', '/rooms/abcdefgh/nothing'), 404, 'not_found');
    expectError(await request('DELETE', '/rooms'), 404, 'not_found');
  });

  it('[REST-headers] security headers are set', async () => {
    const { headers } = await request('GET', '/healthz');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['content-security-policy']).toContain("default-src 'self'");
  });
});
