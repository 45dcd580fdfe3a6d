import { sql, type Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new file instead.
//
// Who was in the room (name, colour, role), as JSON text, so the list of people who left
// survives the room leaving memory and a restart. Text rather than jsonb: both dialects hand it
// back the same way, and nothing queries inside it.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('rooms').addColumn('roster', 'text', (col) => col.notNull().defaultTo(sql`'[]'`)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('rooms').dropColumn('roster').execute();
}
