import { createDatabase, migrateToLatest } from '@pairpad/db';
import pino, { type Logger } from 'pino';
import { buildApp } from './app';
import { ConfigError, loadConfig, type Config } from './config';

/** A shutdown that does not finish in time ends the process anyway. */
const SHUTDOWN_TIMEOUT_MS = 10_000;
/** Repeats of the first signal within this window are echoes, not an operator insisting. */
const SIGNAL_ECHO_MS = 2_000;

/**
 * Graceful shutdown on SIGINT/SIGTERM and on a crash: close sockets, store every room, close the
 * database, exit. Ctrl+C under `npm start` reaches the server twice (from the terminal and again
 * forwarded by npm), so a repeat within SIGNAL_ECHO_MS is ignored instead of aborting the flush;
 * a signal after that forces an immediate exit.
 */
function installShutdown(close: () => Promise<void>, logger: Logger): void {
  let startedAt = 0;
  const shutdown = (reason: { signal?: NodeJS.Signals; err?: unknown }) => {
    if (startedAt > 0) {
      if (reason.signal && Date.now() - startedAt > SIGNAL_ECHO_MS) {
        logger.error({ signal: reason.signal }, 'second signal during shutdown: exiting without waiting');
        process.exit(1);
      }
      if (reason.err) logger.error({ err: reason.err }, 'error during shutdown');
      return;
    }
    startedAt = Date.now();
    if (reason.err) logger.fatal({ err: reason.err }, 'uncaught error: shutting down');
    else logger.info({ signal: reason.signal }, 'shutting down: closing sockets, storing rooms');
    setTimeout(() => {
      logger.error(`shutdown did not finish within ${SHUTDOWN_TIMEOUT_MS} ms; exiting`);
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    close().then(
      () => process.exit(reason.err ? 1 : 0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => shutdown({ signal }));
  process.on('uncaughtException', (err) => {
    if (isLostSocketError(err)) logger.warn({ err }, 'a network connection was reset with nobody listening for it; carrying on');
    else shutdown({ err });
  });
  process.on('unhandledRejection', (err) => {
    if (isOrphanedDriverRejection(err)) logger.warn({ err }, 'database connection lost while it was being set up');
    else shutdown({ err });
  });
}

/**
 * postgres.js (3.4.x) looks up array types on every new connection in a promise nobody awaits, so
 * a connection that drops at that moment (database restart, network cut) rejects it unhandled.
 * That connection is already discarded and every query on it got its own error: log, don't die.
 */
function isOrphanedDriverRejection(err: unknown): boolean {
  const { code, stack } = (err ?? {}) as { code?: unknown; stack?: unknown };
  return (
    typeof code === 'string' &&
    /^(CONNECTION_(CLOSED|DESTROYED|ENDED)|CONNECT_TIMEOUT|E[A-Z]+)$/.test(code) &&
    typeof stack === 'string' &&
    /[\\/]postgres[\\/](cjs[\\/])?src[\\/]connection\.js/.test(stack)
  );
}

/**
 * A TCP connection reset or broken under a socket whose owner had already let go of it (seen from
 * the database driver when PostgreSQL vanishes mid-connection: the driver drops its listeners at
 * close, and a late reset then has no 'error' listener). The owner saw the connection end and
 * recovers on its own; one lost connection must never take every room down with the process.
 */
function isLostSocketError(err: unknown): boolean {
  const { code, syscall } = (err ?? {}) as { code?: unknown; syscall?: unknown };
  return (
    (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ETIMEDOUT') && (syscall === 'read' || syscall === 'write')
  );
}

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
  installShutdown(() => app.close(), logger);
  await app.listen({ port: config.port, host: config.host });
}

main().catch((error: unknown) => {
  console.error('pairpad failed to start:', error);
  process.exit(1);
});
