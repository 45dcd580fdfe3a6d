import { sql, type Kysely } from 'kysely';
import type { CopyRows } from './dialects';
import { chunkCount, concatBytes, SNAPSHOT_CHUNK_BYTES, toBytes } from './bytes';
import { assertEpochs } from './room-ownership';
import type { Database } from './schema';

export interface UpdateRecord {
  update: Uint8Array;
  sessionId?: string | null;
  author?: string | null;
  /** Made by the server's own Y.Doc on the author's behalf (see migration 0007). */
  serverMade?: boolean;
  /** When the update was accepted; defaults to the insert time. */
  at?: Date;
}

export interface StoredDocument {
  /** The last compacted full state, or null when the room has never been compacted. */
  snapshot: Uint8Array | null;
  /** Log rows not yet folded into the snapshot, oldest first. */
  updates: Uint8Array[];
  /** Highest log id included in `snapshot` + `updates`; pass it to compact(). */
  through: number;
}

export interface AppendBatch {
  roomId: string;
  records: readonly UpdateRecord[];
  /** The writer's ownership epoch (cluster mode): the append is refused unless it is current. */
  epoch?: number;
}

export type DocumentsRepo = ReturnType<typeof documentsRepo>;

const INLINE_SNAPSHOT_BYTES = 2 * SNAPSHOT_CHUNK_BYTES;
const EMPTY = new Uint8Array(0);

const LOG_COLUMNS = ['room_id', 'update', 'session_id', 'author', 'created_at', 'server_made'] as const;

