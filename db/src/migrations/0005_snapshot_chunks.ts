import { sql, type Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new file instead.
//
// A big snapshot is stored as chunk rows written in separate statements, so writing it never
// holds the embedded database (one connection) long enough to delay other rooms' log appends.
// `documents.snapshot_version` names the complete set of chunks in use; while it is null the
// snapshot is `documents.state` as before. A compaction that dies half way leaves chunks of a
// version nothing names, which loads ignore and the next compaction deletes.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('documents').addColumn('snapshot_version', 'bigint').execute();
  await db.schema
    .createTable('document_snapshot_chunks')
    .addColumn('room_id', 'text', (col) => col.notNull().references('rooms.room_id').onDelete('cascade'))
    .addColumn('version', 'bigint', (col) => col.notNull())
    .addColumn('seq', 'integer', (col) => col.notNull())
    .addColumn('chunk', 'bytea', (col) => col.notNull())
    .addPrimaryKeyConstraint('document_snapshot_chunks_pkey', ['room_id', 'version', 'seq'])
    .execute();
  await sql`create sequence document_snapshot_version_seq`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop sequence document_snapshot_version_seq`.execute(db);
  await db.schema.dropTable('document_snapshot_chunks').execute();
  await db.schema.alterTable('documents').dropColumn('snapshot_version').execute();
}
