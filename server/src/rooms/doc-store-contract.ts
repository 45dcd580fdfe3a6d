import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { replayStored, type DocStore, type RosterRecord, type StoredUpdate } from './doc-store';
import type { StoredRoomRecord } from './memory-doc-store';

/**
 * One DocStore implementation as the contract suite drives it. Rooms are created outside the
 * DocStore (POST /rooms writes the rooms table), so each implementation says how; and what
 * `compact` and `saveMeta` write about the room is read back the way the server reads it.
 */
export interface DocStoreHarness {
  store: DocStore;
  /** Creates a room as POST /rooms does; `snapshot` is its first document (none: nothing stored). */
  createRoom(roomId: string, snapshot?: Uint8Array): Promise<void>;
  /** The room as the rooms table holds it; undefined for a room that does not exist. */
  roomRecord(roomId: string): Promise<StoredRoomRecord | undefined>;
  close(): Promise<void>;
}

const record = (update: Uint8Array, author: string | null = null): StoredUpdate => ({ update, sessionId: author && `s-${author}`, author, at: new Date() });

/** A chain of real Yjs edits, each typed after the previous one, as a room would log them. */
function typedEdits(texts: readonly string[]): { updates: Uint8Array[]; stateAfter: (count: number) => Uint8Array } {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  const states: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => updates.push(update));
  for (const text of texts) {
    doc.getText('code').insert(doc.getText('code').length, text);
    states.push(Y.encodeStateAsUpdate(doc));
  }
  doc.destroy();
  return { updates, stateAfter: (count) => states[count - 1]! };
}

function textOf(stored: Parameters<typeof replayStored>[0]): string {
  const doc = replayStored(stored);
  try {
    return doc.getText('code').toString();
  } finally {
    doc.destroy();
  }
}

/**
 * What a room relies on from storage, run against every DocStore (y-redis `tests/storage.tests.js`,
 * tldraw's storage contract suite): the in-memory fake the core's unit tests use passes only if it
 * behaves as the database does, including what it refuses. Through the DocStore interface only,
 * so the tables underneath may change.
 */
