import { createDatabase, migrateToLatest, type DatabaseHandle } from '@pairpad/db';
import { createTestDatabase } from '@pairpad/db/testing';
import type { CreatedRoom } from '@pairpad/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app';
import { loadConfig } from '../src/config';
import { proxiedTestDatabase } from './db-proxy';
import { TEST_DATABASE_URL, createRoom, waitFor, yClient, type YClient } from './helpers';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

interface Outage {
  down(): Promise<void> | void;
  up(): Promise<void> | void;
}

/** The real app, in process and listening, over a database handle the test controls. */
async function boot(database: DatabaseHandle) {
  const config = {
    ...loadConfig({ LOG_LEVEL: 'silent', PORT: '0', WEB_DIR: '/nonexistent-web-dir', PERSIST_FLUSH_MS: '20', ROOM_UNLOAD_DELAY_MS: '0' }),
    database: { kind: 'pglite' as const, dataDir: 'memory://' },
  };
  const app = await buildApp({ config, database });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('server has no port');
  cleanups.push(() => app.close());
  return { app, httpUrl: `http://127.0.0.1:${address.port}`, wsUrl: `ws://127.0.0.1:${address.port}` };
}

async function call(url: string, method = 'GET', body?: unknown): Promise<{ status: number; body: any; text: string }> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, text };
}

function expectDbUnavailable(answer: { status: number; body: any }, what: string): void {
  expect(answer.status, what).toBe(503);
  expect(Object.keys(answer.body), what).toEqual(['error']);
  expect(Object.keys(answer.body.error).sort(), what).toEqual(['code', 'message']);
  expect(answer.body.error.code, what).toBe('db_unavailable');
  expect(answer.body.error.message, what).toEqual(expect.any(String));
}

/**
 * One room is live (an editor connected), another exists only in storage. The database goes
 * away: the live room keeps serving REST and sockets from memory; everything that needs the
 * database answers 503 db_unavailable. The database returns: everything works again.
 */
