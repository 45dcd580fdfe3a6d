import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, getJson, startServer, waitFor, yClient, type TestServer } from './helpers';

let server: TestServer;

beforeAll(async () => {
  // Compaction soon after an edit, so the rooms table is written within the test.
  server = await startServer({ env: { COMPACT_INTERVAL_MS: '200' } });
});
afterAll(async () => {
  await server.close();
});

describe('updatedAt', () => {
  it('[REST-updatedAt] moves to the last edit: from memory while the room is live, from the rooms table once stored', async () => {
    const room = await createRoom(server, { code: 'start' });
    const createdUpdatedAt = Date.parse(room.updatedAt);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const client = yClient(server, room.roomId, 'Editor');
    await client.synced();
    const editedAfter = Date.now();
    client.text.insert(5, ' edited');
    // Live room: REST answers from memory once the edit is stored.
    const live = await waitFor(async () => {
      const { body } = await getJson(`${server.httpUrl}/rooms/${room.roomId}`);
      return Date.parse(body.updatedAt) > createdUpdatedAt ? body : null;
    }, 5_000, 'updatedAt to move while the room is live');
    expect(Date.parse(live.updatedAt)).toBeGreaterThanOrEqual(editedAfter - 5);
    // After compaction the rooms table has it too: a restart or an unloaded room shows it.
    await waitFor(async () => {
      const row = await server.handle.db.selectFrom('rooms').select('updated_at').where('room_id', '=', room.roomId).executeTakeFirstOrThrow();
      return row.updated_at.getTime() >= editedAfter - 5;
    }, 5_000, 'the rooms table to hold the edit time');
    client.destroy();
    await waitFor(() => server.app.registry.get(room.roomId) === undefined, 5_000, 'the room to unload');
    const { body } = await getJson(`${server.httpUrl}/rooms/${room.roomId}`);
    expect(Date.parse(body.updatedAt)).toBeGreaterThanOrEqual(editedAfter - 5);
    expect(body.code).toBe('start edited');
  });
});
