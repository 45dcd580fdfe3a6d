import { expect, it } from 'vitest';
import { sql } from 'kysely';
import { createDatabase, documentsRepo, migrateToLatest, roomsRepo, type DatabaseHandle } from '../src/index';

// Snapshots only: the log is kept for history (and thinned by age, not by compaction).
const storedBytes = async (handle: DatabaseHandle): Promise<number> => {
  const { rows } = await sql<{ bytes: string }>`select (pg_total_relation_size('documents') + pg_total_relation_size('document_snapshot_chunks'))::text as bytes`.execute(handle.db);
  return Number(rows[0]!.bytes);
};

/** A room that keeps typing: log rows appended, then folded into a fresh 64 KB snapshot. */
async function churn(handle: DatabaseHandle, cycles: number, vacuumEvery: number): Promise<number[]> {
  const docs = documentsRepo(handle.db, handle.copyRows);
  // Noise, so the stored copy does not compress away.
  let seed = 2463534242;
  const state = new Uint8Array(64 * 1024).map(() => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed & 0xff;
  });
  const sizes: number[] = [];
  for (let cycle = 1; cycle <= cycles; cycle++) {
    await docs.appendMany([{ roomId: 'room_churn1', records: Array.from({ length: 200 }, (_, i) => ({ update: new Uint8Array([cycle, i]) })) }]);
    const { through } = await docs.load('room_churn1');
    await docs.compact('room_churn1', { state, through });
    if (vacuumEvery > 0 && cycle % vacuumEvery === 0) await handle.vacuum!();
    sizes.push(await storedBytes(handle));
  }
  return sizes;
}

it('[DB-vacuum] on PGlite, vacuuming keeps storage flat under compaction churn; without it storage keeps growing', async () => {
  const run = async (vacuumEvery: number) => {
    const handle = await createDatabase({ kind: 'pglite', dataDir: 'memory://' });
    try {
      await migrateToLatest(handle.db);
      await roomsRepo(handle.db).create({ room_id: 'room_churn1', view_id: 'view_churn1', name: 'n', language: 'go', capacity: 2 });
      return await churn(handle, 30, vacuumEvery);
    } finally {
      await handle.close();
    }
  };
  const withVacuum = await run(5);
  const without = await run(0);
  expect(without[29]!).toBeGreaterThan(2 * without[9]!);
  expect(withVacuum[29]!).toBeLessThan(1.3 * withVacuum[9]!);
}, 60_000);
