import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kysely, sql } from 'kysely';
import postgres from 'postgres';
import { createPgliteDialect } from './dialects';
import type { DatabaseConfig } from './index';
import { migrateToLatest } from './migrate';
import type { Database } from './schema';

export interface TestDatabase {
  config: DatabaseConfig;
  /** Drops what this test database created. */
  drop(): Promise<void>;
}

/**
 * What a migrated PGlite template depends on: PGlite's version (its data directory format) and
 * the migrations (their list in migrate.ts and their sources).
 */
async function templateKey(): Promise<string> {
  const hash = createHash('sha256');
  const pglitePackage = join(dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite')), '..', 'package.json');
  hash.update((JSON.parse(await readFile(pglitePackage, 'utf8')) as { version: string }).version);
  const here = dirname(fileURLToPath(import.meta.url));
  const migrations = (await readdir(join(here, 'migrations'))).sort().map((name) => join('migrations', name));
  for (const file of ['migrate.ts', ...migrations]) hash.update(`\0${file}\0`).update(await readFile(join(here, file)));
  return hash.digest('hex').slice(0, 16);
}

let template: Promise<string> | undefined;

/**
 * A tarball of a fully migrated PGlite database, built once and kept in the temporary folder:
 * initdb costs seconds per database (up to 10 s on a busy machine), loading the tarball about
 * one. Written under a unique name and renamed into place, so a parallel test file never reads
 * half of one; files that build it at the same time each rename a whole one.
 */
function migratedTemplate(): Promise<string> {
  template ??= (async () => {
    const path = join(tmpdir(), `pairpad-pglite-migrated-${await templateKey()}.tar.gz`);
    if (existsSync(path)) return path;
    const handle = await createPgliteDialect('memory://');
    const db = new Kysely<Database>({ dialect: handle.dialect });
    const partial = `${path}.${randomUUID()}.partial`;
    try {
      await migrateToLatest(db);
      await handle.dumpDataDir!(partial);
      await rename(partial, path);
    } finally {
      await db.destroy();
      await handle.close();
      await rm(partial, { force: true });
    }
    return path;
  })();
  return template;
}

/**
 * A fresh, isolated database for one test: PGlite in memory, or, when `postgresUrl` is given,
 * a new database on that server (dropped afterwards) so parallel test files never share tables.
 * PGlite starts already migrated (from the template above; migrating it again is a no-op) unless
 * `fresh` asks for an empty one, as a test of migrating from nothing must.
 */
export async function createTestDatabase(postgresUrl?: string, options: { fresh?: boolean } = {}): Promise<TestDatabase> {
  if (!postgresUrl) {
    const config: DatabaseConfig = options.fresh ? { kind: 'pglite', dataDir: 'memory://' } : { kind: 'pglite', dataDir: 'memory://', template: await migratedTemplate() };
    return { config, drop: async () => {} };
  }
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
