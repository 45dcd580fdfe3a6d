import type { DatabaseHandle } from '@pairpad/db';
import { documentsRepo, FencedError, roomsRepo } from '@pairpad/db';
import * as Y from 'yjs';
import { replayStored, type DocStore } from '../rooms/doc-store';

/**
 * Cluster mode: the epoch under which this instance owns each room it serves, and what to do
 * when the database says another instance has taken a room over.
 */
export interface StoreFencing {
  epochOf(roomId: string): number | undefined;
  /** The rooms' writes were refused: this instance no longer owns them. */
  onFenced(roomIds: readonly string[]): void;
}

/** Folds a stored snapshot and log into one state, as a load would see them. */
function foldToState(stored: Parameters<typeof replayStored>[0]): Uint8Array {
  const doc = replayStored(stored);
  try {
    return Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
}

export interface DbDocStoreOptions {
  /** Cluster mode: epochs on every write. */
  fencing?: StoreFencing;
  /**
   * Rooms deleted while loaded (the idle clean-up raced a join): their updates can never be
   * stored, so they are dropped from the batch instead of failing every other room's with them.
   */
  onRoomsGone?(roomIds: readonly string[]): void;
}

/** PostgreSQL's foreign_key_violation: here, a log row for a room that no longer exists. */
const isForeignKeyViolation = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === '23503';

/**
 * The DocStore over the Kysely repos; one implementation for PGlite and PostgreSQL. With
 * `fencing` (cluster mode), every write carries the room's epoch, so a former owner's writes are
 * refused by the database; compaction folds what is stored rather than this instance's document.
 */
export function createDbDocStore(database: DatabaseHandle, options: DbDocStoreOptions = {}): DocStore {
  const { fencing } = options;
  const documents = documentsRepo(database.db, database.copyRows);
  const rooms = roomsRepo(database.db);

  const epochFor = (roomId: string): number | undefined => {
    if (!fencing) return undefined;
    const epoch = fencing.epochOf(roomId);
    if (epoch === undefined) throw new FencedError([roomId]);
    return epoch;
  };

  /** The rooms of a failed batch that can never be written, or null if the failure was something else. */
  async function unwritable(error: unknown, roomIds: readonly string[]): Promise<{ ids: string[]; gone: boolean } | null> {
    if (error instanceof FencedError && fencing) return { ids: [...error.roomIds], gone: false };
    if (!isForeignKeyViolation(error)) return null;
    const existing = await rooms.existing(roomIds);
    const gone = roomIds.filter((roomId) => !existing.has(roomId));
    return gone.length > 0 ? { ids: gone, gone: true } : null;
  }

  return {
    load: async (roomId) => {
      epochFor(roomId);
      return documents.load(roomId);
    },
    appendBatch: async (batches) => {
      let pending = batches;
      for (;;) {
        try {
          return await documents.appendMany(pending.map(({ roomId, updates }) => ({ roomId, records: updates, epoch: epochFor(roomId) })));
        } catch (error) {
          const dropped = await unwritable(error, pending.map(({ roomId }) => roomId));
          if (!dropped) throw error;
          if (dropped.gone) options.onRoomsGone?.(dropped.ids);
          else fencing?.onFenced(dropped.ids);
          // Write the others' updates without them.
          const skip = new Set(dropped.ids);
          pending = pending.filter(({ roomId }) => !skip.has(roomId));
          if (pending.length === 0) return new Map();
        }
      }
    },
    compact: async (roomId, { state, through, editedAt, roster }) => {
      const epoch = epochFor(roomId);
      try {
        if (epoch === undefined) await documents.compact(roomId, { state, through });
        else await documents.foldStored(roomId, epoch, foldToState);
      } catch (error) {
        if (error instanceof FencedError) fencing?.onFenced(error.roomIds);
        throw error;
      }
      const rosterJson = roster && JSON.stringify(roster);
      if (editedAt) await rooms.markEdited(roomId, editedAt, new Date(), rosterJson);
      else await rooms.touch(roomId, new Date(), rosterJson);
    },
    saveMeta: async (roomId, meta) => {
      await rooms.update(roomId, meta);
    },
  };
}
