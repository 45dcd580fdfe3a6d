import { DEFAULT_LANGUAGE, type Language } from '@pairpad/shared';
import { replayStored, type DocStore, type LoadedDocument, type RoomUpdates, type RosterRecord, type StoredUpdate } from './doc-store';

/** What the memory store keeps about a room besides its document: the columns DocStore writes. */
export interface StoredRoomRecord {
  name: string;
  language: Language;
  roster: readonly RosterRecord[];
  updatedAt: Date;
}

interface StoredRoom extends StoredRoomRecord {
  snapshot: Uint8Array | null;
  log: { id: number; update: Uint8Array }[];
  compactedThrough: number;
}

/**
 * An in-memory DocStore for unit tests and benchmarks of the core alone. It refuses what the
 * database refuses (doc-store-contract.ts runs the same suite over both): a room must be created
 * first, as the rooms table's foreign keys demand. `failing` makes every call reject, to exercise
 * retry and load-failure paths.
 */
export class MemoryDocStore implements DocStore {
  failing = false;
  /** Calls made, for assertions about batching. */
  readonly calls = { load: 0, append: 0, compact: 0, saveMeta: 0 };
  private nextId = 1;
  readonly rooms = new Map<string, StoredRoom>();

  /**
   * Test setup: creates a room as POST /rooms does, with `snapshot` as its first document
   * (none: a room with nothing stored). Rooms that exist are left alone.
   */
  createRoom(roomId: string, options: { snapshot?: Uint8Array; name?: string; language?: Language; roster?: readonly RosterRecord[] } = {}): void {
    if (this.rooms.has(roomId)) return;
    this.rooms.set(roomId, {
      snapshot: options.snapshot ? options.snapshot.slice() : null,
      log: [],
      compactedThrough: 0,
      name: options.name ?? 'Test room',
      language: options.language ?? DEFAULT_LANGUAGE,
      roster: options.roster ?? [],
      updatedAt: new Date(),
    });
  }

  /** The room's record as the rooms table would hold it; undefined for a room never created. */
  roomRecord(roomId: string): StoredRoomRecord | undefined {
    const room = this.rooms.get(roomId);
    return room && { name: room.name, language: room.language, roster: room.roster, updatedAt: room.updatedAt };
  }

  private room(roomId: string): StoredRoom {
    const room = this.rooms.get(roomId);
    // The database's foreign keys from the log and the snapshot to the rooms table.
    if (!room) throw new Error(`room ${roomId} does not exist`);
    return room;
  }

  private check(): void {
    if (this.failing) throw new Error('store unavailable');
  }

  async load(roomId: string): Promise<LoadedDocument> {
    this.calls.load++;
    this.check();
    // Like the database, a room never created (or deleted) loads as empty, not as an error.
    const room = this.rooms.get(roomId);
    if (!room) return { snapshot: null, updates: [], through: 0 };
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
    // As the database store does: a room that does not exist (deleted while loaded) can never be
    // written, so its updates are dropped, not the whole batch with them.
    const through = new Map<string, number>();
    for (const { roomId, updates } of batches) {
      const room = this.rooms.get(roomId);
      if (updates.length === 0 || !room) continue;
      // Copies, as a database holds: the caller's buffers may be reused.
      for (const { update } of updates) room.log.push({ id: this.nextId++, update: update.slice() });
      through.set(roomId, this.nextId - 1);
    }
    return through;
  }

  async compact(roomId: string, snapshot: { state: Uint8Array; through: number; editedAt?: Date; roster?: readonly RosterRecord[] }): Promise<void> {
    this.calls.compact++;
    this.check();
    const room = this.room(roomId);
    room.snapshot = snapshot.state.slice();
    room.compactedThrough = snapshot.through;
    if (snapshot.roster) room.roster = snapshot.roster.map((record) => ({ ...record }));
    // An edit stored late never moves `updatedAt` back.
    if (snapshot.editedAt && snapshot.editedAt > room.updatedAt) room.updatedAt = snapshot.editedAt;
    // The database keeps these rows as history; nothing here reads history, so the fake drops them.
    room.log = room.log.filter((row) => row.id > snapshot.through);
  }

  async saveMeta(roomId: string, meta: { name?: string; language?: Language }): Promise<void> {
    this.calls.saveMeta++;
    this.check();
    // An UPDATE of a row that is not there changes nothing and is no error.
    const room = this.rooms.get(roomId);
    if (!room) return;
    if (meta.name !== undefined) room.name = meta.name;
    if (meta.language !== undefined) room.language = meta.language;
    room.updatedAt = new Date();
  }

  /** The text a fresh load would produce: what a restart would show. */
  storedText(roomId: string, key = 'code'): string {
    const room = this.room(roomId);
    const doc = replayStored({ snapshot: room.snapshot, updates: room.log.map((row) => row.update), through: 0 });
    const text = doc.getText(key).toString();
    doc.destroy();
    return text;
  }
}
