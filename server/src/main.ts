import closeWithGrace from 'close-with-grace';
import { createDatabase, migrateToLatest } from '@pairpad/db';
import pino from 'pino';
import { buildApp } from './app';
import { ConfigError, loadConfig, type Config } from './config';

/**
 * The only place that reads process.env, listens and installs signal handling.
 * Startup: config, database + migrations, app (registry inside), listen.
 */
async function main(): Promise<void> {
  let config: Readonly<Config>;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`pairpad: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const logger = pino({ level: config.logLevel });
  logger.info(`using ${config.databaseDescription}`);
  const database = await createDatabase(config.database);
  const applied = await migrateToLatest(database.db);
  if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');

  const app = await buildApp({ config, database, logger });
  closeWithGrace({ delay: 10_000, logger }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'shutting down after an uncaught error');
    else logger.info({ signal }, 'shutting down: closing sockets, storing rooms');
    await app.close();
  });
  await app.listen({ port: config.port, host: config.host });
}

main().catch((error: unknown) => {
  console.error('pairpad failed to start:', error);
  process.exit(1);
});
