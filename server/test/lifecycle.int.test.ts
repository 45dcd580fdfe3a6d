import { performance } from 'node:perf_hooks';
import { documentsRepo, roomsRepo } from '@pairpad/db';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { silentLogger } from '../src/log';
import type { RoomRegistry } from '../src/rooms/room-registry';
import { createRoomCleanup } from '../src/storage/room-cleanup';
import { createRoom, getJson, prng, rawSocket, startServer, waitFor, yClient, type TestServer, type YClient } from './helpers';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function server(env: Record<string, string> = {}): Promise<TestServer> {
  const started = await startServer({ env });
  cleanups.push(() => started.close());
  return started;
}

function client(target: TestServer, roomId: string, name: string): YClient {
  const created = yClient(target, roomId, name);
  cleanups.push(() => created.destroy());
  return created;
}

const DAY_MS = 86_400_000;

describe('room lifecycle', () => {
  let ttlServer: TestServer;
  beforeAll(async () => {
    ttlServer = await startServer({ env: { ROOM_UNLOAD_DELAY_MS: '0' } });
  });
  afterAll(async () => {
    await ttlServer?.close();
  });

  it('[LIFE-ttl] rooms idle for ROOM_TTL_DAYS are deleted with their snapshot and log; recent and live rooms stay', async () => {
    const target = ttlServer;
    const db = target.handle.db;
    const [old, recent, live] = await Promise.all([
      createRoom(target, { code: 'old' }),
      createRoom(target, { code: 'recent' }),
      createRoom(target, { code: 'live' }),
    ]);
    // The old room gets log rows too (an edit, not yet compacted), so the cascade is visible.
    await documentsRepo(db).append(old.roomId, [{ update: Y.encodeStateAsUpdate(new Y.Doc()), author: 'someone' }]);
    const liveClient = client(target, live.roomId, 'Live User');
    await liveClient.synced();
    const longAgo = new Date(Date.now() - 31 * DAY_MS);
    // Joining records a visit (asynchronously); make sure our backdating lands after it.
    for (let attempt = 0; attempt < 20; attempt++) {
      await db.updateTable('rooms').set({ last_active_at: longAgo }).where('room_id', 'in', [old.roomId, live.roomId]).execute();
      await new Promise((resolve) => setTimeout(resolve, 25));
      const row = await roomsRepo(db).get(live.roomId);
      if (row!.last_active_at.getTime() === longAgo.getTime()) break;
    }

    const cleanup = createRoomCleanup({ database: target.handle, registry: target.app.registry, ttlDays: 30, logger: silentLogger });
    expect(await cleanup.runOnce()).toEqual([old.roomId]);
    // Another instance on the same database, with nothing in its memory, leaves the live room
    // alone: the clean-up above marked the rooms open there as used.
    const elsewhere = createRoomCleanup({ database: target.handle, registry: { loadedRoomIds: () => [] } as unknown as RoomRegistry, ttlDays: 30, logger: silentLogger });
    expect(await elsewhere.runOnce()).toEqual([]);

    const count = async (table: 'rooms' | 'documents' | 'document_updates', roomId: string) =>
      Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).where('room_id', '=', roomId).executeTakeFirstOrThrow()).n);
    for (const table of ['rooms', 'documents', 'document_updates'] as const) expect(await count(table, old.roomId), table).toBe(0);
    expect(await count('rooms', recent.roomId)).toBe(1);
    expect(await count('documents', recent.roomId)).toBe(1);
    expect(await count('rooms', live.roomId)).toBe(1);
    expect((await getJson(`${target.httpUrl}/rooms/${old.roomId}`)).status).toBe(404);
    expect((await getJson(`${target.httpUrl}/rooms/${old.viewId}`)).status).toBe(404);
    expect((await rawSocket(`${target.wsUrl}/yjs/${old.roomId}?name=Late%20User`).closed).code).toBe(4404);
    expect(liveClient.text.toString()).toBe('live');

    // Thirty days from now nothing was used: everything not in memory goes; the live room stays.
    const later = await cleanup.runOnce(new Date(Date.now() + 31 * DAY_MS));
    expect(later).toContain(recent.roomId);
    expect(later).not.toContain(live.roomId);
  });

  it('[LIFE-ttl] a room that people open but do not edit counts as used', async () => {
    const target = ttlServer;
    const room = await createRoom(target, { code: 'read only visits' });
    const longAgo = new Date(Date.now() - 29 * DAY_MS);
    await target.handle.db.updateTable('rooms').set({ last_active_at: longAgo }).where('room_id', '=', room.roomId).execute();
    const visitor = client(target, room.roomId, 'Visitor');
    await visitor.synced();
    visitor.destroy();
    await waitFor(() => target.app.registry.size === 0, 5_000, 'the room to unload');
    const row = await roomsRepo(target.handle.db).get(room.roomId);
    expect(row!.last_active_at.getTime()).toBeGreaterThan(longAgo.getTime() + DAY_MS);
    const cleanup = createRoomCleanup({ database: target.handle, registry: target.app.registry, ttlDays: 30, logger: silentLogger });
    expect(await cleanup.runOnce(new Date(Date.now() + 2 * DAY_MS))).not.toContain(room.roomId);
  });

  it('[LIFE-compaction] a long session of 20,000 small edits loads from about the Yjs state, not the update history', async () => {
    const EDITS = Number(process.env.LIFE_EDITS ?? 20_000);
    const target = await server({ COMPACT_MAX_LOG_ROWS: '50', MAX_MESSAGES_PER_SECOND: '1000000', ROOM_UNLOAD_DELAY_MS: '0' });
    const room = await createRoom(target, { code: '' });
    const writer = client(target, room.roomId, 'Long Session');
    await writer.synced();
    const random = prng(99);
    let historyBytes = 0;
    writer.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== writer.provider) historyBytes += update.byteLength;
    });
    const documents = documentsRepo(target.handle.db);
    let peakStored = 0;
    let peakLogRows = 0;
    const started = performance.now();
    const alphabet = 'abcdefghijklmnopqrstuvwxyz  \n{}();=';
    let cursor = 0;
    for (let done = 0; done < EDITS; ) {
      // Typing as people do: runs of keystrokes at a cursor, backspaces, now and then a jump elsewhere.
      for (let i = 0; i < 100 && done < EDITS; i++, done++) {
        const length = writer.text.length;
        if (random() < 0.03) cursor = Math.floor(random() * (length + 1));
        cursor = Math.min(cursor, length);
        if (cursor > 0 && random() < 0.15) writer.text.delete(--cursor, 1);
        else writer.text.insert(cursor++, alphabet[Math.floor(random() * alphabet.length)]!);
      }
      const expected = writer.text.toString();
      await waitFor(() => target.app.registry.get(room.roomId)?.currentText() === expected, 10_000, 'the server to apply the burst');
      const stored = await documents.storedBytes(room.roomId);
      peakStored = Math.max(peakStored, stored.snapshot + stored.log);
      peakLogRows = Math.max(peakLogRows, stored.logRows);
    }
    const stateBytes = Y.encodeStateAsUpdate(writer.doc).byteLength;
    const textLength = writer.text.length;
    const finalText = writer.text.toString();
    writer.destroy();
    await waitFor(() => target.app.registry.size === 0, 10_000, 'the room to unload (final compaction)');
    const final = await documents.storedBytes(room.roomId);
    console.log(
      `[LIFE-compaction] ${JSON.stringify({
        edits: EDITS,
        seconds: Math.round((performance.now() - started) / 100) / 10,
        textChars: textLength,
        historyBytes,
        clientStateBytes: stateBytes,
        storedSnapshotBytes: final.snapshot,
        storedLogRows: final.logRows,
        historyRows: final.historyRows,
        historyLogBytes: final.historyLog,
        peakStoredBytesDuringSession: peakStored,
        peakLogRowsDuringSession: peakLogRows,
      })}`,
    );
    expect((await getJson(`${target.httpUrl}/rooms/${room.roomId}`)).body.code).toBe(finalText);
    expect(final.logRows).toBe(0);
    // The snapshot is the document's state (the server's encoding of the same content)...
    expect(final.snapshot).toBeLessThanOrEqual(2 * stateBytes + 1_024);
    // ...and during the session what a load reads stayed near the state (plus at most
    // COMPACT_MAX_LOG_ROWS small log rows). The log itself is kept as history (thinned by age).
    expect(peakStored).toBeLessThanOrEqual(2 * stateBytes + 64 * 1_024);
    expect(peakLogRows).toBeLessThanOrEqual(50 + 10);
  }, 120_000);
});
