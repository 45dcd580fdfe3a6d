import { sql, type Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new file instead.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('documents')
    .addColumn('room_id', 'text', (col) => col.primaryKey().references('rooms.room_id').onDelete('cascade'))
    .addColumn('state', 'bytea', (col) => col.notNull())
    .addColumn('text', 'text', (col) => col.notNull())
    .addColumn('compacted_through', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('document_updates')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('room_id', 'text', (col) => col.notNull().references('rooms.room_id').onDelete('cascade'))
    .addColumn('update', 'bytea', (col) => col.notNull())
    .addColumn('session_id', 'text')
    .addColumn('author', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('document_updates_room_id_id_idx').on('document_updates').columns(['room_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('document_updates').execute();
  await db.schema.dropTable('documents').execute();
}
