import { Kysely, sql } from 'kysely';
import { createPgliteDialect, createPostgresDialect, type DialectHandle } from './dialects';
import type { Database } from './schema';

export type DatabaseConfig = { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string; maxConnections?: number };

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: DatabaseConfig['kind'];
  /** Resolves when the database answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  /** Idempotent. */
  close(): Promise<void>;
}

/** Opens the configured database: embedded PGlite by default, PostgreSQL when a URL is given. */
export async function createDatabase(config: DatabaseConfig): Promise<DatabaseHandle> {
  const handle: DialectHandle =
    config.kind === 'pglite'
      ? await createPgliteDialect(config.dataDir)
      : createPostgresDialect(config.url, { maxConnections: config.maxConnections });
  const db = new Kysely<Database>({ dialect: handle.dialect });
  let closing: Promise<void> | undefined;
  return {
    db,
    kind: config.kind,
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () =>
      (closing ??= (async () => {
        await db.destroy();
        await handle.close();
      })()),
  };
}

export { migrateToLatest, MigrationError } from './migrate';
export { roomsRepo, type RoomsRepo } from './rooms-repo';
export { documentsRepo, type DocumentsRepo, type StoredDocument, type UpdateRecord } from './documents-repo';
export type { Database, RoomRow, NewRoomRow, RoomRowUpdate, DocumentRow } from './schema';
