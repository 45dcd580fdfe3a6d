import { YMessageType } from '@pairpad/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { loadConfig } from '../src/config';
import { createRoom, getJson, lwwClient, rawSocket, startServer, waitFor, yClient, type TestServer, type YClient, updateFrame } from './helpers';

/**
 * Every configurable limit, exercised through the real server. Each server here is started with a
 * small limit (and RATE_LIMIT_ALLOW='' where the limit is per address, since tests connect from
 * loopback, which is exempt by default).
 */

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/**
 * Three servers keep boot time down; their limits do not interfere: per-message limits on one,
 * per-address limits (loopback not exempt) on another, memory and loopback exemption on a third.
 */
let perMessage: TestServer;
let perAddress: TestServer;
let exempt: TestServer;
beforeAll(async () => {
  [perMessage, perAddress, exempt] = await Promise.all([
    startServer({
      env: { MAX_DOCUMENT_BYTES: '65536', COMPACT_MAX_LOG_ROWS: '1', MAX_MESSAGES_PER_SECOND: '20', MAX_MESSAGE_BYTES: '131072', MAX_BODY_BYTES: '4096' },
    }),
    startServer({ env: { MAX_SOCKETS_PER_IP: '3', ROOMS_PER_IP_PER_MINUTE: '3', RATE_LIMIT_ALLOW: '' } }),
    startServer({ env: { MAX_SOCKETS_PER_IP: '1', ROOMS_PER_IP_PER_MINUTE: '2', MAX_ROOMS_IN_MEMORY: '2', ROOM_UNLOAD_DELAY_MS: '0', MAX_DOCUMENT_BYTES: '8192' } }),
  ]);
}, 60_000);
afterAll(async () => {
  await Promise.all([perMessage, perAddress, exempt].map((target) => target?.close()));
});

function client(target: TestServer, ...args: [string, string, Record<string, string>?]): YClient {
  const created = yClient(target, ...args);
  cleanups.push(() => created.destroy());
  return created;
}

const wsUrl = (target: TestServer, id: string, name: string) => `${target.wsUrl}/yjs/${id}?name=${encodeURIComponent(name)}`;