export function describeDocStoreContract(name: string, open: () => Promise<DocStoreHarness>): void {
  describe(`DocStore contract: ${name}`, () => {
    let harness: DocStoreHarness;
    let store: DocStore;
    // Fresh ids per test instead of fresh storage: one database per file is opened once.
    let rooms = 0;
    const newRoomId = () => `room_contract_${(++rooms).toString().padStart(4, '0')}`;
    const createdRoom = async (snapshot?: Uint8Array) => {
      const roomId = newRoomId();
      await harness.createRoom(roomId, snapshot);
      return roomId;
    };

    beforeAll(async () => {
      harness = await open();
      store = harness.store;
    });
    afterAll(async () => {
      await harness?.close();
    });

    it('a room with nothing stored loads as empty', async () => {
      const roomId = await createdRoom();
      expect(await store.load(roomId)).toEqual({ snapshot: null, updates: [], through: 0 });
    });

    it("a new room loads its first document as the snapshot, at position 0", async () => {
      const first = typedEdits(['print(1)\n']).stateAfter(1);
      const roomId = await createdRoom(first);
      const loaded = await store.load(roomId);
      expect(loaded).toEqual({ snapshot: first, updates: [], through: 0 });
      expect(loaded.snapshot).toBeInstanceOf(Uint8Array);
    });

    it('appended updates load back in order, byte for byte, with `through` at the last one', async () => {
      const roomId = await createdRoom();
      const { updates } = typedEdits(['a', 'b', 'c']);
      const first = await store.appendBatch([{ roomId, updates: [record(updates[0]!, 'Ada')] }]);
      const second = await store.appendBatch([{ roomId, updates: [record(updates[1]!), record(updates[2]!, 'Ben')] }]);
      expect(second.get(roomId)).toBeGreaterThan(first.get(roomId)!);
      const loaded = await store.load(roomId);
      expect(loaded.snapshot).toBeNull();
      expect(loaded.updates).toEqual(updates);
      for (const update of loaded.updates) expect(update).toBeInstanceOf(Uint8Array);
      expect(loaded.through).toBe(second.get(roomId));
      expect(textOf(loaded)).toBe('abc');
    });

    it('appends the batches of several rooms in one call and reports each room’s highest position', async () => {
      const one = await createdRoom();
      const two = await createdRoom();
      const idle = await createdRoom();
      const { updates } = typedEdits(['x', 'y', 'z']);
      const through = await store.appendBatch([
        { roomId: one, updates: [record(updates[0]!), record(updates[1]!)] },
        { roomId: two, updates: [record(updates[2]!)] },
        { roomId: idle, updates: [] },
      ]);
      // A room with nothing to write is not reported, as if it were not in the batch.
      expect([...through.keys()].sort()).toEqual([one, two].sort());
      expect(await store.load(one)).toEqual({ snapshot: null, updates: updates.slice(0, 2), through: through.get(one) });
      expect(await store.load(two)).toEqual({ snapshot: null, updates: updates.slice(2), through: through.get(two) });
      expect(await store.load(idle)).toEqual({ snapshot: null, updates: [], through: 0 });
      expect(await store.appendBatch([])).toEqual(new Map());
    });

    it('keeps what it was given: a caller reusing its buffers afterwards changes nothing stored', async () => {
      const roomId = await createdRoom();
      const { updates, stateAfter } = typedEdits(['keep', ' me']);
      const update = updates[1]!.slice();
      const snapshot = stateAfter(1).slice();
      await store.compact(roomId, { state: snapshot, through: 0 });
      await store.appendBatch([{ roomId, updates: [record(update)] }]);
      update.fill(0);
      snapshot.fill(0);
      expect(textOf(await store.load(roomId))).toBe('keep me');
    });

    it('compaction replaces the snapshot; a load reads only the rows after it, keeping later ones', async () => {
      const roomId = await createdRoom(typedEdits(['old snapshot']).stateAfter(1));
      const { updates, stateAfter } = typedEdits(['1', '2', '3', '4']);
      await store.appendBatch([{ roomId, updates: updates.slice(0, 2).map((u) => record(u)) }]);
      const seen = await store.load(roomId);
      // Written after the room read its state for the snapshot: must outlive the compaction.
      await store.appendBatch([{ roomId, updates: [record(updates[2]!)] }]);
      const later = await store.appendBatch([{ roomId, updates: [record(updates[3]!)] }]);
      await store.compact(roomId, { state: stateAfter(2), through: seen.through });
      const after = await store.load(roomId);
      expect(after).toEqual({ snapshot: stateAfter(2), updates: updates.slice(2), through: later.get(roomId) });
      expect(textOf(after)).toBe('1234');

      // Compacting everything leaves the snapshot alone, at the position it covers.
      await store.compact(roomId, { state: stateAfter(4), through: after.through });
      expect(await store.load(roomId)).toEqual({ snapshot: stateAfter(4), updates: [], through: after.through });
      // Positions only grow: an append after compaction lands beyond it.
      const { updates: more } = typedEdits(['5']);
      const next = await store.appendBatch([{ roomId, updates: [record(more[0]!)] }]);
      expect(next.get(roomId)).toBeGreaterThan(after.through);
    });

    it('a load racing a compaction and an append sees the old snapshot and the whole log or the new one and its tail: no edit lost', async () => {
      const roomId = await createdRoom();
      const texts = Array.from({ length: 16 }, (_, i) => String.fromCharCode(97 + i));
      const { updates, stateAfter } = typedEdits(texts);
      let written = 0;
      for (let round = 0; round < 4; round++) {
        await store.appendBatch([{ roomId, updates: updates.slice(written, written + 3).map((u) => record(u)) }]);
        written += 3;
        const loaded = await store.load(roomId);
        // The room folds what it loaded while its next keystroke is appended and readers load.
        const [, , ...reads] = await Promise.all([
          store.compact(roomId, { state: stateAfter(written), through: loaded.through }),
          store.appendBatch([{ roomId, updates: [record(updates[written]!)] }]),
          store.load(roomId),
          store.load(roomId),
          store.load(roomId),
        ]);
        for (const read of reads) expect([texts.slice(0, written), texts.slice(0, written + 1)].map((t) => t.join(''))).toContain(textOf(read));
        written += 1;
        expect(textOf(await store.load(roomId))).toBe(texts.slice(0, written).join(''));
      }
    });

    it('compaction replaces the roster when given one, and keeps it otherwise', async () => {
      const roomId = await createdRoom();
      const state = typedEdits(['x']).stateAfter(1);
      const roster: RosterRecord[] = [
        { name: 'Ada', color: '#e6194b', role: 'editor' },
        { name: 'Ben', color: '#3cb44b', role: 'viewer' },
      ];
      await store.compact(roomId, { state, through: 0, roster });
      expect((await harness.roomRecord(roomId))?.roster).toEqual(roster);
      await store.compact(roomId, { state, through: 0 });
      expect((await harness.roomRecord(roomId))?.roster).toEqual(roster);
      await store.compact(roomId, { state, through: 0, roster: [] });
      expect((await harness.roomRecord(roomId))?.roster).toEqual([]);
    });

    it('an edit time moves the room’s updatedAt forward, never back', async () => {
      const roomId = await createdRoom();
      const state = typedEdits(['x']).stateAfter(1);
      const created = (await harness.roomRecord(roomId))!.updatedAt;
      await store.compact(roomId, { state, through: 0 });
      expect((await harness.roomRecord(roomId))?.updatedAt).toEqual(created);
      const edited = new Date(created.getTime() + 60_000);
      await store.compact(roomId, { state, through: 0, editedAt: edited });
      expect((await harness.roomRecord(roomId))?.updatedAt).toEqual(edited);
      // An older edit stored late (a retried flush) does not move it back.
      await store.compact(roomId, { state, through: 0, editedAt: new Date(created.getTime() - 60_000) });
      expect((await harness.roomRecord(roomId))?.updatedAt).toEqual(edited);
    });

    it('settings edited live are saved: name and language each on their own', async () => {
      const roomId = await createdRoom();
      const before = await harness.roomRecord(roomId);
      await store.saveMeta(roomId, { name: 'Renamed' });
      expect(await harness.roomRecord(roomId)).toMatchObject({ name: 'Renamed', language: before!.language });
      await store.saveMeta(roomId, { language: 'rust' });
      const after = await harness.roomRecord(roomId);
      expect(after).toMatchObject({ name: 'Renamed', language: 'rust' });
      expect(after!.updatedAt.getTime()).toBeGreaterThanOrEqual(before!.updatedAt.getTime());
    });

    describe('a room that does not exist (never created, or deleted)', () => {
      it('loads as empty, not as an error', async () => {
        expect(await store.load(newRoomId())).toEqual({ snapshot: null, updates: [], through: 0 });
      });

      it('drops its updates from an append batch and writes the other rooms, giving it no position', async () => {
        const known = await createdRoom();
        const unknown = newRoomId();
        const { updates } = typedEdits(['lost?', 'kept']);
        expect(await store.appendBatch([{ roomId: unknown, updates: [record(updates[0]!)] }])).toEqual(new Map());
        const through = await store.appendBatch([
          { roomId: unknown, updates: [record(updates[0]!)] },
          { roomId: known, updates: [record(updates[1]!)] },
        ]);
        expect([...through.keys()]).toEqual([known]);
        expect((await store.load(known)).updates).toEqual([updates[1]]);
        expect(await store.load(unknown)).toEqual({ snapshot: null, updates: [], through: 0 });
      });

      it('refuses compaction', async () => {
        const roomId = newRoomId();
        await expect(store.compact(roomId, { state: typedEdits(['x']).stateAfter(1), through: 0, roster: [] })).rejects.toThrow();
        expect(await store.load(roomId)).toEqual({ snapshot: null, updates: [], through: 0 });
      });

      it('takes settings without error and without creating it', async () => {
        const roomId = newRoomId();
        await store.saveMeta(roomId, { name: 'Ghost', language: 'rust' });
        expect(await harness.roomRecord(roomId)).toBeUndefined();
        expect(await store.appendBatch([{ roomId, updates: [record(typedEdits(['x']).updates[0]!)] }])).toEqual(new Map());
      });
    });
  });
}