async function outageScenario(server: { httpUrl: string; wsUrl: string }, outage: Outage): Promise<void> {
  const live = await createRoom(server, { name: 'Live room', code: 'hello\n', limit: 10 });
  const cold: CreatedRoom = await createRoom(server, { name: 'Cold room', code: 'cold\n' });
  const clients: YClient[] = [];
  cleanups.push(() => clients.forEach((client) => client.destroy()));
  const alice = yClient(server, live.roomId, 'Alice');
  clients.push(alice);
  await alice.synced();
  alice.text.insert(alice.text.length, 'before the outage\n');
  await waitFor(async () => (await call(`${server.httpUrl}/rooms/${live.roomId}`)).body.code === alice.text.toString());

  await outage.down();

  // GET of the live room, by either capability, answers from memory with the current text.
  alice.text.insert(alice.text.length, 'during the outage\n');
  const byRoom = (await waitFor(async () => {
    const answer = await call(`${server.httpUrl}/rooms/${live.roomId}`);
    return answer.status === 200 && answer.body.code === alice.text.toString() ? answer : null;
  }, 5_000, 'GET by roomId from memory'))!;
  expect(byRoom.body).toMatchObject({
    roomId: live.roomId,
    viewId: live.viewId,
    name: 'Live room',
    limit: 10,
    role: 'editor',
    createdAt: live.createdAt,
    online: 1,
    participants: [expect.objectContaining({ name: 'Alice', online: true })],
  });
  expect(Date.parse(byRoom.body.updatedAt)).not.toBeNaN();
  const byView = await call(`${server.httpUrl}/rooms/${live.viewId}`);
  expect(byView.status).toBe(200);
  expect(byView.body).toMatchObject({ viewId: live.viewId, role: 'viewer', code: alice.text.toString(), createdAt: live.createdAt });
  expect(byView.body.roomId).toBeUndefined();
  expect(byView.text).not.toContain(live.roomId);

  // A y-websocket client can still join the live room and edit with the others.
  const bob = yClient(server, live.roomId, 'Bob');
  clients.push(bob);
  await bob.synced();
  expect(bob.text.toString()).toBe(alice.text.toString());
  bob.text.insert(0, '// bob\n');
  await waitFor(() => alice.text.toString().startsWith('// bob\n'), 5_000, 'Bob’s edit to reach Alice');
  const viewer = yClient(server, live.viewId, 'Carol');
  clients.push(viewer);
  await viewer.synced();
  expect(viewer.text.toString()).toBe(alice.text.toString());

  // Whatever needs the database answers 503 db_unavailable in the contract's error shape.
  expectDbUnavailable(await call(`${server.httpUrl}/rooms/${cold.roomId}`), 'GET of a room not in memory');
  expectDbUnavailable(await call(`${server.httpUrl}/rooms/${cold.viewId}`), 'GET of a room not in memory by viewId');
  expectDbUnavailable(await call(`${server.httpUrl}/rooms/unknownroom123`), 'GET of an id the server cannot check');
  expectDbUnavailable(await call(`${server.httpUrl}/rooms`, 'POST', { name: 'New' }), 'POST /rooms');
  expectDbUnavailable(await call(`${server.httpUrl}/rooms/${live.roomId}`, 'PATCH', { name: 'Renamed' }), 'PATCH of the live room');
  expectDbUnavailable(await call(`${server.httpUrl}/rooms/${cold.roomId}`, 'PATCH', { name: 'Renamed' }), 'PATCH of a room not in memory');
  expectDbUnavailable(await call(`${server.httpUrl}/rooms/${live.roomId}/snapshot`, 'POST'), 'snapshot of the live room');
  // Refusals that need no database still answer as usual.
  expect((await call(`${server.httpUrl}/rooms/${live.viewId}`, 'PATCH', { name: 'Renamed' })).status).toBe(403);
  expect((await call(`${server.httpUrl}/rooms/${live.roomId}`, 'PATCH', {})).status).toBe(200);
  expect((await call(`${server.httpUrl}/healthz`)).status).toBe(503);
  // The refused rename changed nothing.
  expect((await call(`${server.httpUrl}/rooms/${live.roomId}`)).body.name).toBe('Live room');

  await outage.up();

  await waitFor(async () => (await call(`${server.httpUrl}/rooms/${cold.roomId}`)).status === 200, 20_000, 'GET of the cold room after the outage');
  const coldAgain = await call(`${server.httpUrl}/rooms/${cold.viewId}`);
  expect(coldAgain.body).toMatchObject({ role: 'viewer', code: 'cold\n', name: 'Cold room' });
  expect(coldAgain.body.roomId).toBeUndefined();
  expect((await call(`${server.httpUrl}/rooms`, 'POST', { name: 'After' })).status).toBe(201);
  const renamed = await call(`${server.httpUrl}/rooms/${live.roomId}`, 'PATCH', { name: 'Renamed' });
  expect(renamed.status).toBe(200);
  expect(renamed.body).toMatchObject({ roomId: live.roomId, name: 'Renamed', createdAt: live.createdAt });
  const after = await call(`${server.httpUrl}/rooms/${live.roomId}`);
  expect(after.body).toMatchObject({ name: 'Renamed', updatedAt: renamed.body.updatedAt, code: alice.text.toString(), online: 3 });
  await waitFor(async () => (await call(`${server.httpUrl}/rooms/${live.roomId}/snapshot`, 'POST')).status === 200, 20_000, 'a save after the outage');
  await waitFor(async () => (await call(`${server.httpUrl}/healthz`)).status === 200, 10_000, '/healthz to recover');
}

describe('REST during a database outage', () => {
  it('[REST-outage] embedded database made unreachable: a live room serves from memory, the rest answers 503 db_unavailable, all recovers', async () => {
    const testDb = await createTestDatabase();
    const real = await createDatabase(testDb.config);
    await migrateToLatest(real.db);
    let down = false;
    // What the driver reports when nothing listens on the database's port.
    const refused = () =>
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED', errno: -111, syscall: 'connect' });
    const unreachable: Parameters<DatabaseHandle['db']['withPlugin']>[0] = {
      transformQuery: (args) => {
        if (down) throw refused();
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const copyRows = real.copyRows;
    const database: DatabaseHandle = {
      ...real,
      db: real.db.withPlugin(unreachable),
      ...(copyRows && { copyRows: (...args: Parameters<typeof copyRows>) => (down ? Promise.reject(refused()) : copyRows(...args)) }),
      ping: () => (down ? Promise.reject(refused()) : real.ping()),
    };
    const server = await boot(database);
    await outageScenario(server, {
      down: () => {
        down = true;
      },
      up: () => {
        down = false;
      },
    });
  }, 60_000);

  it.runIf(TEST_DATABASE_URL)(
    '[REST-outage] PostgreSQL cut off behind a TCP proxy: a live room serves from memory, the rest answers 503 db_unavailable, all recovers',
    async () => {
      const { viaProxy, proxy } = await proxiedTestDatabase(TEST_DATABASE_URL!, cleanups);
      const database = await createDatabase({ kind: 'postgres', url: viaProxy.toString(), maxConnections: 4 });
      await migrateToLatest(database.db);
      const server = await boot(database);
      await outageScenario(server, { down: () => proxy.stop(), up: () => proxy.start() });
    },
    90_000,
  );
});