export function documentsRepo(db: Kysely<Database>, copyRows?: CopyRows) {
  return {
    async load(roomId: string): Promise<StoredDocument> {
      // One snapshot for all reads: under READ COMMITTED a compaction committing between them
      // would leave the old snapshot plus only the log rows after the new one, losing edits.
      return db.transaction().setIsolationLevel('repeatable read').execute((trx) => readStored(trx, roomId));
    },

    /** Appends one room's batch in one statement; returns the highest id written. */
    async append(roomId: string, records: readonly UpdateRecord[]): Promise<number> {
      return (await this.appendMany([{ roomId, records }])).get(roomId) ?? 0;
    },

    /**
     * Appends batches for many rooms at once, atomically: one round trip per flush interval for
     * the whole server instead of one per room. Returns the highest id written per room.
     * Batches that carry an epoch are fenced: if any room's epoch is stale, nothing is written
     * and FencedError names those rooms.
     */
    async appendMany(batches: readonly AppendBatch[]): Promise<Map<string, number>> {
      const rows = batches.flatMap(({ roomId, records }) =>
        records.map((record) => ({
          room_id: roomId,
          update: record.update,
          session_id: record.sessionId ?? null,
          author: record.author ?? null,
          created_at: record.at ?? new Date(),
          server_made: record.serverMade ?? false,
        })),
      );
      const through = new Map<string, number>();
      if (rows.length === 0) return through;
      const epochs = new Map(batches.flatMap(({ roomId, epoch }) => (epoch === undefined ? [] : [[roomId, epoch] as const])));
      if (copyRows && epochs.size === 0) {
        const values = rows.map((row) => LOG_COLUMNS.map((column) => row[column]));
        const last = await copyRows('document_updates', LOG_COLUMNS, values, 'document_updates_id_seq');
        // Rows took consecutive ids in order, so a room's highest is its last row's.
        rows.forEach((row, i) => through.set(row.room_id, last - rows.length + 1 + i));
        return through;
      }
      const insertChunks = async (executor: Kysely<Database>) => {
        // Stay far below PostgreSQL's 65,535 bind parameters per statement.
        for (let start = 0; start < rows.length; start += 5_000) {
          const written = await executor
            .insertInto('document_updates')
            .values(rows.slice(start, start + 5_000))
            .returning(['id', 'room_id'])
            .execute();
          for (const row of written) through.set(row.room_id, Math.max(through.get(row.room_id) ?? 0, Number(row.id)));
        }
      };
      if (rows.length <= 5_000 && epochs.size === 0) await insertChunks(db);
      else {
        await db.transaction().execute(async (trx) => {
          await assertEpochs(trx, epochs);
          await insertChunks(trx);
        });
      }
      return through;
    },

    /**
     * Replaces the snapshot with `state` (which must include every log row up to `through`),
     * atomically: a crash leaves either the old or the new pair. A big
     * state is first written as chunk rows, one statement each, so that on the embedded
     * database (one connection) log appends wait for at most one chunk, never the whole state;
     * one short transaction then switches to them.
     */
    async compact(roomId: string, snapshot: { state: Uint8Array; through: number; epoch?: number }): Promise<void> {
      const { state, through, epoch } = snapshot;
      let version: number | null = null;
      try {
        if (state.byteLength > INLINE_SNAPSHOT_BYTES) {
          version = await newSnapshotVersion(db);
          await writeChunks(db, roomId, version, state);
        }
        const chunked = version;
        await db.transaction().execute(async (trx) => {
          await takeCompactionTurn(trx, roomId, epoch);
          if (chunked !== null) {
            const written = await trx
              .selectFrom('document_snapshot_chunks')
              .select((eb) => [eb.fn.countAll<string>().as('chunks'), sql<string>`coalesce(sum(octet_length(chunk)), 0)`.as('bytes')])
              .where('room_id', '=', roomId)
              .where('version', '=', chunked)
              .executeTakeFirstOrThrow();
            // Another compaction of this room switched versions meanwhile and deleted ours.
            if (Number(written.bytes) !== state.byteLength || Number(written.chunks) !== chunkCount(state)) {
              throw new Error(`snapshot of ${roomId} lost chunks while being written`);
            }
          }
          await switchSnapshot(trx, roomId, chunked === null ? state : EMPTY, through, chunked);
        });
      } catch (error) {
        // Best effort (chunks nothing names are also deleted by the room's next compaction), and
        // never the version in use: the switch may have committed with only its answer lost.
        if (version !== null) {
          const orphan = version;
          await db
            .deleteFrom('document_snapshot_chunks')
            .where('room_id', '=', roomId)
            .where('version', '=', orphan)
            .where(({ not, exists, selectFrom }) =>
              not(exists(selectFrom('documents').select('room_id').where('room_id', '=', roomId).where('snapshot_version', '=', orphan))),
            )
            .execute()
            .catch(() => {});
        }
        throw error;
      }
    },

    /**
     * Compaction as a cluster owner does it: in one transaction, fenced by `epoch`, folds what is
     * stored (snapshot plus every log row) with `fold` and replaces it, never trusting a
     * possibly stale in-memory document. For PostgreSQL, where a long transaction holds no other
     * room's appends. Returns the log position the new snapshot covers.
     */
    async foldStored(roomId: string, epoch: number, fold: (stored: StoredDocument) => Uint8Array): Promise<number> {
      return db.transaction().execute(async (trx) => {
        await takeCompactionTurn(trx, roomId, epoch);
        const stored = await readStored(trx, roomId);
        const state = fold(stored);
        let version: number | null = null;
        if (state.byteLength > INLINE_SNAPSHOT_BYTES) {
          version = await newSnapshotVersion(trx);
          await writeChunks(trx, roomId, version, state);
        }
        await switchSnapshot(trx, roomId, version === null ? state : EMPTY, stored.through, version);
        return stored.through;
      });
    },

    /**
     * Bytes held for one room, for storage reports: the snapshot (every chunk row included), the
     * log rows a load reads after it (`log`, `logRows`), and the whole kept log, history included
     * (`historyLog`, `historyRows`).
     */
    async storedBytes(roomId: string): Promise<{ snapshot: number; log: number; logRows: number; historyLog: number; historyRows: number }> {
      const doc = await db.selectFrom('documents').select(['state', 'compacted_through']).where('room_id', '=', roomId).executeTakeFirst();
      const chunks = await db.selectFrom('document_snapshot_chunks').select('chunk').where('room_id', '=', roomId).execute();
      const rows = await db.selectFrom('document_updates').select(['id', 'update']).where('room_id', '=', roomId).execute();
      const after = rows.filter((row) => Number(row.id) > Number(doc?.compacted_through ?? 0));
      const sum = (list: typeof rows) => list.reduce((total, row) => total + row.update.byteLength, 0);
      return {
        snapshot: (doc ? doc.state.byteLength : 0) + chunks.reduce((total, row) => total + row.chunk.byteLength, 0),
        log: sum(after),
        logRows: after.length,
        historyLog: sum(rows),
        historyRows: rows.length,
      };
    },
  };
}

