import type { DatabaseHandle } from '@pairpad/db';
import { documentsRepo, roomsRepo } from '@pairpad/db';
import type { DocStore } from '../rooms/doc-store';

/** The DocStore over the Kysely repos; one implementation for PGlite and PostgreSQL. */
export function createDbDocStore(database: DatabaseHandle): DocStore {
  const documents = documentsRepo(database.db, database.copyRows);
  const rooms = roomsRepo(database.db);
  return {
    load: (roomId) => documents.load(roomId),
    appendBatch: (batches) => documents.appendMany(batches.map(({ roomId, updates }) => ({ roomId, records: updates }))),
    compact: async (roomId, { state, through, editedAt, roster }) => {
      await documents.compact(roomId, { state, through });
      const rosterJson = roster && JSON.stringify(roster);
      if (editedAt) await rooms.markEdited(roomId, editedAt, new Date(), rosterJson);
      else await rooms.touch(roomId, new Date(), rosterJson);
    },
    saveMeta: async (roomId, meta) => {
      await rooms.update(roomId, meta);
    },
  };
}
