/**
 * History figures (issue 17): `npm run bench:history [-- --quick]`.
 *
 * 1. Rebuilding versions of a 1 MB document: a log built the way the server stores it (one row
 *    per keystroke burst, pastes), an automatic version every 200 rows, checkpoints by the
 *    server's own rule (history/checkpoints.ts); then versions picked at random are rebuilt
 *    (nearest checkpoint + log rows, decoded to text) and timed.
 * 2. Storage after one simulated hour of two people typing (3 keystrokes/s each, one log row per
 *    keystroke as at the default 100 ms flush), raw, after the merge tier, and after a week.
 *
 * Embedded PGlite in memory by default; PostgreSQL with DATABASE_URL (a fresh database is made and
 * dropped).
 */
import { parseArgs } from 'node:util';
import { createDatabase, documentsRepo, historyRepo, migrateToLatest, roomsRepo, type DatabaseHandle } from '@pairpad/db';
import { createTestDatabase } from '@pairpad/db/testing';
import * as Y from 'yjs';
import { DEFAULT_TUNING } from '../server/src/config';
import { rangesFromRows } from '../server/src/history/attribution';
import { checkpointIfDue } from '../server/src/history/checkpoints';
import { thinRoomHistory } from '../server/src/history/retention';
import { replayStored } from '../server/src/rooms/doc-store';
import { initialDocument } from '../server/src/rooms/initial-document';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const quick = values.quick;
const tuning = DEFAULT_TUNING.history;
const HOUR = 60 * 60_000;

let seed = 12345;
const random = (): number => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function newRoom(handle: DatabaseHandle, roomId: string): Promise<Y.Doc> {
  await roomsRepo(handle.db).createWithDocument(
    { room_id: roomId, view_id: `v_${roomId}`, name: roomId, language: 'typescript', capacity: 5 },
    initialDocument({ name: roomId, language: 'typescript' }, ''),
  );
  return replayStored(await documentsRepo(handle.db).load(roomId));
}

/** Applies `change` to `doc` and returns the update it made. */
function edit(doc: Y.Doc, change: (text: Y.Text) => void): Uint8Array {
  let update: Uint8Array | null = null;
  const capture = (u: Uint8Array) => (update = u);
  doc.on('update', capture);
  change(doc.getText('code'));
  doc.off('update', capture);
  return update!;
}

async function rebuildBench(handle: DatabaseHandle): Promise<Record<string, unknown>> {
  const roomId = 'bench_rebuild';
  const doc = await newRoom(handle, roomId);
  const documents = documentsRepo(handle.db);
  const history = historyRepo(handle.db);
  const targetChars = quick ? 200_000 : 1024 * 1024;
  const line = 'const value = compute(input, options); // a line of code\n';
  let rows = 0;
  let versions = 0;
  const built = performance.now();
  while (doc.getText('code').length < targetChars) {
    const text = doc.getText('code');
    // Mostly typing bursts somewhere in the file, now and then a paste of a few hundred lines.
    const update =
      random() < 0.02
        ? edit(doc, (t) => t.insert(Math.floor(random() * (t.length + 1)), line.repeat(50 + Math.floor(random() * 300))))
        : edit(doc, (t) => {
            const at = Math.floor(random() * (text.length + 1));
            if (text.length > 100 && random() < 0.2) t.delete(Math.min(at, text.length - 5), 5);
            else t.insert(at, line.slice(0, 8 + Math.floor(random() * 40)));
          });
    const through = await documents.append(roomId, [{ update, sessionId: 's1', author: 'Alice', at: new Date() }]);
    rows++;
    if (rows % 200 === 0) {
      await history.createVersion(roomId, { through, kind: 'auto', inserted: 0, deleted: 0, length: text.length });
      versions++;
    }
    // The server's maintenance pass runs every few seconds; here after every 100 rows.
    if (rows % 100 === 0) await checkpointIfDue(history, roomId, tuning);
  }
  await checkpointIfDue(history, roomId, tuning);
  const buildSeconds = (performance.now() - built) / 1000;
  const all = await history.listVersions(roomId, { limit: 100_000 });
  const samples = quick ? 20 : 100;
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const version = all[Math.floor(random() * all.length)]!;
    const t0 = performance.now();
    const rebuilt = replayStored(await history.readAt(roomId, version.through));
    const text = rebuilt.getText('code').toString();
    rebuilt.destroy();
    times.push(performance.now() - t0);
    if (text.length !== version.length) throw new Error(`version ${version.id} rebuilt to ${text.length} chars, expected ${version.length}`);
  }
  times.sort((a, b) => a - b);
  const state = Y.encodeStateAsUpdate(doc);
  const textChars = doc.getText('code').length;
  doc.destroy();
  return {
    textChars,
    stateBytes: state.byteLength,
    logRows: rows,
    versions,
    buildSeconds: Math.round(buildSeconds),
    rebuildMs: { p50: +percentile(times, 50).toFixed(1), p95: +percentile(times, 95).toFixed(1), max: +times.at(-1)!.toFixed(1) },
    target: 'p95 <= 200 ms',
  };
}

