import type { Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new file instead.
//
// Which instance owns each room when several serve one PostgreSQL database. The epoch grows by
// one at every change of owner and is the fencing token: a log append or compaction carrying an
// older epoch is refused, so an owner that lost the room (stalled, cut off) cannot write after
// its successor has loaded. Who may claim is decided by a session advisory lock, not by this row.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('room_owners')
    .addColumn('room_id', 'text', (col) => col.primaryKey().references('rooms.room_id').onDelete('cascade'))
    .addColumn('instance_id', 'text', (col) => col.notNull())
    .addColumn('address', 'text', (col) => col.notNull())
    .addColumn('epoch', 'bigint', (col) => col.notNull())
    .addColumn('claimed_at', 'timestamptz', (col) => col.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('room_owners').execute();
}