async function post(target: TestServer, path: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${target.httpUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

describe('limits', () => {
  it('[LIM-defaults] every limit has a documented default and a bad value is a clear start-up error', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      maxMessageBytes: 1_048_576,
      maxDocumentBytes: 5_242_880,
      maxBodyBytes: 2_097_152,
      maxMessagesPerSecond: 200,
      maxSocketsPerIp: 200,
      maxRoomsInMemory: 10_000,
      roomsPerIpPerMinute: 60,
      roomReadsPerIpPerMinute: 600,
      roomReadBytesPerSecond: 524_288,
      maxSyncBytesPerSecond: 262_144,
      roomSyncBytesPerSecond: 131_072,
      rateLimitDelayMs: 1_000,
    });
    expect(config.rateLimitAllow).toEqual(expect.arrayContaining(['127.0.0.1', '::1']));
    expect(loadConfig({ RATE_LIMIT_ALLOW: '' }).rateLimitAllow).toEqual([]);
    expect(() => loadConfig({ MAX_DOCUMENT_BYTES: '5MB', MAX_SOCKETS_PER_IP: '0', ROOMS_PER_IP_PER_MINUTE: '-1' })).toThrow(
      /MAX_DOCUMENT_BYTES[\s\S]*MAX_SOCKETS_PER_IP[\s\S]*ROOMS_PER_IP_PER_MINUTE/,
    );
  });

  it('[LIM-doc-size] growth past MAX_DOCUMENT_BYTES is refused with 1009 on both endpoints; deleting works again; others keep editing', async () => {
    const target = perMessage;
    const room = await createRoom(target, { code: 'seed\n', limit: 10 });
    const keeper = client(target, room.roomId, 'Doc Keeper');
    await keeper.synced();

    // A raw writer appends 8 KiB chunks until the server refuses one.
    const writer = rawSocket(wsUrl(target, room.roomId, 'Doc Grower'));
    await writer.opened;
    const doc = new Y.Doc();
    let sent = 0;
    let closed: { code: number } | null = null;
    void writer.closed.then((result) => (closed = result));
    for (let i = 0; i < 20 && !closed; i++) {
      const before = Y.encodeStateVector(doc);
      doc.getText('code').insert(doc.getText('code').length, `${'x'.repeat(8191)}\n`);
      writer.ws.send(updateFrame(Y.encodeStateAsUpdate(doc, before)));
      sent++;
      await waitFor(() => closed || keeper.text.length >= 5 + sent * 8192, 5_000, 'the chunk to land or the socket to close');
    }
    expect(closed).not.toBeNull();
    expect(closed!.code).toBe(1009);
    const { body } = await getJson(`${target.httpUrl}/rooms/${room.roomId}`);
    expect(body.code.length).toBeLessThanOrEqual(65_536);
    expect(body.code.length).toBeGreaterThan(40_000);

    // The LWW endpoint refuses growth too, with an error message first.
    const lww = lwwClient(target, room.roomId, 'Doc Lww');
    const init = await lww.next('init');
    lww.send({ type: 'code', code: `${init.code}${'y'.repeat(20_000)}` });
    expect((await lww.next('error')).code).toBe('document_too_large');
    expect((await lww.closed).code).toBe(1009);

    // At the cap, deleting is not growth: the keeper can cut the text, and the room is usable again.
    keeper.text.delete(0, keeper.text.length - 10);
    await waitFor(async () => (await getJson(`${target.httpUrl}/rooms/${room.roomId}`)).body.code.length === 10, 5_000, 'the delete to land');
    expect(keeper.closes).toEqual([]);
    await waitFor(async () => {
      const probe = lwwClient(target, room.roomId, `Doc Probe ${Date.now() % 100000}`);
      try {
        const start = await probe.next('init');
        probe.send({ type: 'code', code: `${start.code}ok` });
        return await Promise.race([
          probe.closed.then(() => false),
          waitFor(() => keeper.text.toString().endsWith('ok'), 2_000).then(() => true, () => false),
        ]);
      } finally {
        probe.close();
      }
    }, 10_000, 'inserts to be accepted again after the delete (compaction measures the real size)');
  });

  it('[LIM-rate] more than MAX_MESSAGES_PER_SECOND (bursts to 2x, at least 100) closes with 4429 on both endpoints; others unaffected', async () => {
    const target = perMessage;
    const room = await createRoom(target, { limit: 10 });
    const a = client(target, room.roomId, 'Rate A');
    const b = client(target, room.roomId, 'Rate B');
    await Promise.all([a.synced(), b.synced()]);

    const flood = rawSocket(wsUrl(target, room.roomId, 'Rate Flood'));
    await flood.opened;
    for (let i = 0; i < 300 && flood.ws.readyState === flood.ws.OPEN; i++) flood.ws.send(new Uint8Array([YMessageType.QueryAwareness]));
    expect((await flood.closed).code).toBe(4429);
    const replies = flood.messages.length;

    const lwwFlood = lwwClient(target, room.roomId, 'Rate Lww');
    await lwwFlood.next('init');
    for (let i = 0; i < 300; i++) lwwFlood.send({ type: 'typing' });
    expect((await lwwFlood.next('error')).code).toBe('rate_limited');
    expect((await lwwFlood.closed).code).toBe(4429);

    // A client typing at a human pace is never limited.
    for (let i = 0; i < 30; i++) {
      a.text.insert(a.text.length, 'k');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await waitFor(() => b.text.toString() === 'k'.repeat(30));
    expect(a.closes).toEqual([]);
    expect(replies).toBeLessThan(300);
  });

  it('[LIM-sockets-ip] more than MAX_SOCKETS_PER_IP open sockets from one address are refused with 4429 until one closes', async () => {
    const target = perAddress;
    const room = await createRoom(target, { limit: 10 });
    const open = [0, 1, 2].map((i) => rawSocket(wsUrl(target, room.roomId, `Ip User ${i}`)));
    for (const socket of open) {
      await socket.opened;
      await waitFor(() => socket.messages.length > 0);
    }
    expect((await rawSocket(wsUrl(target, room.roomId, 'Ip User 3')).closed).code).toBe(4429);
    const lww = lwwClient(target, room.roomId, 'Ip Lww');
    expect((await lww.next('error')).code).toBe('rate_limited');
    expect((await lww.closed).code).toBe(4429);
    // Refused sockets do not count; a closed one frees its slot.
    open[0]!.ws.close();
    await open[0]!.closed;
    await waitFor(async () => {
      const again = rawSocket(wsUrl(target, room.roomId, 'Ip User 4'));
      const outcome = await Promise.race([
        again.closed.then(() => false),
        waitFor(() => again.messages.length > 0, 2_000).then(() => true, () => false),
      ]);
      if (outcome) again.ws.close();
      return outcome;
    }, 5_000, 'a socket to be admitted after one closed');
    for (const socket of open) socket.ws.close();
  });

  it('[LIM-sockets-ip] loopback is exempt by default (RATE_LIMIT_ALLOW), so the operator is never locked out', async () => {
    const target = exempt;
    const room = await createRoom(target, { limit: 10 });
    const sockets = [0, 1, 2].map((i) => rawSocket(wsUrl(target, room.roomId, `Local User ${i}`)));
    for (const socket of sockets) await waitFor(() => socket.messages.length > 0);
    for (const socket of sockets) socket.ws.close();
  });

  it('[LIM-rooms-memory] joins beyond MAX_ROOMS_IN_MEMORY are refused with 4429 until a room unloads; REST reads still work', async () => {
    const target = exempt;
    const rooms = await Promise.all([1, 2, 3].map((i) => createRoom(target, { code: `room ${i}` })));
    await waitFor(() => target.app.registry.size === 0, 5_000, 'rooms of earlier tests to unload');
    const a = client(target, rooms[0]!.roomId, 'Mem A');
    const b = client(target, rooms[1]!.roomId, 'Mem B');
    await Promise.all([a.synced(), b.synced()]);
    expect(target.app.registry.size).toBe(2);
    expect((await rawSocket(wsUrl(target, rooms[2]!.roomId, 'Mem C')).closed).code).toBe(4429);
    const lww = lwwClient(target, rooms[2]!.roomId, 'Mem Lww');
    expect((await lww.next('error')).code).toBe('rate_limited');
    expect((await lww.closed).code).toBe(4429);
    expect((await getJson(`${target.httpUrl}/rooms/${rooms[2]!.roomId}`)).body.code).toBe('room 3');
    // Rooms already in memory keep admitting.
    const a2 = client(target, rooms[0]!.roomId, 'Mem A2');
    await a2.synced();
    a.destroy();
    a2.destroy();
    await waitFor(() => target.app.registry.size === 1, 5_000, 'room 1 to unload');
    const c = client(target, rooms[2]!.roomId, 'Mem C2');
    await c.synced();
    expect(c.text.toString()).toBe('room 3');
  });

  it('[LIM-rooms-ip] POST /rooms beyond ROOMS_PER_IP_PER_MINUTE answers 429 rate_limited; a forged X-Forwarded-For does not reset it', async () => {
    const target = perAddress;
    // The socket test above created one room from this address already (same minute).
    let created = 0;
    let refused = await post(target, '/rooms', '{}');
    while (refused.status === 201 && created < 5) {
      created++;
      refused = await post(target, '/rooms', '{}');
    }
    expect(created).toBeLessThanOrEqual(3);
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ error: { code: 'rate_limited', message: expect.stringMatching(/too many requests/) } });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const forged = await post(target, '/rooms', '{}', { 'x-forwarded-for': '203.0.113.9' });
    expect(forged.status).toBe(429);
    // Only room creation is limited.
    expect((await getJson(`${target.httpUrl}/healthz`)).status).toBe(200);
  });

  it('[LIM-rooms-ip] loopback is exempt from ROOMS_PER_IP_PER_MINUTE by default', async () => {
    const target = exempt;
    for (let i = 0; i < 4; i++) expect((await post(target, '/rooms', '{}')).status).toBe(201);
  });

  it('[LIM-body] a REST body over MAX_BODY_BYTES answers 413 payload_too_large on every route; a smaller one is accepted', async () => {
    const target = perMessage;
    const big = JSON.stringify({ code: 'z'.repeat(5_000) });
    for (const path of ['/rooms', '/autocomplete']) {
      const refused = await post(target, path, big);
      expect(refused.status, path).toBe(413);
      expect(refused.body.error.code).toBe('payload_too_large');
    }
    const room = await createRoom(target, { code: 'z'.repeat(3_000) });
    const patch = await fetch(`${target.httpUrl}/rooms/${room.roomId}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'n'.repeat(5_000) }),
    });
    expect(patch.status).toBe(413);
    expect(((await patch.json()) as any).error.code).toBe('payload_too_large');
  });

  it('[LIM-message] a frame over MAX_MESSAGE_BYTES on the LWW endpoint gets message_too_large, then 1009, and changes nothing', async () => {
    const target = perMessage;
    const room = await createRoom(target, { code: 'small' });
    const lww = lwwClient(target, room.roomId, 'Big Lww');
    await lww.next('init');
    lww.send({ type: 'code', code: 'q'.repeat(200_000) });
    expect((await lww.next('error')).code).toBe('message_too_large');
    expect((await lww.closed).code).toBe(1009);
    // Far over the limit the frame is not even read: still 1009.
    const huge = lwwClient(target, room.roomId, 'Huge Lww');
    await huge.next('init');
    huge.send({ type: 'code', code: 'q'.repeat(1_000_000) });
    expect((await huge.closed).code).toBe(1009);
    // The same limit on /yjs.
    const raw = rawSocket(wsUrl(target, room.roomId, 'Big Yjs'));
    await raw.opened;
    raw.ws.send(new Uint8Array(200_000));
    expect((await raw.closed).code).toBe(1009);
    expect((await getJson(`${target.httpUrl}/rooms/${room.roomId}`)).body.code).toBe('small');
  });

  it('[LIM-doc-size] POST /rooms with starting code over MAX_DOCUMENT_BYTES answers 413 document_too_large and creates nothing', async () => {
    const refused = await post(exempt, '/rooms', JSON.stringify({ code: 'x'.repeat(10_000) }));
    expect(refused.status).toBe(413);
    expect(refused.body).toEqual({ error: { code: 'document_too_large', message: expect.any(String) } });
    const accepted = await createRoom(exempt, { code: 'x'.repeat(5_000) });
    expect((await getJson(`${exempt.httpUrl}/rooms/${accepted.roomId}`)).body.code).toHaveLength(5_000);
  });
});
