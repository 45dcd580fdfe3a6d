import { sql, type Kysely } from 'kysely';
import { insertCheckpoint } from './history-repo';
import type { Database, NewRoomRow, RoomRow, RoomRowUpdate } from './schema';

export type RoomsRepo = ReturnType<typeof roomsRepo>;

export function roomsRepo(db: Kysely<Database>) {
  return {
    async create(row: NewRoomRow): Promise<RoomRow> {
      return db.insertInto('rooms').values(row).returningAll().executeTakeFirstOrThrow();
    },

    /**
     * Creates the room and its first snapshot in one transaction: a failure between the two
     * inserts must not leave a room that exists but has no document. The first snapshot is also
     * history's first checkpoint.
     */
    async createWithDocument(row: NewRoomRow, state: Uint8Array): Promise<RoomRow> {
      return db.transaction().execute(async (trx) => {
        const created = await trx.insertInto('rooms').values(row).returningAll().executeTakeFirstOrThrow();
        await trx.insertInto('documents').values({ room_id: created.room_id, state, compacted_through: 0 }).execute();
        await insertCheckpoint(trx, created.room_id, 0, state);
        return created;
      });
    },

    async get(roomId: string): Promise<RoomRow | undefined> {
      return db.selectFrom('rooms').selectAll().where('room_id', '=', roomId).executeTakeFirst();
    },

    async getByViewId(viewId: string): Promise<RoomRow | undefined> {
      return db.selectFrom('rooms').selectAll().where('view_id', '=', viewId).executeTakeFirst();
    },

    async update(roomId: string, patch: Omit<RoomRowUpdate, 'room_id' | 'view_id'>): Promise<RoomRow | undefined> {
      return db
        .updateTable('rooms')
        .set({ ...patch, updated_at: new Date() })
        .where('room_id', '=', roomId)
        .returningAll()
        .executeTakeFirst();
    },

    /** Records activity now; `roster` (JSON text), when given, replaces who was in the room. */
    async touch(roomId: string, at: Date = new Date(), roster?: string): Promise<void> {
      await db
        .updateTable('rooms')
        .set({ last_active_at: at, ...(roster !== undefined && { roster }) })
        .where('room_id', '=', roomId)
        .execute();
    },

    /** Records activity at `at` for many rooms at once. */
    async touchMany(roomIds: readonly string[], at: Date): Promise<void> {
      for (let start = 0; start < roomIds.length; start += 5_000) {
        await db.updateTable('rooms').set({ last_active_at: at }).where('room_id', 'in', roomIds.slice(start, start + 5_000)).execute();
      }
    },

    /** Records an edit made at `editedAt` (stored later, so never moves `updated_at` back). */
    async markEdited(roomId: string, editedAt: Date, at: Date = new Date(), roster?: string): Promise<void> {
      await db
        .updateTable('rooms')
        .set({ last_active_at: at, updated_at: sql<Date>`greatest(updated_at, ${editedAt})`, ...(roster !== undefined && { roster }) })
        .where('room_id', '=', roomId)
        .execute();
    },

    /** Which of these rooms exist. */
    async existing(roomIds: readonly string[]): Promise<Set<string>> {
      if (roomIds.length === 0) return new Set();
      const rows = await db.selectFrom('rooms').select('room_id').where('room_id', 'in', [...roomIds]).execute();
      return new Set(rows.map((row) => row.room_id));
    },

    /** Deletes rooms idle since before `cutoff`, except `keep` (rooms live in memory); cascades to their documents and logs. */
    async deleteIdleBefore(cutoff: Date, keep: readonly string[] = []): Promise<string[]> {
      let query = db.deleteFrom('rooms').where('last_active_at', '<', cutoff);
      if (keep.length > 0) query = query.where('room_id', 'not in', keep);
      const rows = await query.returning('room_id').execute();
      return rows.map((row) => row.room_id);
    },
  };
}