async function readStored(trx: Kysely<Database>, roomId: string): Promise<StoredDocument> {
  const doc = await trx
    .selectFrom('documents')
    .select(['state', 'compacted_through', 'snapshot_version'])
    .where('room_id', '=', roomId)
    .executeTakeFirst();
  let snapshot = doc ? toBytes(doc.state) : null;
  if (doc?.snapshot_version != null) {
    const chunks = await trx
      .selectFrom('document_snapshot_chunks')
      .select(['seq', 'chunk'])
      .where('room_id', '=', roomId)
      .where('version', '=', Number(doc.snapshot_version))
      .orderBy('seq')
      .execute();
    if (chunks.length === 0 || chunks.some((row, i) => row.seq !== i)) {
      throw new Error(`snapshot of ${roomId} is missing chunks of version ${doc.snapshot_version}`);
    }
    snapshot = concatBytes(chunks.map((row) => toBytes(row.chunk)));
  }
  const compactedThrough = doc ? Number(doc.compacted_through) : 0;
  const rows = await trx
    .selectFrom('document_updates')
    .select(['id', 'update'])
    .where('room_id', '=', roomId)
    .where('id', '>', compactedThrough)
    .orderBy('id')
    .execute();
  const last = rows.at(-1);
  return {
    snapshot,
    updates: rows.map((row) => toBytes(row.update)),
    through: last ? Number(last.id) : compactedThrough,
  };
}

/**
 * Compactions of one room take turns here: otherwise two could each check their own chunks,
 * then each delete the other's, and leave the winner naming deleted chunks. NO KEY UPDATE leaves
 * appends (whose foreign key check shares the row) unblocked. With an epoch, also fenced.
 */
async function takeCompactionTurn(trx: Kysely<Database>, roomId: string, epoch: number | undefined): Promise<void> {
  await sql`select 1 from rooms where room_id = ${roomId} for no key update`.execute(trx);
  if (epoch !== undefined) await assertEpochs(trx, new Map([[roomId, epoch]]));
}

/** Makes `state` (inline) or the chunks of `version` the room's snapshot, dropping what it folded. */
async function switchSnapshot(trx: Kysely<Database>, roomId: string, state: Uint8Array, through: number, version: number | null): Promise<void> {
  await trx
    .insertInto('documents')
    .values({ room_id: roomId, state, compacted_through: through, snapshot_version: version, updated_at: new Date() })
    // `excluded`, not the values again: each bound copy of a big state costs PGlite about
    // 20 ms per MB to take in, and log appends wait for the whole transaction.
    .onConflict((oc) =>
      oc.column('room_id').doUpdateSet((eb) => ({
        state: eb.ref('excluded.state'),
        compacted_through: eb.ref('excluded.compacted_through'),
        snapshot_version: eb.ref('excluded.snapshot_version'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
  // The log rows stay: they are history (history-repo.ts thins them by age).
  // The previous version's chunks, and any a crashed compaction left behind.
  let stale = trx.deleteFrom('document_snapshot_chunks').where('room_id', '=', roomId);
  if (version !== null) stale = stale.where('version', '<>', version);
  await stale.execute();
}

async function newSnapshotVersion(executor: Kysely<Database>): Promise<number> {
  const { rows } = await sql<{ version: string }>`select nextval('document_snapshot_version_seq') as version`.execute(executor);
  return Number(rows[0]!.version);
}

/** Writes `state` as the chunk rows of `version`, one statement per chunk. */
async function writeChunks(executor: Kysely<Database>, roomId: string, version: number, state: Uint8Array): Promise<void> {
  for (let seq = 0; seq < chunkCount(state); seq++) {
    const chunk = state.slice(seq * SNAPSHOT_CHUNK_BYTES, (seq + 1) * SNAPSHOT_CHUNK_BYTES);
    await executor.insertInto('document_snapshot_chunks').values({ room_id: roomId, version, seq, chunk }).execute();
  }
}