async function storageBench(handle: DatabaseHandle): Promise<Record<string, unknown>> {
  const roomId = 'bench_storage';
  const server = await newRoom(handle, roomId);
  const documents = documentsRepo(handle.db);
  const history = historyRepo(handle.db);
  const people = [
    { name: 'Alice', session: 'session-a', doc: new Y.Doc(), cursor: 0 },
    { name: 'Bobby', session: 'session-b', doc: new Y.Doc(), cursor: 0 },
  ];
  for (const person of people) Y.applyUpdate(person.doc, Y.encodeStateAsUpdate(server));
  const minutes = quick ? 10 : 60;
  const start = new Date('2026-11-02T09:00:00Z').getTime();
  const keystrokesPerSecond = 3;
  const alphabet = 'abcdefghijklmnopqrstuvwxyz (){};=.\n';
  let pendingRows: { update: Uint8Array; sessionId: string; author: string; at: Date }[] = [];
  let keystrokes = 0;
  for (let second = 0; second < minutes * 60; second++) {
    for (const person of people) {
      for (let k = 0; k < keystrokesPerSecond; k++) {
        const text = person.doc.getText('code');
        if (random() < 0.02) person.cursor = Math.floor(random() * (text.length + 1));
        person.cursor = Math.min(person.cursor, text.length);
        const update = edit(person.doc, (t) => {
          if (person.cursor > 0 && random() < 0.12) t.delete(--person.cursor, 1);
          else t.insert(person.cursor++, alphabet[Math.floor(random() * alphabet.length)]!);
        });
        keystrokes++;
        for (const other of [server, ...people.map((p) => p.doc)]) if (other !== person.doc) Y.applyUpdate(other, update);
        pendingRows.push({ update, sessionId: person.session, author: person.name, at: new Date(start + second * 1000 + k * 333) });
      }
    }
    if (pendingRows.length >= 600) {
      await documents.appendMany([{ roomId, records: pendingRows }]);
      pendingRows = [];
    }
    if (second % 30 === 29) {
      // An automatic version at most every 10 minutes while typing goes on.
      if (second % 600 === 599) {
        if (pendingRows.length > 0) await documents.appendMany([{ roomId, records: pendingRows }]);
        pendingRows = [];
        await history.createVersion(roomId, { through: await history.logPosition(roomId), kind: 'auto', at: new Date(start + second * 1000), inserted: 0, deleted: 0, length: 0 });
      }
    }
  }
  if (pendingRows.length > 0) await documents.appendMany([{ roomId, records: pendingRows }]);
  const position = await history.logPosition(roomId);
  await documents.compact(roomId, { state: Y.encodeStateAsUpdate(server), through: position });
  for (;;) {
    const { after, rows } = await history.unattributed(roomId, 5_000);
    if (rows.length === 0) break;
    await history.saveAuthorship([{ roomId, after, through: rows.at(-1)!.id, ranges: rangesFromRows(rows, new Map()) }]);
  }
  await checkpointIfDue(history, roomId, { ...tuning, checkpointMs: 0 });
  const measure = async () => {
    const stored = await documents.storedBytes(roomId);
    return { logRows: stored.historyRows, logBytes: stored.historyLog, historyBytes: await history.historyBytes(roomId), snapshotBytes: stored.snapshot };
  };
  const raw = await measure();
  const end = start + minutes * 60_000;
  await thinRoomHistory(history, roomId, new Date(end + 2 * HOUR), tuning);
  const merged = await measure();
  await thinRoomHistory(history, roomId, new Date(end + 8 * 24 * HOUR), tuning);
  const week = await measure();
  const text = server.getText('code').toString();
  server.destroy();
  // One per person and minute: typing alternates rows between the two, never ranges.
  const authorshipRanges = (await history.authorship(roomId)).length;
  return { minutes, keystrokes, textChars: text.length, authorshipRanges, raw, afterMergeTier: merged, afterAWeek: week };
}

const url = process.env.DATABASE_URL;
const testDb = await createTestDatabase(url);
const handle = await createDatabase(testDb.config);
try {
  await migrateToLatest(handle.db);
  console.log(`bench:history on ${url ? 'PostgreSQL' : 'embedded PGlite'}${quick ? ' (--quick)' : ''}`);
  console.log(`[rebuild] ${JSON.stringify(await rebuildBench(handle))}`);
  console.log(`[storage] ${JSON.stringify(await storageBench(handle))}`);
} finally {
  await handle.close();
  await testDb.drop();
}
