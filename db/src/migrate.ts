import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import * as rooms from './migrations/0001_rooms';
import * as documents from './migrations/0002_documents';
import * as dropDocumentText from './migrations/0003_drop_document_text';
import * as roomRoster from './migrations/0004_room_roster';
import * as snapshotChunks from './migrations/0005_snapshot_chunks';
import * as roomOwners from './migrations/0006_room_owners';
import * as history from './migrations/0007_history';

// Listed statically rather than read from disk, so migrations work the same under tsx,
// bundlers and the Docker image.
const migrations: Record<string, Migration> = {
  '0001_rooms': rooms,
  '0002_documents': documents,
  '0003_drop_document_text': dropDocumentText,
  '0004_room_roster': roomRoster,
  '0005_snapshot_chunks': snapshotChunks,
  '0006_room_owners': roomOwners,
  '0007_history': history,
};

export class MigrationError extends Error {
  constructor(
    message: string,
    readonly results: MigrationResultSet['results'],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

/** Brings the schema to the newest migration; throws MigrationError naming the failed step. */
export async function migrateToLatest<DB>(db: Kysely<DB>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error) {
    throw new MigrationError(
      `migration ${failed?.migrationName ?? '(unknown)'} failed: ${error instanceof Error ? error.message : String(error)}`,
      results,
      { cause: error },
    );
  }
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
