import { sql, type Kysely, type Selectable } from 'kysely';
import { chunkCount, concatBytes, SNAPSHOT_CHUNK_BYTES, toBytes } from './bytes';
import type { StoredDocument } from './documents-repo';
import type { Database, DocumentAuthorshipTable } from './schema';

export type HistoryRepo = ReturnType<typeof historyRepo>;

export interface LogRow {
  id: number;
  update: Uint8Array;
  sessionId: string | null;
  author: string | null;
  serverMade: boolean;
  at: Date;
}

export interface VersionRecord {
  id: number;
  through: number;
  kind: string;
  name: string | null;
  createdBy: string | null;
  createdAt: Date;
  authors: string[];
  inserted: number;
  deleted: number;
  length: number;
}

export interface NewVersion {
  through: number;
  kind: string;
  name?: string | null;
  createdBy?: string | null;
  at?: Date;
  inserted: number;
  deleted: number;
  length: number;
}

/** Yjs items `[clockStart, clockEnd)` of `client`, written by `author` around `writtenAt`. */
export interface AuthorshipRange {
  client: number;
  clockStart: number;
  clockEnd: number;
  sessionId: string | null;
  author: string | null;
  writtenAt: Date;
  flagged: boolean;
}

/** Where reading a room's log for authorship stands. */
export interface AttributionState {
  /** Every log row up to here is read. */
  through: number;
  /** The first range of each client id: who it is bound to. */
  firstRanges: AuthorshipRange[];
}

/** Ranges read from a room's log rows `(after, through]`. */
export interface AuthorshipBatch {
  roomId: string;
  after: number;
  through: number;
  ranges: readonly AuthorshipRange[];
}

/** Writes `state` as the chunk rows of the checkpoint at `through`, one statement per chunk. */
export async function insertCheckpoint(executor: Kysely<Database>, roomId: string, through: number, state: Uint8Array): Promise<void> {
  const chunks = chunkCount(state);
  for (let seq = 0; seq < chunks; seq++) {
    const chunk = state.slice(seq * SNAPSHOT_CHUNK_BYTES, (seq + 1) * SNAPSHOT_CHUNK_BYTES);
    await executor
      .insertInto('document_checkpoints')
      .values({ room_id: roomId, through, seq, chunks, chunk })
      .onConflict((oc) => oc.columns(['room_id', 'through', 'seq']).doNothing())
      .execute();
  }
}

const toVersion = (row: {
  id: number | string;
  through: number | string;
  kind: string;
  name: string | null;
  created_by: string | null;
  created_at: Date;
  authors: string;
  inserted: number;
  deleted: number;
  length: number;
}): VersionRecord => ({
  id: Number(row.id),
  through: Number(row.through),
  kind: row.kind,
  name: row.name,
  createdBy: row.created_by,
  createdAt: new Date(row.created_at),
  authors: JSON.parse(row.authors) as string[],
  inserted: row.inserted,
  deleted: row.deleted,
  length: row.length,
});

/**
 * A room's history: versions (points in the update log), checkpoints to rebuild them from, and
 * who wrote what. The log itself is `document_updates`, kept by compaction.
 */
