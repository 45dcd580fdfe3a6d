import { Kysely, sql } from 'kysely';
import { createPgliteDialect, createPostgresDialect, type CopyRows, type DialectHandle } from './dialects';
import type { Database } from './schema';

export type DatabaseConfig =
  /** `template`: a tarball a `memory://` database starts from (tests: an already-migrated one). */
  | { kind: 'pglite'; dataDir: string; template?: string }
  | { kind: 'postgres'; url: string; maxConnections?: number };

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: DatabaseConfig['kind'];
  /** COPY-based bulk insert (embedded PGlite); absent where multi-row INSERT is as good. */
  copyRows?: CopyRows;
  /**
   * Makes the space of deleted and replaced rows reusable. Embedded PGlite runs no autovacuum,
   * so without this every compaction's dropped log rows and replaced snapshot would stay on disk
   * for good. Absent on PostgreSQL, which vacuums itself.
   */
  vacuum?: () => Promise<void>;
  /** Resolves when the database answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  /** Idempotent. */
  close(): Promise<void>;
}

/** Opens the configured database: embedded PGlite by default, PostgreSQL when a URL is given. */
export async function createDatabase(config: DatabaseConfig): Promise<DatabaseHandle> {
  const handle: DialectHandle =
    config.kind === 'pglite'
      ? await createPgliteDialect(config.dataDir, config.template)
      : createPostgresDialect(config.url, { maxConnections: config.maxConnections });
  const db = new Kysely<Database>({ dialect: handle.dialect });
  let closing: Promise<void> | undefined;
  const copy = handle.copyRows;
  return {
    db,
    kind: config.kind,
    // Holding Kysely's single connection keeps the COPY out of any transaction in progress.
    ...(config.kind === 'pglite'
      ? {
          vacuum: async () => {
            await sql`vacuum (analyze)`.execute(db);
          },
        }
      : {}),
    ...(copy ? { copyRows: ((...args) => db.connection().execute(() => copy(...args))) satisfies CopyRows } : {}),
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

export type { CopyRows } from './dialects';
export { migrateToLatest, MigrationError } from './migrate';
export { roomsRepo, type RoomsRepo } from './rooms-repo';
export { documentsRepo, type AppendBatch, type DocumentsRepo, type StoredDocument, type UpdateRecord } from './documents-repo';
export { historyRepo, type AttributionState, type AuthorshipBatch, type AuthorshipRange, type HistoryRepo, type LogRow, type NewVersion, type VersionRecord } from './history-repo';
export { createRoomLeases, FencedError, ownersRepo, type OwnersRepo, type RoomLeaseOptions, type RoomLeases, type RoomOwner } from './room-ownership';
export type { Database, RoomRow, NewRoomRow, RoomRowUpdate, DocumentRow } from './schema';
