import { PGlite } from '@electric-sql/pglite';
import type { Dialect } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { PostgresJSDialect } from 'kysely-postgres-js';
import postgres from 'postgres';

export interface DialectHandle {
  dialect: Dialect;
  /** Releases the driver's own resources after Kysely is destroyed. */
  close(): Promise<void>;
}

/** Embedded PostgreSQL (WASM). `dataDir` is a folder, or `memory://` for a throwaway database. */
export async function createPgliteDialect(dataDir: string): Promise<DialectHandle> {
  const pglite = dataDir === 'memory://' ? new PGlite() : new PGlite(dataDir);
  await pglite.waitReady;
  return {
    dialect: new PGliteDialect(pglite),
    close: async () => {
      if (!pglite.closed) await pglite.close();
    },
  };
}

/** A real PostgreSQL server through postgres.js. */
export function createPostgresDialect(url: string, options: { maxConnections?: number } = {}): DialectHandle {
  const client = postgres(url, {
    max: options.maxConnections ?? 10,
    // Fail fast while the database is down, so health checks and retries see it quickly.
    connect_timeout: 5,
    idle_timeout: 30,
    onnotice: () => {},
  });
  return {
    dialect: new PostgresJSDialect({ postgres: client }),
    close: async () => {
      await client.end({ timeout: 5 });
    },
  };
}
