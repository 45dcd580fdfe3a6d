import { sql, type Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new file instead.
//
// History. The update log is kept after compaction (history thins it by age instead, see
// history-repo.ts), so any version is its nearest checkpoint plus the log rows after it.
// - document_checkpoints: full Yjs states at log positions, in chunk rows like big snapshots.
//   Rooms start with one at their current snapshot: their earlier log was deleted by compaction
//   before this migration, so history begins here.
// - document_versions: points in the log people can see, restore and fork (log position
//   `through`; the text is rebuilt from checkpoint + log).
// - document_authorship: which Yjs (client, clock) ranges which person wrote, decided by the
//   server from the session that sent each log row. Kept when old log rows are thinned, so
//   authorship outlives the raw log. `documents.attributed_through` is how far the log is read;
//   `documents.merged_through`, how far old rows have been merged per author and minute.
//   `document_updates.server_made` marks rows the server's own Y.Doc made for someone (simple
//   sync writes, restores): their client id is the server's, shared by all such writers.
// - rooms.parent_*: where a forked room came from (its view link only).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('document_checkpoints')
    .addColumn('room_id', 'text', (col) => col.notNull().references('rooms.room_id').onDelete('cascade'))
    .addColumn('through', 'bigint', (col) => col.notNull())
    .addColumn('seq', 'integer', (col) => col.notNull())
    // Every row says how many the checkpoint has: one written only in part (a crash) is ignored.
    .addColumn('chunks', 'integer', (col) => col.notNull())
    .addColumn('chunk', 'bytea', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('document_checkpoints_pkey', ['room_id', 'through', 'seq'])
    .execute();
  await sql`
    insert into document_checkpoints (room_id, through, seq, chunks, chunk)
    select d.room_id, d.compacted_through, 0, 1, d.state from documents d where d.snapshot_version is null
    union all
    select c.room_id, d.compacted_through, c.seq, count(*) over (partition by c.room_id), c.chunk
      from documents d join document_snapshot_chunks c on c.room_id = d.room_id and c.version = d.snapshot_version
  `.execute(db);

  await db.schema
    .createTable('document_versions')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('room_id', 'text', (col) => col.notNull().references('rooms.room_id').onDelete('cascade'))
    .addColumn('through', 'bigint', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('name', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('authors', 'text', (col) => col.notNull().defaultTo(sql`'[]'`))
    .addColumn('inserted', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('deleted', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('length', 'integer', (col) => col.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('document_versions_room_idx').on('document_versions').columns(['room_id', 'id']).execute();

  await db.schema
    .createTable('document_authorship')
    .addColumn('room_id', 'text', (col) => col.notNull().references('rooms.room_id').onDelete('cascade'))
    .addColumn('client', 'bigint', (col) => col.notNull())
    .addColumn('clock_start', 'bigint', (col) => col.notNull())
    .addColumn('clock_end', 'bigint', (col) => col.notNull())
    .addColumn('session_id', 'text')
    .addColumn('author', 'text')
    .addColumn('written_at', 'timestamptz', (col) => col.notNull())
    .addColumn('flagged', 'boolean', (col) => col.notNull().defaultTo(false))
    .addPrimaryKeyConstraint('document_authorship_pkey', ['room_id', 'client', 'clock_start'])
    .execute();
  await db.schema.alterTable('document_updates').addColumn('server_made', 'boolean', (col) => col.notNull().defaultTo(false)).execute();
  await db.schema.alterTable('documents').addColumn('attributed_through', 'bigint', (col) => col.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('documents').addColumn('merged_through', 'bigint', (col) => col.notNull().defaultTo(0)).execute();

  await db.schema.alterTable('rooms').addColumn('parent_view_id', 'text').execute();
  await db.schema.alterTable('rooms').addColumn('parent_name', 'text').execute();
  await db.schema.alterTable('rooms').addColumn('parent_version', 'bigint').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('rooms').dropColumn('parent_version').execute();
  await db.schema.alterTable('rooms').dropColumn('parent_name').execute();
  await db.schema.alterTable('rooms').dropColumn('parent_view_id').execute();
  await db.schema.alterTable('documents').dropColumn('merged_through').execute();
  await db.schema.alterTable('documents').dropColumn('attributed_through').execute();
  await db.schema.alterTable('document_updates').dropColumn('server_made').execute();
  await db.schema.dropTable('document_authorship').execute();
  await db.schema.dropTable('document_versions').execute();
  await db.schema.dropTable('document_checkpoints').execute();
}
