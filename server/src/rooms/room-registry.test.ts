import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { MemoryDocStore } from './memory-doc-store';
import type { RoomMember } from './member';
import type { RoomSettings } from './room';
import { createTestRegistry } from './testing';

const settings: RoomSettings = { roomId: 'room_unit1', viewId: 'view_unit1', name: 'Unit', language: 'python', capacity: 3 };

/** Fake timers and clock; setImmediate stays real, as the rooms yield event-loop turns with it. */
const useFakeClock = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });

let counter = 0;
function member(name: string, sessionId: string | null = null): RoomMember & { sent: Uint8Array[] } {
  const sent: Uint8Array[] = [];
  return {
    connectionId: `m${++counter}`,
    name,
    role: 'editor' as const,
    sessionId,
    viaViewId: false,
    sent,
    sendBinary: (message: Uint8Array) => void sent.push(message),
    dismiss: () => {},
  };
}

function editUpdate(text: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getText('code').insert(0, text);
  return Y.encodeStateAsUpdate(doc);
}

describe('RoomRegistry', () => {
  let store: MemoryDocStore;
  beforeEach(() => {
    store = new MemoryDocStore();
    // As POST /rooms would have: the store refuses writes for rooms that do not exist.
    for (const roomId of [settings.roomId, 'room_unit2', 'room_busy1', 'room_busy2', 'room_busy3', 'room_busy4']) store.createRoom(roomId);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('loads a room once for concurrent joins', async () => {
    const registry = createTestRegistry(store);
    const results = await Promise.all(
      ['Ann', 'Ben', 'Cid'].map((name) => registry.enter(settings, { name, sessionId: null, role: 'editor', viaViewId: false }, () => member(name))),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(store.calls.load).toBe(1);
    expect(registry.size).toBe(1);
    await registry.close();
  });

  it('admits atomically: capacity and duplicate names', async () => {
    const registry = createTestRegistry(store);
    const joins = await Promise.all(
      ['A1a', 'B2b', 'C3c', 'D4d', 'A1a'].map((name) => registry.enter(settings, { name, sessionId: null, role: 'editor', viaViewId: false }, () => member(name))),
    );
    const refused = joins.filter((j) => !j.ok).map((j) => (j.ok ? '' : j.reason));
    expect(refused.sort()).toEqual(['name_taken', 'room_full']);
    await registry.close();
  });

  it('batches updates into one append per flush interval, merged per author', async () => {
    useFakeClock();
    const registry = createTestRegistry(store);
    const alice = member('Alice', 's1');
    const joined = await registry.enter(settings, { name: 'Alice', sessionId: 's1', role: 'editor', viaViewId: false }, () => alice);
    if (!joined.ok) throw new Error('join failed');
    for (let i = 0; i < 30; i++) joined.room.text.insert(joined.room.text.length, 'x');
    const doc = new Y.Doc();
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(joined.room.doc));
    for (let i = 0; i < 20; i++) {
      doc.getText('code').insert(0, 'y');
    }
    joined.room.applyUpdate(Y.encodeStateAsUpdate(doc), alice);
    expect(store.calls.append).toBe(0);
    await vi.advanceTimersByTimeAsync(100);
    expect(store.calls.append).toBe(1);
    expect(store.storedText(settings.roomId)).toBe('y'.repeat(20) + 'x'.repeat(30));
    await registry.close();
  });

  it('writes the pending updates of many rooms in one store call per flush interval', async () => {
    useFakeClock();
    const registry = createTestRegistry(store);
    const rooms = await Promise.all(
      [1, 2, 3, 4].map(async (n) => {
        const m = member(`Busy ${n}`);
        const joined = await registry.enter({ ...settings, roomId: `room_busy${n}`, viewId: `view_busy${n}` }, { name: m.name, sessionId: null, role: 'editor', viaViewId: false }, () => m);
        if (!joined.ok) throw new Error('join failed');
        return { room: joined.room, m };
      }),
    );
    for (const { room, m } of rooms) room.applyUpdate(editUpdate(`text of ${room.roomId}`), m);
    await vi.advanceTimersByTimeAsync(100);
    expect(store.calls.append).toBe(1);
    for (const { room } of rooms) expect(store.storedText(room.roomId)).toBe(`text of ${room.roomId}`);
    await registry.close();
  });

  it('unloads a room only after its last member left and its writes are stored', async () => {
    const registry = createTestRegistry(store);
    const a = member('Solo');
    const joined = await registry.enter(settings, { name: 'Solo', sessionId: null, role: 'editor', viaViewId: false }, () => a);
    if (!joined.ok) throw new Error('join failed');
    joined.room.applyUpdate(editUpdate('keep me'), a);
    registry.leave(joined.room, a);
    await vi.waitFor(() => expect(registry.size).toBe(0));
    expect(store.calls.compact).toBe(1);
    expect(store.storedText(settings.roomId)).toBe('keep me');
    expect(store.rooms.get(settings.roomId)?.log).toHaveLength(0);
  });

  it('keeps a room in memory and retries with backoff while the store fails, then stores everything', async () => {
    useFakeClock();
    const registry = createTestRegistry(store);
    const a = member('Writer');
    const joined = await registry.enter(settings, { name: 'Writer', sessionId: null, role: 'editor', viaViewId: false }, () => a);
    if (!joined.ok) throw new Error('join failed');
    store.failing = true;
    joined.room.applyUpdate(editUpdate('during outage'), a);
    await vi.advanceTimersByTimeAsync(100);
    expect(store.calls.append).toBe(1);
    expect(joined.room.storeHealthy).toBe(false);
    await vi.advanceTimersByTimeAsync(200); // first retry
    expect(store.calls.append).toBe(2);
    await vi.advanceTimersByTimeAsync(399); // backoff doubled: nothing yet
    expect(store.calls.append).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(store.calls.append).toBe(3);
    registry.leave(joined.room, a);
    await vi.advanceTimersByTimeAsync(10);
    expect(registry.size).toBe(1); // cannot unload while unsaved
    store.failing = false;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(store.storedText(settings.roomId)).toBe('during outage');
    expect(registry.size).toBe(0);
  });

  it('a failed load creates no room and saves nothing over stored data', async () => {
    await store.append(settings.roomId, [{ update: editUpdate('precious'), sessionId: null, author: null, at: new Date() }]);
    store.failing = true;
    const registry = createTestRegistry(store);
    await expect(registry.enter(settings, { name: 'Late', sessionId: null, role: 'editor', viaViewId: false }, () => member('Late'))).rejects.toThrow();
    expect(registry.size).toBe(0);
    store.failing = false;
    await registry.close();
    expect(store.calls.compact).toBe(0);
    expect(store.storedText(settings.roomId)).toBe('precious');
  });

  it('refuses a load that does not decode, leaving the stored bytes alone', async () => {
    await store.append(settings.roomId, [{ update: new Uint8Array([1, 2, 3, 250, 250]), sessionId: null, author: null, at: new Date() }]);
    const registry = createTestRegistry(store);
    await expect(registry.enter(settings, { name: 'Reader', sessionId: null, role: 'editor', viaViewId: false }, () => member('Reader'))).rejects.toThrow(/does not decode/);
    expect(registry.size).toBe(0);
    expect(store.rooms.get(settings.roomId)?.log).toHaveLength(1);
  });

  it('a rejoin during the unload grace keeps the same room', async () => {
    const registry = createTestRegistry(store, { unloadDelayMs: 1_000 });
    const a = member('First');
    const first = await registry.enter(settings, { name: 'First', sessionId: null, role: 'editor', viaViewId: false }, () => a);
    if (!first.ok) throw new Error('join failed');
    registry.leave(first.room, a);
    const again = await registry.enter(settings, { name: 'First', sessionId: null, role: 'editor', viaViewId: false }, () => member('First'));
    expect(again.ok && again.room).toBe(first.room);
    expect(store.calls.load).toBe(1);
    await registry.close();
  });

  it('refuses new rooms beyond the in-memory limit', async () => {
    const registry = createTestRegistry(store, { maxRoomsInMemory: 1 });
    await registry.enter(settings, { name: 'One', sessionId: null, role: 'editor', viaViewId: false }, () => member('One'));
    const refused = await registry.enter({ ...settings, roomId: 'room_unit2', viewId: 'view_unit2' }, { name: 'Two', sessionId: null, role: 'editor', viaViewId: false }, () => member('Two'));
    expect(refused).toMatchObject({ ok: false, reason: 'server_busy' });
    expect(registry.size).toBe(1);
    await registry.close();
  });

  it('serves repeated cold joins of an unchanged document from one cached encoding', async () => {
    const registry = createTestRegistry(store);
    const joined = await registry.enter(settings, { name: 'Cache', sessionId: null, role: 'editor', viaViewId: false }, () => member('Cache'));
    if (!joined.ok) throw new Error('join failed');
    joined.room.text.insert(0, 'cached');
    const empty = new Uint8Array([0]);
    const first = joined.room.syncStep2For(empty);
    expect(first.cost).toBe(first.message.byteLength);
    // A repeated request costs nothing: the same bytes, no encoding.
    expect(joined.room.syncStep2For(empty)).toEqual({ message: first.message, cost: 0 });
    // So does a repeated non-empty state vector.
    const vector = Y.encodeStateVector(joined.room.doc);
    expect(joined.room.syncStep2For(vector).cost).toBeGreaterThan(0);
    expect(joined.room.syncStep2For(vector).cost).toBe(0);
    joined.room.text.insert(0, '!');
    const after = joined.room.syncStep2For(empty);
    expect(after.message).not.toBe(first.message);
    expect(after.cost).toBeGreaterThan(0);
    await registry.close();
  });

  it('evicts a room another instance took over: its members are let go with the reason, nothing more is stored, and a later join loads it afresh', async () => {
    useFakeClock();
    const unloaded: string[] = [];
    const registry = createTestRegistry(store, { onUnloaded: (roomId) => unloaded.push(roomId) });
    const dismissed: string[] = [];
    const ann = { ...member('Ann'), dismiss: (reason: string) => void dismissed.push(`Ann:${reason}`) };
    const ben = { ...member('Ben'), dismiss: (reason: string) => void dismissed.push(`Ben:${reason}`) };
    const entered = await registry.enter(settings, { name: 'Ann', sessionId: null, role: 'editor', viaViewId: false }, () => ann);
    await registry.enter(settings, { name: 'Ben', sessionId: null, role: 'editor', viaViewId: false }, () => ben);
    if (!entered.ok) throw new Error('join refused');
    entered.room.applyUpdate(editUpdate('not yet stored'), ann);
    const appendsBefore = store.calls.append;

    registry.evict([settings.roomId], 'owner_moved');
    expect(dismissed.sort()).toEqual(['Ann:owner_moved', 'Ben:owner_moved']);
    expect(registry.get(settings.roomId)).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(store.calls.append).toBe(appendsBefore);
    // Not an unload: nothing was stored, so no lease may be handed on as if it had been.
    expect(unloaded).toEqual([]);

    const again = await registry.enter(settings, { name: 'Cid', sessionId: null, role: 'editor', viaViewId: false }, () => member('Cid'));
    expect(again.ok && again.room).not.toBe(entered.room);
    expect(store.calls.load).toBe(2);
    await registry.close();
    expect(unloaded).toEqual([settings.roomId]);
  });
});
