import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createDatabase, documentsRepo, migrateToLatest, roomsRepo } from '../src/index';

it('[DB-restart] PGlite in a data directory keeps rooms and updates across a reopen', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pairpad-db-'));
  try {
    const first = await createDatabase({ kind: 'pglite', dataDir: dir });
    await migrateToLatest(first.db);
    await roomsRepo(first.db).create({ room_id: 'room_keep11', view_id: 'view_keep11', name: 'n', language: 'go', capacity: 2 });
    await documentsRepo(first.db).append('room_keep11', [{ update: new Uint8Array([42]) }]);
    await first.close();

    const second = await createDatabase({ kind: 'pglite', dataDir: dir });
    await migrateToLatest(second.db);
    expect((await roomsRepo(second.db).get('room_keep11'))?.language).toBe('go');
    expect((await documentsRepo(second.db).load('room_keep11')).updates).toEqual([new Uint8Array([42])]);
    await second.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
