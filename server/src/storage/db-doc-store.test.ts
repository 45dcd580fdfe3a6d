import { createDatabase, migrateToLatest, roomsRepo } from '@pairpad/db';
import { createTestDatabase } from '@pairpad/db/testing';
import { describe, it } from 'vitest';
import { describeDocStoreContract, type DocStoreHarness } from '../rooms/doc-store-contract';
import { createDbDocStore } from './db-doc-store';
import { createRoomDirectory } from './room-directory';

/** The DocStore as the server builds it, on a database created and migrated for this file. */
async function openDbHarness(postgresUrl?: string): Promise<DocStoreHarness> {
  const testDb = await createTestDatabase(postgresUrl);
  const database = await createDatabase(testDb.config);
  await migrateToLatest(database.db);
  const rooms = roomsRepo(database.db);
  const directory = createRoomDirectory(database);
  return {
    store: createDbDocStore(database),
    createRoom: async (roomId, snapshot) => {
      const row = { room_id: roomId, view_id: `view_of_${roomId}`, name: 'Test room', language: 'plaintext', capacity: 5 };
      if (snapshot) await rooms.createWithDocument(row, snapshot);
      else await rooms.create(row);
    },
    roomRecord: async (roomId) => {
      const settings = await directory.byRoomId(roomId);
      return settings && { name: settings.name, language: settings.language, roster: settings.roster ?? [], updatedAt: new Date(settings.updatedAt!) };
    },
    close: async () => {
      await database.close();
      await testDb.drop();
    },
  };
}

describeDocStoreContract('database store on PGlite', () => openDbHarness());

const postgresUrl = process.env.TEST_DATABASE_URL;
if (postgresUrl) {
  describeDocStoreContract('database store on PostgreSQL', () => openDbHarness(postgresUrl));
} else {
  describe('DocStore contract: database store on PostgreSQL', () => {
    it.skip('needs TEST_DATABASE_URL', () => {});
  });
}
