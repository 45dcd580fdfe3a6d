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

/**
 * The DocStore over the Kysely repos; one implementation for PGlite and PostgreSQL. With
 * `fencing` (cluster mode), every write carries the room's epoch, so a former owner's writes are
 * refused by the database; compaction folds what is stored rather than this instance's document.
 */
export function createDbDocStore(database: DatabaseHandle, fencing?: StoreFencing): DocStore {
  const documents = documentsRepo(database.db, database.copyRows);
  const rooms = roomsRepo(database.db);

  const epochFor = (roomId: string): number | undefined => {
    if (!fencing) return undefined;
    const epoch = fencing.epochOf(roomId);
    if (epoch === undefined) throw new FencedError([roomId]);
    return epoch;
  };

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
          if (!(error instanceof FencedError) || !fencing) throw error;
          // Let the fenced rooms go, and write the others' updates without them.
          fencing.onFenced(error.roomIds);
          const fenced = new Set(error.roomIds);
          pending = pending.filter(({ roomId }) => !fenced.has(roomId));
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
