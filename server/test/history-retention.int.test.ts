import { createDatabase, documentsRepo, historyRepo, migrateToLatest, roomsRepo, type DatabaseHandle } from '@pairpad/db';
import { createTestDatabase, type TestDatabase } from '@pairpad/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { rangesFromRows } from '../src/history/attribution';
import { thinRoomHistory } from '../src/history/retention';
import { replayStored } from '../src/rooms/doc-store';
import { initialDocument } from '../src/rooms/initial-document';
import { TEST_DATABASE_URL, prng } from './helpers';

const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;
const start = new Date('2026-11-01T09:00:00Z');

let testDb: TestDatabase;
let handle: DatabaseHandle;
beforeAll(async () => {
  testDb = await createTestDatabase(TEST_DATABASE_URL);
  handle = await createDatabase(testDb.config);
  await migrateToLatest(handle.db);
});
afterAll(async () => {
  await handle.close();
  await testDb.drop();
});

/**
 * Ten days of two people typing a few hundred keystrokes each morning, one row per keystroke as
 * the server stores them, an automatic version every half hour of typing and a named one on day 2.
 */
async function simulate(roomId: string): Promise<{ named: number; lastAt: Date }> {
  const rooms = roomsRepo(handle.db);
  const documents = documentsRepo(handle.db);
  const history = historyRepo(handle.db);
  await rooms.createWithDocument({ room_id: roomId, view_id: `v${roomId}`, name: 'r', language: 'go', capacity: 5 }, initialDocument({ name: 'r', language: 'go' }, 'package main\n'));
  const server = replayStored(await documents.load(roomId));
  const people = [
    { name: 'Alice', session: 'session-alice', doc: new Y.Doc() },
    { name: 'Bobby', session: 'session-bobby', doc: new Y.Doc() },
  ];
  for (const person of people) Y.applyUpdate(person.doc, Y.encodeStateAsUpdate(server));
  const random = prng(7);
  let named = 0;
  let at = start;
  for (let day = 0; day < 10; day++) {
    for (let keystroke = 0; keystroke < 300; keystroke++) {
      at = new Date(start.getTime() + day * DAY + keystroke * 6_000);
      const person = people[keystroke % 2]!;
      const text = person.doc.getText('code');
      let update: Uint8Array | null = null;
      const capture = (u: Uint8Array) => (update = u);
      person.doc.on('update', capture);
      if (text.length > 20 && random() < 0.2) text.delete(Math.floor(random() * text.length), 1);
      else text.insert(Math.floor(random() * (text.length + 1)), 'abcdefgh'[Math.floor(random() * 8)]!);
      person.doc.off('update', capture);
      Y.applyUpdate(server, update!);
      for (const other of people) if (other !== person) Y.applyUpdate(other.doc, update!);
      const through = await documents.append(roomId, [{ update: update!, sessionId: person.session, author: person.name, at }]);
      if (keystroke % 150 === 149) {
        const version = await history.createVersion(roomId, { through, kind: 'auto', at, inserted: 0, deleted: 0, length: server.getText('code').length });
        if (day === 1 && keystroke === 149) {
          const saved = await history.createVersion(roomId, { through, kind: 'named', name: 'keep me', createdBy: 'Alice', at, inserted: 0, deleted: 0, length: 0 });
          named = saved.id;
          expect(saved.id).toBeGreaterThan(version.id);
        }
      }
    }
  }
  const position = await history.logPosition(roomId);
  await documents.compact(roomId, { state: Y.encodeStateAsUpdate(server), through: position });
  const pending = await history.unattributed(roomId, 100_000);
  await history.saveAuthorship([{ roomId, after: pending.after, through: pending.rows.at(-1)!.id, ranges: rangesFromRows(pending.rows, new Map()) }]);
  return { named, lastAt: at };
}

async function textAt(roomId: string, through: number): Promise<string> {
  const doc = replayStored(await historyRepo(handle.db).readAt(roomId, through));
  try {
    return doc.getText('code').toString();
  } finally {
    doc.destroy();
  }
}

