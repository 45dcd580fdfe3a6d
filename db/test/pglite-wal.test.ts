import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createDatabase, documentsRepo, migrateToLatest, roomsRepo } from '../src/index';

const MB = 1024 * 1024;

/** Bytes of WAL segment files in a PGlite data directory. */
async function walBytes(dataDir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(join(dataDir, 'pg_wal'))) {
    const entry = await stat(join(dataDir, 'pg_wal', name));
    if (entry.isFile()) total += entry.size;
  }
  return total;
}

it('[DB-wal] on PGlite, the write-ahead log stays bounded under compaction churn and is small after a restart', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'pairpad-wal-'));
  try {
    let handle = await createDatabase({ kind: 'pglite', dataDir });
    await migrateToLatest(handle.db);
    await roomsRepo(handle.db).create({ room_id: 'room_wal001', view_id: 'view_wal001', name: 'n', language: 'go', capacity: 2 });
    const docs = documentsRepo(handle.db, handle.copyRows);
    // Incompressible 512 KB snapshots (TOAST would shrink a repetitive one): 200 compactions
    // put about 100 MB through the log, which without checkpoints all stays in pg_wal.
    const state = randomBytes(512 * 1024);
    const sizes: number[] = [];
    for (let cycle = 0; cycle < 200; cycle++) {
      await docs.appendMany([{ roomId: 'room_wal001', records: Array.from({ length: 10 }, (_, i) => ({ update: new Uint8Array([cycle % 256, i]) })) }]);
      const { through } = await docs.load('room_wal001');
      state[cycle] = cycle % 256;
      await docs.compact('room_wal001', { state, through });
      if (cycle % 20 === 19) sizes.push(await walBytes(dataDir));
    }
    await handle.close();
    handle = await createDatabase({ kind: 'pglite', dataDir });
    await handle.ping();
    const afterRestart = await walBytes(dataDir);
    await handle.close();
    console.log(`[DB-wal] ${JSON.stringify({ writtenMB: 100, walMB: sizes.map((s) => s / MB), afterRestartMB: afterRestart / MB })}`);
    // 16 MB segments: the one being written, the last checkpoint's, and a few recycled ones.
    expect(Math.max(...sizes)).toBeLessThanOrEqual(96 * MB);
    expect(afterRestart).toBeLessThanOrEqual(48 * MB);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}, 120_000);
