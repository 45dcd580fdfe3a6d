import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type { ReservedSql, Sql } from 'postgres';

/** postgres.js's connection object behind a reserved `sql`; `reserved` is cleared when its socket closes. */
interface PinnedConnection {
  reserved: unknown;
}

class ConnectionLostError extends Error {
  readonly code = 'CONNECTION_CLOSED';
  constructor(message = 'the database connection was lost') {
    super(message);
    this.name = 'ConnectionLostError';
  }
}

/** A query that cannot get a connection this fast fails instead of waiting behind reconnects. */
const RESERVE_TIMEOUT_MS = 5_000;

/** Codes postgres.js and Node give when the connection itself is gone (not an SQL error). */
function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return /^(CONNECTION_(CLOSED|DESTROYED|ENDED)|CONNECT_TIMEOUT|E[A-Z]+)$/.test(code) || code.startsWith('57P') || code.startsWith('08');
}

/**
 * One Kysely connection: a postgres.js reserved connection (so a transaction or
 * `db.connection()` keeps one session), watched. postgres.js (3.4.x) hands a reserved connection
 * whose socket has closed back to the open pool on release, and the next query on it writes to a
 * null socket (an uncaught TypeError that kills the process) or never settles. So once ours is
 * gone (its in-flight query failed with a connection error, or postgres.js marked it closed
 * while we held it) we fail fast and never release it; postgres.js has already moved it to its
 * closed list, to reconnect on demand.
 */
class GuardedConnection implements DatabaseConnection {
  private reserved: ReservedSql | null = null;
  /** postgres.js's connection object, learned from a query's onexecute (not every query reports it). */
  private pinned: PinnedConnection | null = null;
  private broken = false;

  constructor(private readonly sql: Sql) {}

  private get lost(): boolean {
    return this.broken || (this.pinned !== null && !this.pinned.reserved);
  }

  private async reserve(): Promise<ReservedSql> {
    if (this.reserved) return this.reserved;
    const reserving = this.sql.reserve();
    let timer: NodeJS.Timeout | undefined;
    try {
      this.reserved = await Promise.race([
        reserving,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new ConnectionLostError(`no database connection within ${RESERVE_TIMEOUT_MS} ms`)), RESERVE_TIMEOUT_MS);
        }),
      ]);
      return this.reserved;
    } catch (error) {
      // If the reservation comes through later, hand it straight back.
      reserving.then((late) => late.release(), () => {});
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    if (this.lost) throw new ConnectionLostError();
    const reserved = await this.reserve();
    if (this.lost) throw new ConnectionLostError();
    // onexecute (as postgres.js's own begin() uses it) tells us which connection we hold;
    // returning true keeps postgres.js's pool bookkeeping unchanged.
    const options = {
      onexecute: (connection: PinnedConnection) => {
        this.pinned = connection;
        return true;
      },
    };
    let result;
    try {
      result = await reserved.unsafe(compiledQuery.sql, [...compiledQuery.parameters] as never[], options as never);
    } catch (error) {
      if (isConnectionError(error)) this.broken = true;
      throw error;
    }
    const { command, count } = result;
    return {
      numAffectedRows:
        command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE' ? BigInt(count) : undefined,
      rows: Array.from(result.values()) as R[],
    };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported');
  }

  release(): void {
    const reserved = this.reserved;
    const lost = this.lost;
    this.reserved = null;
    this.pinned = null;
    this.broken = false;
    if (reserved && !lost) reserved.release();
  }
}

class GuardedPostgresDriver implements Driver {
  constructor(private readonly sql: Sql) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new GuardedConnection(this.sql);
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    let statement = 'begin';
    if (settings.isolationLevel || settings.accessMode) {
      statement = 'start transaction';
      if (settings.isolationLevel) statement += ` isolation level ${settings.isolationLevel}`;
      if (settings.accessMode) statement += ` ${settings.accessMode}`;
    }
    await connection.executeQuery(CompiledQuery.raw(statement));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as GuardedConnection).release();
  }

  async destroy(): Promise<void> {
    // The owner ends the postgres.js client (with a timeout) after Kysely is destroyed.
  }
}

/** Kysely over postgres.js that survives connections dropping mid-transaction (see GuardedConnection). */
export class GuardedPostgresDialect implements Dialect {
  constructor(private readonly sql: Sql) {}

  createAdapter() {
    return new PostgresAdapter();
  }

  createDriver(): Driver {
    return new GuardedPostgresDriver(this.sql);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  createIntrospector(db: Kysely<any>) {
    return new PostgresIntrospector(db);
  }

  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
}
