import type { PGlite } from '@electric-sql/pglite';
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Dialect } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import postgres from 'postgres';
import { GuardedPostgresDialect } from './postgres-driver';

/** Bulk insert with COPY, where the driver offers it. */
export interface CopyRows {
  /**
   * Inserts `rows` (values in `columns` order) and returns `sequence`'s value after the last
   * row; the rows took consecutive values ending there, in order. The caller must hold the
   * dialect's only connection (so nothing else runs in between).
   */
  (table: string, columns: readonly string[], rows: readonly (readonly unknown[])[], sequence: string): Promise<number>;
}

export interface DialectHandle {
  dialect: Dialect;
  copyRows?: CopyRows;
  /** Writes the embedded database's data directory to `path` as a gzipped tarball (PGlite only). */
  dumpDataDir?(path: string): Promise<void>;
  /** Releases the driver's own resources after Kysely is destroyed. */
  close(): Promise<void>;
}

interface ThreadReply {
  id?: number;
  type?: 'ready' | 'failed' | 'closed';
  rows?: unknown[];
  affectedRows?: number;
  error?: { name: string; message: string } & Record<string, unknown>;
}

/**
 * postMessage clones a typed array's whole backing ArrayBuffer, not just its view. An update
 * cut out of a socket read is a view on a 64 KB chunk, so posting it as is would copy 64 KB
 * per log row; a compact copy posts only its own bytes.
 */
function compactView(param: unknown): unknown {
  if (param instanceof Uint8Array && param.byteLength !== param.buffer.byteLength) return param.slice();
  return param;
}

/**
 * The slice of the PGlite API the Kysely dialect calls (`query`, `close`), served by PGlite on a
 * worker thread so the server's event loop never waits on WebAssembly executing SQL.
 */
class PGliteOnThread {
  private readonly pending = new Map<number, { resolve: (value: { rows: unknown[]; affectedRows?: number }) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private closing: Promise<void> | null = null;
  closed = false;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: ThreadReply) => {
      if (reply.id === undefined) return;
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (reply.error) waiter.reject(Object.assign(new Error(reply.error.message), reply.error));
      else waiter.resolve({ rows: reply.rows ?? [], affectedRows: reply.affectedRows });
    });
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', () => {
      this.closed = true;
      this.failAll(new Error('the embedded database thread has stopped'));
    });
  }

  static async start(dataDir: string, template: string | undefined): Promise<PGliteOnThread> {
    const worker = new Worker(new URL('./pglite-thread.mjs', import.meta.url), {
      workerData: { dataDir, template, startParams: PGLITE_MEMORY_SETTINGS },
    });
    const reply = await new Promise<ThreadReply>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    if (reply.type !== 'ready') {
      await worker.terminate();
      throw Object.assign(new Error(`embedded database failed to start: ${reply.error?.message ?? 'unknown error'}`), reply.error);
    }
    return new PGliteOnThread(worker);
  }

  private failAll(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }

  query(sql: string, params: readonly unknown[] = []): Promise<{ rows: unknown[]; affectedRows?: number }> {
    if (this.closed || this.closing) return Promise.reject(new Error('the embedded database is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, sql, params: params.map(compactView) });
    });
  }

  copyRows(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[], sequence: string): Promise<number> {
    if (this.closed || this.closing) return Promise.reject(new Error('the embedded database is closed'));
    const id = this.nextId++;
    return new Promise<{ rows: unknown[] }>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, type: 'copy', table, columns, rows: rows.map((row) => row.map(compactView)), sequence });
    }).then(({ rows: [reply] }) => (reply as { last: number }).last);
  }

  dumpDataDir(path: string): Promise<void> {
    if (this.closed || this.closing) return Promise.reject(new Error('the embedded database is closed'));
    const id = this.nextId++;
    return new Promise<unknown>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, type: 'dump', path });
    }).then(() => undefined);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.closed) return;
      const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
      this.worker.postMessage({ type: 'close' });
      // A thread that cannot close cleanly within a few seconds is stopped outright.
      const timer = setTimeout(() => void this.worker.terminate(), 5_000);
      await exited;
      clearTimeout(timer);
      this.closed = true;
    })();
    return this.closing;
  }
}

/**
 * PostgreSQL's memory settings for the embedded database. PGlite keeps the server default of
 * 128 MB of shared buffers, and inside WebAssembly all of it is touched at start: it was 130 MB of
 * the idle server's resident memory. 16 MB holds the rooms being edited (their update logs and
 * the snapshots being written); reads beyond it come from the operating system's file cache.
 */
export const PGLITE_MEMORY_SETTINGS: readonly string[] = ['-c', 'shared_buffers=16MB'];

/**
 * Runs initdb for a new data directory in a child process that exits afterwards (see
 * pglite-init.mjs for why not in this process).
 */
async function initialiseDataDir(dataDir: string): Promise<void> {
  if (dataDir === 'memory://' || existsSync(join(dataDir, 'PG_VERSION'))) return;
  // execArgv: [] so the child does not inherit a TypeScript loader it does not need.
  const child = fork(new URL('./pglite-init.mjs', import.meta.url), [dataDir], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  if (code !== 0) throw new Error(`embedded database failed to initialise ${dataDir} (exit code ${String(code)})`);
}

/**
 * Embedded PostgreSQL (WASM) on a worker thread. `dataDir` is a folder, or `memory://` for a
 * throwaway database, which starts from `template` (a tarball from dumpDataDir) when given.
 */
export async function createPgliteDialect(dataDir: string, template?: string): Promise<DialectHandle> {
  // PGlite refuses to load a tarball over an existing directory, so a template could only ever
  // seed a folder once; nothing needs that.
  if (template !== undefined && dataDir !== 'memory://') throw new Error('a PGlite template applies to memory:// databases only');
  await initialiseDataDir(dataDir);
  const client = await PGliteOnThread.start(dataDir, template);
  return {
    // The dialect only ever calls query() and close(), which the thread proxy provides.
    dialect: new PGliteDialect(client as unknown as PGlite),
    copyRows: (table, columns, rows, sequence) => client.copyRows(table, columns, rows, sequence),
    dumpDataDir: (path) => client.dumpDataDir(path),
    close: () => client.close(),
  };
}

/** Every pairpad connection to PostgreSQL says so, so that stalled ones can be told from others'. */
export const PAIRPAD_APPLICATION_NAME = 'pairpad';

/** A real PostgreSQL server through postgres.js. */
export function createPostgresDialect(url: string, options: { maxConnections?: number } = {}): DialectHandle {
  const client = postgres(url, {
    max: options.maxConnections ?? 10,
    // Fail fast while the database is down, so health checks and retries see it quickly.
    connect_timeout: 5,
    idle_timeout: 30,
    // postgres.js waits this long (seconds) before reconnecting after failures; its default grows
    // to 20 s, which would hold queries long after the database is back. Our callers retry with
    // their own backoff, so keep the driver's short.
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1),
    // A transaction whose client went silent mid-way (a cut network) would otherwise keep its
    // locks for good: with several instances, a former owner's half-sent fenced append holds
    // the room_owners row that its successor's claim must update. Ours finish in milliseconds.
    connection: { application_name: PAIRPAD_APPLICATION_NAME, idle_in_transaction_session_timeout: 5_000 },
    onnotice: () => {},
  });
  return {
    dialect: new GuardedPostgresDialect(client),
    close: async () => {
      await client.end({ timeout: 5 });
    },
  };
}