describe('history retention', () => {
  it('[HIST-retention] old rows merge per author and minute, old automatic versions thin to one a day; named versions and every kept text stay exact', async () => {
    const roomId = 'room_retain1';
    const { named, lastAt } = await simulate(roomId);
    const history = historyRepo(handle.db);
    const before = await history.listVersions(roomId, { limit: 1_000 });
    const texts = new Map(await Promise.all(before.map(async (v) => [v.id, await textAt(roomId, v.through)] as const)));
    const position = await history.logPosition(roomId);
    const current = await textAt(roomId, position);
    const rowsBefore = (await documentsRepo(handle.db).storedBytes(roomId)).historyRows;
    const authorshipBefore = await history.authorship(roomId);

    const now = new Date(lastAt.getTime() + 2 * HOUR);
    const result = await thinRoomHistory(history, roomId, now, { rawWindowMs: HOUR, mergedWindowMs: 7 * DAY, roomCapBytes: 32 * 1024 * 1024 });
    expect(result.coarsenedTo).toBe('merged_window');
    const after = await history.listVersions(roomId, { limit: 1_000 });
    const stored = await documentsRepo(handle.db).storedBytes(roomId);
    console.log(`[HIST-retention] ${JSON.stringify({ rowsBefore, rowsAfter: stored.historyRows, versionsBefore: before.length, versionsAfter: after.length, rowsMerged: result.rowsMerged })}`);
    // Five keystrokes per person and minute here: merged, a minute of each person is one row.
    expect(stored.historyRows).toBeLessThan(rowsBefore / 4);
    // Named and recent versions all stay; older automatic ones, one per day.
    expect(after.some((v) => v.id === named)).toBe(true);
    const cutoff = now.getTime() - 7 * DAY;
    expect(after.filter((v) => v.createdAt.getTime() >= cutoff).length).toBe(before.filter((v) => v.createdAt.getTime() >= cutoff).length);
    const oldDays = after.filter((v) => v.createdAt.getTime() < cutoff && v.kind === 'auto').map((v) => Math.floor(v.createdAt.getTime() / DAY));
    expect(new Set(oldDays).size).toBe(oldDays.length);
    expect(after.length).toBeLessThan(before.length);
    for (const version of after) expect(await textAt(roomId, version.through), `version ${version.id}`).toBe(texts.get(version.id));
    expect(await textAt(roomId, position)).toBe(current);
    expect(await history.authorship(roomId)).toEqual(authorshipBefore);
    // Running again changes nothing.
    const again = await thinRoomHistory(history, roomId, now, { rawWindowMs: HOUR, mergedWindowMs: 7 * DAY, roomCapBytes: 32 * 1024 * 1024 });
    expect(again.rowsMerged).toBe(0);
  });

  it('[HIST-retention] over its cap a room drops the oldest tier first, down to the raw window; named versions still rebuild', async () => {
    const roomId = 'room_retain2';
    const { named, lastAt } = await simulate(roomId);
    const history = historyRepo(handle.db);
    const namedText = await textAt(roomId, (await history.getVersion(roomId, named))!.through);
    const now = new Date(lastAt.getTime() + 2 * HOUR);
    const result = await thinRoomHistory(history, roomId, now, { rawWindowMs: HOUR, mergedWindowMs: 7 * DAY, roomCapBytes: 1 });
    expect(result.coarsenedTo).toBe('raw_window');
    expect(await textAt(roomId, (await history.getVersion(roomId, named))!.through)).toBe(namedText);
    expect((await documentsRepo(handle.db).storedBytes(roomId)).historyRows).toBe(0);
  });
});

describe('authorship storage', () => {
  it('[HIST-blame] one write for several rooms stores only the rooms whose reading still stands where the writer read it', async () => {
    const rooms = roomsRepo(handle.db);
    const documents = documentsRepo(handle.db);
    const history = historyRepo(handle.db);
    const ids = ['AuthBatchRoomA1', 'AuthBatchRoomB1'];
    const rows = new Map<string, Awaited<ReturnType<typeof history.unattributed>>>();
    for (const roomId of ids) {
      await rooms.createWithDocument({ room_id: roomId, view_id: `v${roomId}`, name: 'r', language: 'go', capacity: 5 }, initialDocument({ name: 'r', language: 'go' }, ''));
      const doc = new Y.Doc();
      doc.clientID = 4242;
      for (const word of ['one ', 'two ']) {
        let update: Uint8Array | null = null;
        doc.once('update', (u: Uint8Array) => (update = u));
        doc.getText('code').insert(doc.getText('code').length, word);
        await documents.append(roomId, [{ update: update!, sessionId: `s-${roomId}`, author: 'Alice' }]);
      }
      rows.set(roomId, await history.unattributed(roomId, 100));
    }
    const [a, b] = ids.map((roomId) => rows.get(roomId)!);
    const before = await history.attributionStates(ids);
    expect([...before.values()].map((state) => state.firstRanges.length)).toEqual([0, 0]);
    const saved = await history.saveAuthorship([
      { roomId: ids[0]!, after: a!.after, through: a!.rows.at(-1)!.id, ranges: rangesFromRows(a!.rows, new Map()) },
      // Someone else read B meanwhile: this writer's `after` is stale.
      { roomId: ids[1]!, after: b!.after + 1, through: b!.rows.at(-1)!.id, ranges: rangesFromRows(b!.rows, new Map()) },
    ]);
    expect([...saved]).toEqual([ids[0]]);
    const after = await history.attributionStates(ids);
    expect(after.get(ids[0]!)).toMatchObject({ through: a!.rows.at(-1)!.id, firstRanges: [{ client: 4242, clockStart: 0, author: 'Alice', sessionId: `s-${ids[0]}` }] });
    expect(after.get(ids[1]!)).toEqual({ through: b!.after, firstRanges: [] });
    expect(await history.authorship(ids[1]!)).toEqual([]);
    expect((await history.authorship(ids[0]!)).reduce((sum, range) => sum + range.clockEnd - range.clockStart, 0)).toBe(8);
  });
});
