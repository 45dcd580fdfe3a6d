import { createDatabase, migrateToLatest, roomsRepo } from '@pairpad/db';
import { createTestDatabase } from '@pairpad/db/testing';
import { describe, expect, it } from 'vitest';
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

describe.each([['PGlite', undefined], ['PostgreSQL', postgresUrl]].filter(([, url], i) => i === 0 || url) as [string, string | undefined][])(
  'database store on %s: a room deleted while loaded',
  (_name, url) => {
    it('[DB-append] its updates are dropped (it is reported gone) and the rest of the batch is written, not retried with it forever', async () => {
      const testDb = await createTestDatabase(url);
      const database = await createDatabase(testDb.config);
      try {
        await migrateToLatest(database.db);
        const rooms = roomsRepo(database.db);
        for (const roomId of ['room_stays1', 'room_goes01']) {
          await rooms.create({ room_id: roomId, view_id: `view_${roomId.slice(5)}`, name: 'Pair', language: 'python', capacity: 5 });
        }
        const gone: string[] = [];
        const store = createDbDocStore(database, { onRoomsGone: (roomIds) => gone.push(...roomIds) });
        // What the idle clean-up does to a room that a join is loading at that moment.
        await database.db.deleteFrom('rooms').where('room_id', '=', 'room_goes01').execute();
        const update = (byte: number) => ({ update: new Uint8Array([byte]), sessionId: null, author: null, at: new Date() });
        const through = await store.appendBatch([
          { roomId: 'room_goes01', updates: [update(1)] },
          { roomId: 'room_stays1', updates: [update(2)] },
        ]);
        expect(gone).toEqual(['room_goes01']);
        expect([...through.keys()]).toEqual(['room_stays1']);
        expect((await store.load('room_stays1')).updates).toEqual([new Uint8Array([2])]);
      } finally {
        await database.close();
        await testDb.drop();
      }
    });
  },
);
