import type { Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new file instead.
//
// The snapshot's plain-text copy had no reader (the server always decodes `state`), and a
// PostgreSQL text column cannot hold U+0000: one NUL typed into a document made every compaction
// of that room fail for good. The Yjs state in `state` is the one place the document lives.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('documents').dropColumn('text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  // The column comes back empty: the text is always derivable from `state`.
  await db.schema.alterTable('documents').addColumn('text', 'text', (col) => col.notNull().defaultTo('')).execute();
}
