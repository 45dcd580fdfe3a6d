import type { Kysely } from 'kysely';
import type { CopyRows } from './dialects';
import type { Database } from './schema';

export interface UpdateRecord {
  update: Uint8Array;
  sessionId?: string | null;
  author?: string | null;
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

export type DocumentsRepo = ReturnType<typeof documentsRepo>;

// postgres.js hands back Buffers; callers compare and decode plain Uint8Arrays.
const toBytes = (value: Uint8Array): Uint8Array =>
  value.constructor === Uint8Array ? value : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);

const LOG_COLUMNS = ['room_id', 'update', 'session_id', 'author', 'created_at'] as const;

export function documentsRepo(db: Kysely<Database>, copyRows?: CopyRows) {
  return {
    async load(roomId: string): Promise<StoredDocument> {
      // One snapshot for both reads: under READ COMMITTED a compaction committing between them
      // would leave the old snapshot plus only the log rows after the new one, losing edits.
      return db.transaction().setIsolationLevel('repeatable read').execute(async (trx) => {
        const doc = await trx
          .selectFrom('documents')
          .select(['state', 'compacted_through'])
          .where('room_id', '=', roomId)
          .executeTakeFirst();
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
          snapshot: doc ? toBytes(doc.state) : null,
          updates: rows.map((row) => toBytes(row.update)),
          through: last ? Number(last.id) : compactedThrough,
        };
      });
    },

    /** Appends one room's batch in one statement; returns the highest id written. */
    async append(roomId: string, records: readonly UpdateRecord[]): Promise<number> {
      return (await this.appendMany([{ roomId, records }])).get(roomId) ?? 0;
    },

    /**
     * Appends batches for many rooms at once, atomically: one round trip per flush interval for
     * the whole server instead of one per room. Returns the highest id written per room.
     */
    async appendMany(batches: readonly { roomId: string; records: readonly UpdateRecord[] }[]): Promise<Map<string, number>> {
      const rows = batches.flatMap(({ roomId, records }) =>
        records.map((record) => ({
          room_id: roomId,
          update: record.update,
          session_id: record.sessionId ?? null,
          author: record.author ?? null,
          created_at: record.at ?? new Date(),
        })),
      );
      const through = new Map<string, number>();
      if (rows.length === 0) return through;
      if (copyRows) {
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
      if (rows.length <= 5_000) await insertChunks(db);
      else await db.transaction().execute((trx) => insertChunks(trx));
      return through;
    },

    /**
     * Replaces the snapshot with `state` (which must include every log row up to `through`)
     * and drops those rows, atomically: a crash leaves either the old or the new pair.
     */
    async compact(roomId: string, snapshot: { state: Uint8Array; through: number }): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('documents')
          .values({
            room_id: roomId,
            state: snapshot.state,
            compacted_through: snapshot.through,
            updated_at: new Date(),
          })
          // `excluded`, not the values again: each bound copy of a 1 MB state costs PGlite about
          // 20 ms to take in, and log appends wait for the whole transaction.
          .onConflict((oc) =>
            oc.column('room_id').doUpdateSet((eb) => ({
              state: eb.ref('excluded.state'),
              compacted_through: eb.ref('excluded.compacted_through'),
              updated_at: eb.ref('excluded.updated_at'),
            })),
          )
          .execute();
        await trx
          .deleteFrom('document_updates')
          .where('room_id', '=', roomId)
          .where('id', '<=', snapshot.through)
          .execute();
      });
    },

    /** Bytes held for one room (snapshot + log), for storage reports. */
    async storedBytes(roomId: string): Promise<{ snapshot: number; log: number; logRows: number }> {
      const doc = await db.selectFrom('documents').select('state').where('room_id', '=', roomId).executeTakeFirst();
      const rows = await db.selectFrom('document_updates').select('update').where('room_id', '=', roomId).execute();
      return {
        snapshot: doc ? doc.state.byteLength : 0,
        log: rows.reduce((sum, row) => sum + row.update.byteLength, 0),
        logRows: rows.length,
      };
    },
  };
}
