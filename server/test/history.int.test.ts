import type { DatabaseConfig } from '@pairpad/db';
import { createTestDatabase } from '@pairpad/db/testing';
import type { Blame } from '@pairpad/shared';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { TEST_DATABASE_URL, createRoom, getJson, lwwClient, startServer, tempDataDir, waitFor, yClient, type TestServer, type YClient } from './helpers';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function post(url: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

function client(server: TestServer, roomId: string, name: string, session: string): YClient {
  const c = yClient(server, roomId, name, { session });
  cleanups.push(() => c.destroy());
  return c;
}

/** Per UTF-16 unit of the text, who blame says wrote it. */
function authorsByChar(blame: Blame): (string | null)[] {
  const out: (string | null)[] = [];
  for (const range of blame.ranges) for (let i = range.start; i < range.end; i++) out[i] = range.author;
  return out;
}

async function logRows(server: TestServer, roomId: string): Promise<number> {
  const rows = await server.handle.db.selectFrom('document_updates').select('id').where('room_id', '=', roomId).execute();
  return rows.length;
}

describe('history', () => {
  it('[HIST-blame] two authors interleave markers; blame attributes every character to the one who typed it', async () => {
    const server = await startServer();
    cleanups.push(() => server.close());
    const room = await createRoom(server, { code: 'start\n' });
    const alice = client(server, room.roomId, 'Alice', 'session-alice-0001');
    const bob = client(server, room.roomId, 'Bobby', 'session-bobby-0001');
    await Promise.all([alice.synced(), bob.synced()]);
    const markers: { text: string; author: string }[] = [];
    for (let i = 0; i < 25; i++) {
      for (const [who, c] of [['Alice', alice], ['Bobby', bob]] as const) {
        const marker = `<${who[0]}${i}>\n`;
        // At the start of some line inside the text, not only at the end, so items interleave
        // (never inside another marker, which would split it).
        const lines = c.text.toString().split('\n');
        const line = (i * 7) % lines.length;
        const at = lines.slice(0, line).reduce((sum, l) => sum + l.length + 1, 0);
        c.text.insert(at, marker);
        markers.push({ text: marker, author: who });
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await waitFor(() => alice.text.toString() === bob.text.toString() && markers.every((m) => alice.text.toString().includes(m.text)));
    const text = alice.text.toString();
    const { status, body } = await getJson(`${server.httpUrl}/rooms/${room.viewId}/blame`);
    expect(status).toBe(200);
    const blame = body as Blame;
    expect(blame.length).toBe(text.length);
    expect(blame.ranges[0]!.start).toBe(0);
    expect(blame.ranges.at(-1)!.end).toBe(text.length);
    const who = authorsByChar(blame);
    let attributed = 0;
    for (const marker of markers) {
      const start = text.indexOf(marker.text);
      for (let i = start; i < start + marker.text.length; i++) {
        expect(who[i], `${marker.text} at ${i}`).toBe(marker.author);
        attributed++;
      }
    }
    expect(attributed).toBe(markers.reduce((sum, m) => sum + m.text.length, 0));
    // The starting code was written by the server.
    expect(who.slice(text.indexOf('start'), text.indexOf('start') + 5).every((author) => author === null)).toBe(true);
    expect(blame.authors.map((a) => a.name).sort()).toEqual(['Alice', 'Bobby']);
  });

  it('[HIST-restore] named version, restore as one log entry: partners follow, keep cursors, see the notice; the backup undoes it', async () => {
    const server = await startServer();
    cleanups.push(() => server.close());
    const room = await createRoom(server, { code: 'header\n', language: 'python' });
    const alice = client(server, room.roomId, 'Alice', 'session-alice-0002');
    const bob = client(server, room.roomId, 'Bobby', 'session-bobby-0002');
    await Promise.all([alice.synced(), bob.synced()]);
    alice.text.insert(alice.text.length, 'def works():\n    return 1\n');
    await waitFor(() => bob.text.toString().includes('return 1'));
    const saved = await post(`${server.httpUrl}/rooms/${room.roomId}/versions`, { name: 'works', by: 'Alice' });
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({ kind: 'named', name: 'works', by: 'Alice', length: 'header\ndef works():\n    return 1\n'.length });
    expect(saved.body.authors.map((a: { name: string }) => a.name)).toEqual(['Alice']);
    const versionText = alice.text.toString();

    bob.text.insert(bob.text.length, 'broken = (\n');
    await waitFor(() => alice.text.toString().includes('broken'));
    const before = bob.text.toString();
    // Bob's cursor sits in the header, which the restore does not touch.
    const cursor = Y.createRelativePositionFromTypeIndex(bob.text, 3);
    await server.app.registry.flushAll();
    const rowsBefore = await logRows(server, room.roomId);

    const restored = await post(`${server.httpUrl}/rooms/${room.roomId}/restore`, { version: saved.body.id, by: 'Alice' });
    expect(restored.status).toBe(200);
    expect(restored.body.restored.id).toBe(saved.body.id);
    expect(restored.body.backup.kind).toBe('before_restore');
    await waitFor(() => bob.text.toString() === versionText && alice.text.toString() === versionText);
    expect(Y.createAbsolutePositionFromRelativePosition(cursor, bob.doc)!.index).toBe(3);
    const notices = bob.doc.getArray<{ kind: string; by: string; version: number; backup: number }>('notices');
    await waitFor(() => notices.length === 1);
    expect(notices.get(0)).toMatchObject({ kind: 'restored', by: 'Alice', version: saved.body.id, backup: restored.body.backup.id });
    await server.app.registry.flushAll();
    expect(await logRows(server, room.roomId)).toBe(rowsBefore + 1);

    // The backup holds the text from just before the restore: restoring it undoes the restore.
    const backup = await getJson(`${server.httpUrl}/rooms/${room.roomId}/versions/${restored.body.backup.id}`);
    expect(backup.body.text).toBe(before);
    await post(`${server.httpUrl}/rooms/${room.roomId}/restore`, { version: restored.body.backup.id, by: 'Bobby' });
    await waitFor(() => alice.text.toString() === before);

    const list = await getJson(`${server.httpUrl}/rooms/${room.viewId}/versions`);
    expect(list.status).toBe(200);
    expect(list.body.versions.map((v: { kind: string }) => v.kind)).toEqual(['before_restore', 'before_restore', 'named']);
    const viewer = await post(`${server.httpUrl}/rooms/${room.viewId}/restore`, { version: saved.body.id, by: 'Mallory' });
    expect(viewer.status).toBe(403);
    expect(viewer.body.error.code).toBe('forbidden');
    expect((await post(`${server.httpUrl}/rooms/${room.roomId}/restore`, { version: 9999, by: 'Alice' })).body.error.code).toBe('not_found');
    expect((await post(`${server.httpUrl}/rooms/${room.roomId}/restore`, { version: saved.body.id, by: 'x' })).status).toBe(400);
  });

  it('[HIST-fork] a fork is an independent room with the version text, language and a link to its parent; view links cannot fork', async () => {
    const server = await startServer();
    cleanups.push(() => server.close());
    const room = await createRoom(server, { code: 'fn main() {}\n', language: 'rust', name: 'Parent' });
    const alice = client(server, room.roomId, 'Alice', 'session-alice-0003');
    await alice.synced();
    const saved = await post(`${server.httpUrl}/rooms/${room.roomId}/versions`, { by: 'Alice' });
    alice.text.insert(0, '// later\n');
    const forked = await post(`${server.httpUrl}/rooms/${room.roomId}/fork`, { version: saved.body.id, by: 'Alice' });
    expect(forked.status).toBe(201);
    expect(forked.body).toMatchObject({ name: 'Parent (fork)', language: 'rust', parent: { viewId: room.viewId, name: 'Parent', version: saved.body.id } });
    expect(forked.body.roomId).not.toBe(room.roomId);
    const fork = client(server, forked.body.roomId, 'Alice', 'session-alice-0004');
    await fork.synced();
    expect(fork.text.toString()).toBe('fn main() {}\n');
    fork.text.insert(0, '// only in the fork\n');
    await waitFor(async () => (await getJson(`${server.httpUrl}/rooms/${forked.body.roomId}`)).body.code.startsWith('// only'));
    expect((await getJson(`${server.httpUrl}/rooms/${room.roomId}`)).body.code).toBe('// later\nfn main() {}\n');
    const details = await getJson(`${server.httpUrl}/rooms/${forked.body.viewId}`);
    expect(details.body.parent).toEqual({ viewId: room.viewId, name: 'Parent', version: saved.body.id });
    const byViewer = await post(`${server.httpUrl}/rooms/${room.viewId}/fork`, { by: 'Viewer' });
    expect(byViewer.status).toBe(403);
  });

  it('[HIST-auto] quiet after edits takes an automatic version; a simple-sync overwrite of most of the text keeps what was there', async () => {
    const server = await startServer({ history: { quietMs: 200, maintenanceMs: 100 } });
    cleanups.push(() => server.close());
    const room = await createRoom(server, { code: 'original text that is long enough\n' });
    const alice = client(server, room.roomId, 'Alice', 'session-alice-0005');
    await alice.synced();
    alice.text.insert(0, 'typed ');
    const first = await waitFor(async () => {
      const list = (await getJson(`${server.httpUrl}/rooms/${room.roomId}/versions`)).body.versions;
      return list.length === 1 ? list[0] : undefined;
    });
    expect(first).toMatchObject({ kind: 'auto', inserted: 'typed '.length + 'original text that is long enough\n'.length, deleted: 0 });
    const lww = lwwClient(server, room.roomId, 'Simple');
    cleanups.push(() => lww.close());
    await lww.next('init');
    lww.send({ type: 'code', code: 'replaced\n' });
    await waitFor(() => alice.text.toString() === 'replaced\n');
    const overwrite = await waitFor(async () =>
      (await getJson(`${server.httpUrl}/rooms/${room.roomId}/versions`)).body.versions.find((v: { kind: string }) => v.kind === 'before_overwrite'),
    );
    expect(overwrite.by).toBe('Simple');
    expect((await getJson(`${server.httpUrl}/rooms/${room.roomId}/versions/${overwrite.id}`)).body.text).toBe('typed original text that is long enough\n');
  });

  it('[HIST-auto] a long session without a pause still gets an automatic version every maxIntervalMs', async () => {
    const server = await startServer({ history: { quietMs: 60_000, maxIntervalMs: 300 } });
    cleanups.push(() => server.close());
    const room = await createRoom(server, { code: '' });
    const alice = client(server, room.roomId, 'Alice', 'session-alice-0008');
    await alice.synced();
    const started = Date.now();
    while (Date.now() - started < 1_200) {
      alice.text.insert(alice.text.length, 'x');
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    const versions = await waitFor(async () => {
      const list = (await getJson(`${server.httpUrl}/rooms/${room.roomId}/versions`)).body.versions;
      return list.length >= 2 ? list : undefined;
    });
    expect(versions.every((v: { kind: string }) => v.kind === 'auto')).toBe(true);
  });

  it('[HIST-replay] replay from a version steps through every edit to the text now', async () => {
    const server = await startServer();
    cleanups.push(() => server.close());
    const room = await createRoom(server, { code: '' });
    const alice = client(server, room.roomId, 'Alice', 'session-alice-0006');
    await alice.synced();
    const saved = await post(`${server.httpUrl}/rooms/${room.roomId}/versions`, { by: 'Alice', name: 'empty' });
    for (const word of ['one ', 'two ', 'three ']) {
      alice.text.insert(alice.text.length, word);
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    const replay = await getJson(`${server.httpUrl}/rooms/${room.viewId}/replay?from=${saved.body.id}`);
    expect(replay.status).toBe(200);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, Buffer.from(replay.body.base, 'base64'));
    expect(doc.getText('code').toString()).toBe('');
    const seen: string[] = [];
    for (const step of replay.body.steps) {
      Y.applyUpdate(doc, Buffer.from(step.update, 'base64'));
      seen.push(doc.getText('code').toString());
      expect(step.author).toBe('Alice');
    }
    expect(seen.at(-1)).toBe('one two three ');
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect((await getJson(`${server.httpUrl}/rooms/${room.viewId}/replay?from=999`)).status).toBe(404);
    expect((await getJson(`${server.httpUrl}/rooms/${room.viewId}/replay`)).status).toBe(400);
  });

  async function survivesRestart(database: DatabaseConfig): Promise<void> {
    const env = { COMPACT_MAX_LOG_ROWS: '3', COMPACT_INTERVAL_MS: '100' };
    const first = await startServer({ database, env });
    cleanups.push(() => first.close());
    const room = await createRoom(first, { code: 'base\n' });
    const alice = client(first, room.roomId, 'Alice', 'session-alice-0007');
    await alice.synced();
    for (let i = 0; i < 20; i++) {
      alice.text.insert(alice.text.length, `a${i}\n`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const saved = await post(`${first.httpUrl}/rooms/${room.roomId}/versions`, { by: 'Alice', name: 'twenty' });
    const versionText = alice.text.toString();
    for (let i = 0; i < 10; i++) alice.text.insert(0, `b${i}\n`);
    await waitFor(async () => (await getJson(`${first.httpUrl}/rooms/${room.roomId}`)).body.code.startsWith('b9'));
    alice.destroy();
    await first.close();

    const second = await startServer({ database });
    cleanups.push(() => second.close());
    const version = await getJson(`${second.httpUrl}/rooms/${room.roomId}/versions/${saved.body.id}`);
    expect(version.body.text).toBe(versionText);
    const blame = (await getJson(`${second.httpUrl}/rooms/${room.roomId}/blame`)).body as Blame;
    const text = (await getJson(`${second.httpUrl}/rooms/${room.roomId}`)).body.code as string;
    const who = authorsByChar(blame);
    expect(who.filter((author) => author === 'Alice').length).toBe(text.length - 'base\n'.length);
  }

  it('[HIST-restart] PGlite: versions and authorship survive compaction and a restart', async () => {
    const data = await tempDataDir();
    cleanups.push(data.remove);
    await survivesRestart({ kind: 'pglite', dataDir: data.dir });
  });

  it.runIf(TEST_DATABASE_URL)('[HIST-restart] PostgreSQL: versions and authorship survive compaction and a restart', async () => {
    const db = await createTestDatabase(TEST_DATABASE_URL);
    cleanups.push(db.drop);
    await survivesRestart(db.config);
  });
});
