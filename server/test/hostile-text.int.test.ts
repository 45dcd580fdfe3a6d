import { documentsRepo } from '@pairpad/db';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL, createRoom, getJson, restartableDatabase, startServer, waitFor, yClient, type TestServer } from './helpers';

/**
 * Hostile text (issue 13): characters PostgreSQL text cannot hold, and half-finished writes.
 * Runs on PGlite, and on PostgreSQL when TEST_DATABASE_URL is set.
 */

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function boot(database?: Awaited<ReturnType<typeof restartableDatabase>>): Promise<TestServer> {
  const server = await startServer({ ...(database && { database }), env: { ROOM_UNLOAD_DELAY_MS: '60000', COMPACT_INTERVAL_MS: '600000' } });
  cleanups.push(() => server.close());
  return server;
}

const save = (server: TestServer, roomId: string) => fetch(`${server.httpUrl}/rooms/${roomId}/snapshot`, { method: 'POST' });

const send = (server: TestServer, method: string, path: string, body: unknown) =>
  fetch(`${server.httpUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe(`hostile text (${TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('[ATK-nul] a NUL typed into the document is stored: compaction succeeds and it survives a restart', async () => {
    const database = await restartableDatabase(cleanups);
    const first = await boot(database);
    const room = await createRoom(first, { code: 'before\n' });
    const client = yClient(first, room.roomId, 'Nul Typist');
    await client.synced();
    client.text.insert(client.text.length, 'a\u0000b\u0001c\u007f\n');
    const expected = client.text.toString();
    await waitFor(async () => (await getJson(`${first.httpUrl}/rooms/${room.roomId}`)).body.code === expected, 5_000, 'the edit to reach the server');
    // Save compacts: before the fix every compaction of this room failed (503) for good.
    expect((await save(first, room.roomId)).status).toBe(200);
    expect((await save(first, room.roomId)).status).toBe(200);
    client.text.insert(0, '\u0000');
    await waitFor(async () => (await getJson(`${first.httpUrl}/rooms/${room.roomId}`)).body.code === `\u0000${expected}`, 5_000, 'the second edit');
    client.destroy();
    expect((await getJson(`${first.httpUrl}/healthz`)).body.status).toBe('ok');
    await first.close();

    const second = await boot(database);
    expect((await getJson(`${second.httpUrl}/rooms/${room.roomId}`)).body.code).toBe(`\u0000${expected}`);
    // Shutdown compacted it: a load reads the snapshot alone (the log stays as history).
    expect((await documentsRepo(second.handle.db).storedBytes(room.roomId)).logRows).toBe(0);
  });

  it('[ATK-nul] starting code with a NUL creates the room and round-trips through compaction and restart', async () => {
    const database = await restartableDatabase(cleanups);
    const first = await boot(database);
    const code = '\u0000int main() {\u0000}\n\u0008\u001b[31m';
    const room = await createRoom(first, { code });
    expect((await getJson(`${first.httpUrl}/rooms/${room.roomId}`)).body.code).toBe(code);
    expect((await save(first, room.roomId)).status).toBe(200);
    await first.close();
    const second = await boot(database);
    expect((await getJson(`${second.httpUrl}/rooms/${room.roomId}`)).body.code).toBe(code);
  });

  it('[ATK-nul] a room name with a NUL, another control character or a text-direction override is refused with 400 on POST and PATCH', async () => {
    const server = await boot();
    const room = await createRoom(server, { name: 'Fine name' });
    for (const name of ['a\u0000b', 'line\nbreak', 'bell\u0007', 'c1\u0085', 'rtl\u202eevil', '\u200b']) {
      for (const [method, path] of [
        ['POST', '/rooms'],
        ['PATCH', `/rooms/${room.roomId}`],
      ] as const) {
        const response = await send(server, method, path, { name });
        expect(response.status, `${method} ${JSON.stringify(name)}`).toBe(400);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
      }
    }
    expect((await getJson(`${server.httpUrl}/rooms/${room.roomId}`)).body.name).toBe('Fine name');
    const rooms = await server.handle.db.selectFrom('rooms').select('room_id').execute();
    expect(rooms).toHaveLength(1);
  });

  it('[ATK-nul] POST /rooms never leaves a room without its document: a failed snapshot write creates nothing', async () => {
    const server = await boot();
    // Every new snapshot row is refused (existing rows are not checked).
    await sql`alter table documents add constraint refuse_all_for_test check (false) not valid`.execute(server.handle.db);
    const response = await send(server, 'POST', '/rooms', { name: 'Half made', code: 'x' });
    expect(response.status).toBe(500);
    expect(await server.handle.db.selectFrom('rooms').select('room_id').execute()).toEqual([]);
    await sql`alter table documents drop constraint refuse_all_for_test`.execute(server.handle.db);
    const room = await createRoom(server, { name: 'Whole', code: 'x' });
    expect((await getJson(`${server.httpUrl}/rooms/${room.roomId}`)).body.code).toBe('x');
  });
});