export function historyRepo(db: Kysely<Database>) {
  return {
    /**
     * What the document was at log position `through`: the newest whole checkpoint at or before
     * it, and the log rows after that up to `through`. One snapshot of the database for all reads.
     */
    async readAt(roomId: string, through: number): Promise<StoredDocument> {
      return db
        .transaction()
        .setIsolationLevel('repeatable read')
        .execute(async (trx) => {
          const checkpoint = await newestCheckpoint(trx, roomId, through);
          const rows = await trx
            .selectFrom('document_updates')
            .select(['id', 'update'])
            .where('room_id', '=', roomId)
            .where('id', '>', checkpoint?.through ?? 0)
            .where('id', '<=', through)
            .orderBy('id')
            .execute();
          return { snapshot: checkpoint?.state ?? null, updates: rows.map((row) => toBytes(row.update)), through };
        });
    },

    /** Log rows in `(after, upTo]` (written before `writtenBefore`, if given), oldest first, at most `limit`. */
    async logRows(roomId: string, after: number, upTo: number, limit: number, writtenBefore?: Date): Promise<LogRow[]> {
      let query = db
        .selectFrom('document_updates')
        .select(['id', 'update', 'session_id', 'author', 'server_made', 'created_at'])
        .where('room_id', '=', roomId)
        .where('id', '>', after)
        .where('id', '<=', upTo);
      if (writtenBefore) query = query.where('created_at', '<', writtenBefore);
      const rows = await query.orderBy('id').limit(limit).execute();
      return rows.map((row) => ({
        id: Number(row.id),
        update: toBytes(row.update),
        sessionId: row.session_id,
        author: row.author,
        serverMade: row.server_made,
        at: new Date(row.created_at),
      }));
    },

    /** How many log rows follow position `after`, counting up to `limit`. */
    async countRows(roomId: string, after: number, limit: number): Promise<number> {
      const { rows } = await sql<{ count: string }>`
        select count(*) as count from (
          select 1 from document_updates where room_id = ${roomId} and id > ${after} order by id limit ${limit}
        ) as following`.execute(db);
      return Number(rows[0]?.count ?? 0);
    },

    /** The highest log position of the room (0 before any edit). */
    async logPosition(roomId: string): Promise<number> {
      const row = await db
        .selectFrom('document_updates')
        .select((eb) => eb.fn.max('id').as('last'))
        .where('room_id', '=', roomId)
        .executeTakeFirst();
      const documents = await db.selectFrom('documents').select('compacted_through').where('room_id', '=', roomId).executeTakeFirst();
      return Math.max(Number(row?.last ?? 0), Number(documents?.compacted_through ?? 0));
    },

    /** Where the newest checkpoint stands, and when it was written. */
    async lastCheckpoint(roomId: string): Promise<{ through: number; at: Date } | null> {
      const row = await db
        .selectFrom('document_checkpoints')
        .select(['through', 'created_at'])
        .where('room_id', '=', roomId)
        .orderBy('through', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row ? { through: Number(row.through), at: new Date(row.created_at) } : null;
    },

    async writeCheckpoint(roomId: string, through: number, state: Uint8Array): Promise<void> {
      await insertCheckpoint(db, roomId, through, state);
    },

    /**
     * Records a version at log position `through`; `authors` are the people whose log rows lie
     * between the previous version and this one.
     */
    async createVersion(roomId: string, version: NewVersion): Promise<VersionRecord> {
      return db.transaction().execute(async (trx) => {
        const previous = await trx
          .selectFrom('document_versions')
          .select('through')
          .where('room_id', '=', roomId)
          .orderBy('id', 'desc')
          .limit(1)
          .executeTakeFirst();
        const authors = await trx
          .selectFrom('document_updates')
          .select('author')
          .distinct()
          .where('room_id', '=', roomId)
          .where('id', '>', Number(previous?.through ?? 0))
          .where('id', '<=', version.through)
          .where('author', 'is not', null)
          .orderBy('author')
          .execute();
        const row = await trx
          .insertInto('document_versions')
          .values({
            room_id: roomId,
            through: version.through,
            kind: version.kind,
            name: version.name ?? null,
            created_by: version.createdBy ?? null,
            created_at: version.at ?? new Date(),
            authors: JSON.stringify(authors.map((entry) => entry.author)),
            inserted: version.inserted,
            deleted: version.deleted,
            length: version.length,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toVersion(row);
      });
    },

    /** Newest first; `before` pages on from an id. */
    async listVersions(roomId: string, options: { before?: number; limit: number }): Promise<VersionRecord[]> {
      let query = db.selectFrom('document_versions').selectAll().where('room_id', '=', roomId);
      if (options.before !== undefined) query = query.where('id', '<', options.before);
      const rows = await query.orderBy('id', 'desc').limit(options.limit).execute();
      return rows.map(toVersion);
    },

    async getVersion(roomId: string, id: number): Promise<VersionRecord | undefined> {
      const row = await db.selectFrom('document_versions').selectAll().where('room_id', '=', roomId).where('id', '=', id).executeTakeFirst();
      return row ? toVersion(row) : undefined;
    },

    /** The version after `id` (the end of a replay from it), if any. */
    async nextVersion(roomId: string, id: number): Promise<VersionRecord | undefined> {
      const row = await db
        .selectFrom('document_versions')
        .selectAll()
        .where('room_id', '=', roomId)
        .where('id', '>', id)
        .orderBy('id')
        .limit(1)
        .executeTakeFirst();
      return row ? toVersion(row) : undefined;
    },

    async latestVersion(roomId: string): Promise<VersionRecord | undefined> {
      const row = await db.selectFrom('document_versions').selectAll().where('room_id', '=', roomId).orderBy('id', 'desc').limit(1).executeTakeFirst();
      return row ? toVersion(row) : undefined;
    },

    /**
     * Where authorship reading stands for each room, and who each client id is bound to so far:
     * the first range of every client (what a reader needs to go on, not the whole record).
     */
    async attributionStates(roomIds: readonly string[]): Promise<Map<string, AttributionState>> {
      const states = new Map<string, AttributionState>();
      if (roomIds.length === 0) return states;
      const docs = await db.selectFrom('documents').select(['room_id', 'attributed_through']).where('room_id', 'in', roomIds).execute();
      for (const doc of docs) states.set(doc.room_id, { through: Number(doc.attributed_through), firstRanges: [] });
      const firsts = await db
        .selectFrom('document_authorship')
        .selectAll()
        .distinctOn(['room_id', 'client'])
        .where('room_id', 'in', roomIds)
        .orderBy('room_id')
        .orderBy('client')
        .orderBy('clock_start')
        .execute();
      for (const row of firsts) states.get(row.room_id)?.firstRanges.push(toRange(row));
      return states;
    },

    /** Log rows not yet read for authorship, oldest first, and where reading stands. */
    async unattributed(roomId: string, limit: number): Promise<{ after: number; rows: LogRow[] }> {
      const doc = await db.selectFrom('documents').select('attributed_through').where('room_id', '=', roomId).executeTakeFirst();
      const after = Number(doc?.attributed_through ?? 0);
      return { after, rows: await this.logRows(roomId, after, Number.MAX_SAFE_INTEGER, limit) };
    },

    /**
     * Stores ranges read from the log up to `through`, for each room whose reading still stands
     * at `after` (another reader may have done it meanwhile: that room's ranges are then not
     * written). One transaction for all rooms: the once-a-minute pass over every edited room is
     * a few statements, not a few per room. Returns the rooms written.
     */
    async saveAuthorship(batches: readonly AuthorshipBatch[]): Promise<Set<string>> {
      if (batches.length === 0) return new Set();
      return db.transaction().execute(async (trx) => {
        const moves = sql.join(batches.map((batch) => sql`(${batch.roomId}::text, ${batch.after}::bigint, ${batch.through}::bigint)`));
        const moved = await sql<{ room_id: string }>`
          UPDATE documents AS d SET attributed_through = m.through
          FROM (VALUES ${moves}) AS m(room_id, after, through)
          WHERE d.room_id = m.room_id AND d.attributed_through = m.after
          RETURNING d.room_id`.execute(trx);
        const saved = new Set(moved.rows.map((row) => row.room_id));
        const values = batches
          .filter((batch) => saved.has(batch.roomId))
          .flatMap((batch) =>
            batch.ranges.map((range) => ({
              room_id: batch.roomId,
              client: range.client,
              clock_start: range.clockStart,
              clock_end: range.clockEnd,
              session_id: range.sessionId,
              author: range.author,
              written_at: range.writtenAt,
              flagged: range.flagged,
            })),
          );
        for (let start = 0; start < values.length; start += 2_000) {
          await trx
            .insertInto('document_authorship')
            .values(values.slice(start, start + 2_000))
            .onConflict((oc) => oc.columns(['room_id', 'client', 'clock_start']).doNothing())
            .execute();
        }
        return saved;
      });
    },

    /** Rooms with log rows older than `mergeBefore` not merged yet, or any older than `dropBefore`; at most `limit`. */
    async roomsToThin(mergeBefore: Date, dropBefore: Date, limit: number): Promise<string[]> {
      const rows = await db
        .selectFrom('documents as d')
        .select('d.room_id')
        .where(({ exists, selectFrom, or }) =>
          or([
            exists(
              selectFrom('document_updates as u')
                .select('u.id')
                .whereRef('u.room_id', '=', 'd.room_id')
                .whereRef('u.id', '>', 'd.merged_through')
                .whereRef('u.id', '<=', 'd.compacted_through')
                .where('u.created_at', '<', mergeBefore),
            ),
            exists(selectFrom('document_updates as u').select('u.id').whereRef('u.room_id', '=', 'd.room_id').where('u.created_at', '<', dropBefore)),
          ]),
        )
        .limit(limit)
        .execute();
      return rows.map((row) => row.room_id);
    },

    /**
     * Old log rows to merge: after `merged_through`, written before `before`, and only rows
     * already folded into the snapshot and read for authorship (merging never changes what a
     * load or the authorship reader sees). With the log positions rows must not be merged
     * across: every version and checkpoint.
     */
    async rowsToMerge(roomId: string, before: Date, limit: number): Promise<{ rows: LogRow[]; boundaries: number[] }> {
      const doc = await db
        .selectFrom('documents')
        .select(['merged_through', 'compacted_through', 'attributed_through'])
        .where('room_id', '=', roomId)
        .executeTakeFirst();
      if (!doc) return { rows: [], boundaries: [] };
      const upTo = Math.min(Number(doc.compacted_through), Number(doc.attributed_through));
      const after = Number(doc.merged_through);
      const rows = await this.logRows(roomId, after, upTo, limit, before);
      const last = rows.at(-1);
      if (!last) return { rows: [], boundaries: [] };
      const versions = await db.selectFrom('document_versions').select('through').where('room_id', '=', roomId).where('through', '>', after).where('through', '<=', last.id).execute();
      const checkpoints = await db
        .selectFrom('document_checkpoints')
        .select('through')
        .distinct()
        .where('room_id', '=', roomId)
        .where('through', '>', after)
        .where('through', '<=', last.id)
        .execute();
      return {
        rows,
        boundaries: [...versions, ...checkpoints].map((row) => Number(row.through)),
      };
    },

    /** Replaces each group's rows by one (`keepId`, holding `update`) and moves `merged_through`. */
    async saveMerged(roomId: string, groups: readonly { keepId: number; update: Uint8Array; dropIds: readonly number[] }[], mergedThrough: number): Promise<void> {
      await db.transaction().execute(async (trx) => {
        for (const group of groups) {
          await trx.updateTable('document_updates').set({ update: group.update }).where('room_id', '=', roomId).where('id', '=', group.keepId).execute();
          for (let start = 0; start < group.dropIds.length; start += 5_000) {
            await trx.deleteFrom('document_updates').where('room_id', '=', roomId).where('id', 'in', group.dropIds.slice(start, start + 5_000)).execute();
          }
        }
        await trx.updateTable('documents').set({ merged_through: mergedThrough }).where('room_id', '=', roomId).execute();
      });
    },

    /** Bytes of history a room holds: its whole log and every checkpoint. */
    async historyBytes(roomId: string): Promise<number> {
      const log = await db
        .selectFrom('document_updates')
        .select(sql<string>`coalesce(sum(octet_length(update)), 0)`.as('bytes'))
        .where('room_id', '=', roomId)
        .executeTakeFirst();
      const checkpoints = await db
        .selectFrom('document_checkpoints')
        .select(sql<string>`coalesce(sum(octet_length(chunk)), 0)`.as('bytes'))
        .where('room_id', '=', roomId)
        .executeTakeFirst();
      return Number(log?.bytes ?? 0) + Number(checkpoints?.bytes ?? 0);
    },

    /** The last log position written before `before` that a load no longer reads (0 if none). */
    async positionBefore(roomId: string, before: Date): Promise<number> {
      const doc = await db.selectFrom('documents').select(['compacted_through', 'attributed_through']).where('room_id', '=', roomId).executeTakeFirst();
      if (!doc) return 0;
      const row = await db
        .selectFrom('document_updates')
        .select((eb) => eb.fn.max('id').as('last'))
        .where('room_id', '=', roomId)
        .where('created_at', '<', before)
        .where('id', '<=', Math.min(Number(doc.compacted_through), Number(doc.attributed_through)))
        .executeTakeFirst();
      return Number(row?.last ?? 0);
    },

    /**
     * Drops the log up to `horizon`, after which only checkpoints rebuild those positions:
     * versions up to it not in `keep` go, checkpoints up to it go except at kept versions and at
     * the horizon itself (the base for the rows after it). The caller writes those first.
     */
    async dropLogThrough(roomId: string, horizon: number, keep: readonly number[]): Promise<void> {
      await db.transaction().execute(async (trx) => {
        let versions = trx.deleteFrom('document_versions').where('room_id', '=', roomId).where('through', '<=', horizon);
        if (keep.length > 0) versions = versions.where('id', 'not in', [...keep]);
        await versions.execute();
        const kept = await trx.selectFrom('document_versions').select('through').where('room_id', '=', roomId).where('through', '<=', horizon).execute();
        const keepThroughs = [horizon, ...kept.map((row) => Number(row.through))];
        await trx.deleteFrom('document_checkpoints').where('room_id', '=', roomId).where('through', '<=', horizon).where('through', 'not in', keepThroughs).execute();
        await trx.deleteFrom('document_updates').where('room_id', '=', roomId).where('id', '<=', horizon).execute();
      });
    },

    /** Whether a whole checkpoint exists exactly at `through`. */
    async hasCheckpointAt(roomId: string, through: number): Promise<boolean> {
      const rows = await db.selectFrom('document_checkpoints').select(['seq', 'chunks']).where('room_id', '=', roomId).where('through', '=', through).execute();
      return rows.length > 0 && rows.length === rows[0]!.chunks;
    },

    /** Every recorded range of the room, by client and clock. */
    async authorship(roomId: string): Promise<AuthorshipRange[]> {
      const rows = await db
        .selectFrom('document_authorship')
        .selectAll()
        .where('room_id', '=', roomId)
        .orderBy('client')
        .orderBy('clock_start')
        .execute();
      return rows.map(toRange);
    },
  };
}

function toRange(row: Selectable<DocumentAuthorshipTable>): AuthorshipRange {
  return {
    client: Number(row.client),
    clockStart: Number(row.clock_start),
    clockEnd: Number(row.clock_end),
    sessionId: row.session_id,
    author: row.author,
    writtenAt: new Date(row.written_at),
    flagged: row.flagged,
  };
}

async function newestCheckpoint(trx: Kysely<Database>, roomId: string, through: number): Promise<{ through: number; state: Uint8Array } | null> {
  // Newest first; a checkpoint with rows missing (its write died) is skipped for an older one.
  const candidates = await trx
    .selectFrom('document_checkpoints')
    .select(['through', 'chunks'])
    .select((eb) => eb.fn.countAll<string>().as('present'))
    .where('room_id', '=', roomId)
    .where('through', '<=', through)
    .groupBy(['through', 'chunks'])
    .orderBy('through', 'desc')
    .limit(4)
    .execute();
  const whole = candidates.find((row) => Number(row.present) === row.chunks);
  if (!whole) return null;
  const rows = await trx
    .selectFrom('document_checkpoints')
    .select('chunk')
    .where('room_id', '=', roomId)
    .where('through', '=', whole.through)
    .orderBy('seq')
    .execute();
  return { through: Number(whole.through), state: concatBytes(rows.map((row) => toBytes(row.chunk))) };
}
