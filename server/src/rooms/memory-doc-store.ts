import * as Y from 'yjs';
import type { DocStore, LoadedDocument, RoomUpdates, RosterRecord, StoredUpdate } from './doc-store';

interface StoredRoom {
  snapshot: Uint8Array | null;
  log: { id: number; update: Uint8Array }[];
  compactedThrough: number;
  meta: { name?: string; language?: string };
  /** Who the room remembered at its last compaction. */
  roster?: RosterRecord[];
}

/**
 * An in-memory DocStore for unit tests and benchmarks of the core alone. `failing` makes every
 * call reject, to exercise retry and load-failure paths.
 */
export class MemoryDocStore implements DocStore {
  failing = false;
  /** Calls made, for assertions about batching. */
  readonly calls = { load: 0, append: 0, compact: 0, saveMeta: 0 };
  private nextId = 1;
  readonly rooms = new Map<string, StoredRoom>();

  private room(roomId: string): StoredRoom {
    let room = this.rooms.get(roomId);
    if (!room) {
      room = { snapshot: null, log: [], compactedThrough: 0, meta: {} };
      this.rooms.set(roomId, room);
    }
    return room;
  }

  private check(): void {
    if (this.failing) throw new Error('store unavailable');
  }

  async load(roomId: string): Promise<LoadedDocument> {
    this.calls.load++;
    this.check();
    const room = this.room(roomId);
    const last = room.log.at(-1);
    return {
      snapshot: room.snapshot,
      updates: room.log.map((row) => row.update),
      through: last ? last.id : room.compactedThrough,
    };
  }

  /** Test setup: writes one room's updates directly. */
  async append(roomId: string, updates: readonly StoredUpdate[]): Promise<number> {
    return (await this.appendBatch([{ roomId, updates }])).get(roomId) ?? 0;
  }

  async appendBatch(batches: readonly RoomUpdates[]): Promise<Map<string, number>> {
    this.calls.append++;
    this.check();
    const through = new Map<string, number>();
    for (const { roomId, updates } of batches) {
      const room = this.room(roomId);
      for (const { update } of updates) room.log.push({ id: this.nextId++, update });
      through.set(roomId, this.nextId - 1);
    }
    return through;
  }

  async compact(roomId: string, snapshot: { state: Uint8Array; through: number; roster?: readonly RosterRecord[] }): Promise<void> {
    this.calls.compact++;
    this.check();
    const room = this.room(roomId);
    room.snapshot = snapshot.state;
    room.compactedThrough = snapshot.through;
    if (snapshot.roster) room.roster = [...snapshot.roster];
    room.log = room.log.filter((row) => row.id > snapshot.through);
  }

  async saveMeta(roomId: string, meta: { name?: string; language?: string }): Promise<void> {
    this.calls.saveMeta++;
    this.check();
    Object.assign(this.room(roomId).meta, meta);
  }

  /** The text a fresh load would produce: what a restart would show. */
  storedText(roomId: string, key = 'code'): string {
    const room = this.room(roomId);
    const doc = new Y.Doc();
    if (room.snapshot) Y.applyUpdate(doc, room.snapshot);
    for (const row of room.log) Y.applyUpdate(doc, row.update);
    const text = doc.getText(key).toString();
    doc.destroy();
    return text;
  }
}
