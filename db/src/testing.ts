import { sql, type Kysely } from 'kysely';
import postgres from 'postgres';
import type { DatabaseConfig } from './index';
import type { Database } from './schema';

export interface TestDatabase {
  config: DatabaseConfig;
  /** Drops what this test database created. */
  drop(): Promise<void>;
}

/**
 * A fresh, isolated database for one test: PGlite in memory, or, when `postgresUrl` is given,
 * a new database on that server (dropped afterwards) so parallel test files never share tables.
 */
export async function createTestDatabase(postgresUrl?: string): Promise<TestDatabase> {
  if (!postgresUrl) return { config: { kind: 'pglite', dataDir: 'memory://' }, drop: async () => {} };
  const name = `pairpad_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = postgres(postgresUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return {
    config: { kind: 'postgres', url: url.toString(), maxConnections: 4 },
    drop: async () => {
      const dropper = postgres(postgresUrl, { max: 1, onnotice: () => {} });
      try {
        // Not `with (force)`: that refuses outright when an autovacuum worker happens to be in the
        // database (terminating it needs pg_signal_backend), while a plain drop cancels autovacuum
        // itself and waits up to 5 s for the connections terminated here to go.
        await dropper`select pg_terminate_backend(pid) from pg_stat_activity
                      where datname = ${name} and usename = current_user and pid <> pg_backend_pid()`;
        await dropper.unsafe(`drop database if exists ${name}`);
      } finally {
        await dropper.end();
      }
    },
  };
}

/**
 * Empties every table the migrations created (not the migration bookkeeping), so one database
 * can serve many tests: starting and migrating a database per test costs far more than this.
 */
export async function truncateAllTables(db: Kysely<Database>): Promise<void> {
  const { rows } = await sql<{ name: string }>`
    select quote_ident(table_name) as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' and table_name not like 'kysely_%'`.execute(db);
  if (rows.length > 0) await sql.raw(`truncate ${rows.map((row) => row.name).join(', ')} restart identity cascade`).execute(db);
}
