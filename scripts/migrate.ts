/** Migrates the configured database (DATABASE_URL, else the PGlite DATA_DIR) to the latest schema. */
import { createDatabase, migrateToLatest } from '@pairpad/db';
import { loadConfig } from '../server/src/config';

const config = loadConfig(process.env);
const database = await createDatabase(config.database);
try {
  const applied = await migrateToLatest(database.db);
  console.log(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'already up to date', `(${config.databaseDescription})`);
} catch (error) {
  console.error('migration failed:', error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await database.close();
}
