import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { silentLogger } from '../log';
import { MemoryDocStore } from './memory-doc-store';
import { PersistQueue } from './persist-queue';
import { Room, type RoomSettings } from './room';
import { ROOM_TEST_TUNABLES } from './testing';

const settings: RoomSettings = { roomId: 'room_pace01', viewId: 'view_pace01', name: 'Pace', language: 'c', capacity: 5 };

/** Lets the queue's encode turn (setImmediate) and the store's promises run. */
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

async function loadRoom(store: MemoryDocStore, code: string) {
  const seed = new Y.Doc();
  seed.getText('code').insert(0, code);
  store.createRoom(settings.roomId, { snapshot: Y.encodeStateAsUpdate(seed) });
  seed.destroy();
  const queue = new PersistQueue(store, { flushMs: 60_000, retryMinMs: 100, retryMaxMs: 1_000 }, silentLogger);
  const options = {
    ...ROOM_TEST_TUNABLES,
    store,
    queue,
    logger: silentLogger,
    persistFlushMs: 60_000,
    compactIntervalMs: 600_000,
    compactMaxLogRows: 10,
    maxDocBytes: 5 * 1024 * 1024,
  };
  const room = await Room.load(settings, options);
  return { room, queue };
}

/** One keystroke-sized edit, stored as its own log row. */
async function typeAndStore(room: Room, queue: PersistQueue, text: string): Promise<void> {
  room.text.insert(0, text);
  await queue.flush();
  await settle();
}

describe('compaction pacing', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    while (cleanups.length) cleanups.pop()!();
  });

  it('[ATK-compact] a 1 MB document is not rewritten every COMPACT_MAX_LOG_ROWS rows, only once its log holds 1/8 of it', async () => {
    const store = new MemoryDocStore();
    const { room, queue } = await loadRoom(store, 'x'.repeat(1024 * 1024));
    cleanups.push(() => room.destroy(), () => queue.close());
    const seeded = store.calls.compact;
    for (let i = 0; i < 30; i++) await typeAndStore(room, queue, 'k');
    // 30 rows, three times COMPACT_MAX_LOG_ROWS, but a few hundred bytes of log: no rewrite.
    expect(store.calls.compact - seeded).toBe(0);
    expect(store.rooms.get(settings.roomId)!.log).toHaveLength(30);
    // Once the log holds 128 KB (1/8 of the snapshot), the row count decides again.
    for (let i = 0; i < 7; i++) await typeAndStore(room, queue, 'y'.repeat(16 * 1024));
    expect(store.calls.compact - seeded).toBe(0);
    await typeAndStore(room, queue, 'y'.repeat(16 * 1024));
    expect(store.calls.compact - seeded).toBe(1);
    expect(store.rooms.get(settings.roomId)!.log).toHaveLength(0);
    expect(store.storedText(settings.roomId)).toBe(room.text.toString());
  });

  it('[ATK-compact] a small document still compacts every COMPACT_MAX_LOG_ROWS rows', async () => {
    const store = new MemoryDocStore();
    const { room, queue } = await loadRoom(store, 'small\n');
    cleanups.push(() => room.destroy(), () => queue.close());
    const seeded = store.calls.compact;
    for (let i = 0; i < 10; i++) await typeAndStore(room, queue, 'k');
    expect(store.calls.compact - seeded).toBe(1);
    expect(store.storedText(settings.roomId)).toBe(room.text.toString());
  });
});

describe('log points', () => {
  it('[HIST-point] a log point ends its batch: the position names exactly the edits made before it', async () => {
    const store = new MemoryDocStore();
    const { room, queue } = await loadRoom(store, '');
    room.text.insert(0, 'a');
    room.text.insert(1, 'b');
    const point = room.logPoint();
    room.text.insert(2, 'c');
    await room.flush();
    const through = await point;
    const stored = await store.load(settings.roomId);
    // Replaying up to the point gives the text of that moment; the edit after it is a later row.
    const upTo = new Y.Doc();
    for (const [i, update] of stored.updates.entries()) if (i < stored.updates.length - 1) Y.applyUpdate(upTo, update);
    expect(upTo.getText('code').toString()).toBe('ab');
    expect(stored.through).toBe(through + 1);
    // With nothing pending, a point is where the log stands.
    expect(await room.logPoint()).toBe(stored.through);
    room.destroy();
    queue.close();
  });
});
