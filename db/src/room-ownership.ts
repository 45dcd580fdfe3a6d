import { sql, type Kysely } from 'kysely';
import postgres from 'postgres';
import { PAIRPAD_APPLICATION_NAME } from './dialects';
import type { Database } from './schema';

/** The instance that owns a room: where to forward its clients' frames, and its fencing epoch. */
export interface RoomOwner {
  instanceId: string;
  address: string;
  epoch: number;
}

/** A write carried an epoch older than the room's: its writer no longer owns the room. */
export class FencedError extends Error {
  readonly code = 'fenced';
  constructor(readonly roomIds: readonly string[]) {
    super(`no longer the owner of ${roomIds.join(', ')}`);
    this.name = 'FencedError';
  }
}

export type OwnersRepo = ReturnType<typeof ownersRepo>;

/** How long a claim waits for a previous owner's write holding the room's row before looking for a stalled one. */
const CLAIM_LOCK_WAIT_MS = 2_000;
const CLAIM_ATTEMPTS = 6;
/** A pairpad transaction waiting this long for its client is stalled: ours finish in milliseconds. */
const STALLED_TRANSACTION = '5 seconds';
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Ends pairpad transactions that have waited over 5 s for their client. PostgreSQL's
 * idle_in_transaction_session_timeout ends those that stopped between statements, but not one
 * whose client went silent in the middle of a pipelined statement (a network cut half-way
 * through a send): it keeps its share lock on a room's row for good, and the successor's claim,
 * which updates that row, would wait for ever.
 */
async function endStalledTransactions(db: Kysely<Database>): Promise<void> {
  await sql`
    select pg_terminate_backend(pid) from pg_stat_activity
    where datname = current_database() and application_name = ${PAIRPAD_APPLICATION_NAME} and pid <> pg_backend_pid()
      and wait_event = 'ClientRead' and xact_start < now() - ${STALLED_TRANSACTION}::interval`.execute(db);
}

export function ownersRepo(db: Kysely<Database>) {
  return {
    async owner(roomId: string): Promise<RoomOwner | undefined> {
      const row = await db.selectFrom('room_owners').select(['instance_id', 'address', 'epoch']).where('room_id', '=', roomId).executeTakeFirst();
      return row && { instanceId: row.instance_id, address: row.address, epoch: Number(row.epoch) };
    },

    /**
     * Records `instanceId` as the room's owner under the next epoch and returns it. Call only
     * while holding the room's lease (RoomLeases): the lease decides who may claim, the epoch
     * fences whoever held the room before. The row is never deleted while the room exists, so
     * an epoch is never handed out twice.
     */
    async claim(roomId: string, instanceId: string, address: string): Promise<number> {
      for (let attempt = 1; ; attempt++) {
        try {
          return await db.transaction().execute(async (trx) => {
            await sql`set local lock_timeout = ${sql.lit(`${CLAIM_LOCK_WAIT_MS}ms`)}`.execute(trx);
            const row = await trx
              .insertInto('room_owners')
              .values({ room_id: roomId, instance_id: instanceId, address, epoch: 1, claimed_at: new Date() })
              .onConflict((oc) =>
                oc.column('room_id').doUpdateSet((eb) => ({
                  instance_id: eb.ref('excluded.instance_id'),
                  address: eb.ref('excluded.address'),
                  epoch: eb('room_owners.epoch', '+', 1),
                  claimed_at: eb.ref('excluded.claimed_at'),
                })),
              )
              .returning('epoch')
              .executeTakeFirstOrThrow();
            return Number(row.epoch);
          });
        } catch (error) {
          if ((error as { code?: unknown }).code !== LOCK_NOT_AVAILABLE || attempt >= CLAIM_ATTEMPTS) throw error;
          await endStalledTransactions(db);
        }
      }
    },
  };
}

/**
 * Refuses, inside `trx`, to go on unless each room's stored epoch is the one given; the rows are
 * then share-locked until the transaction ends, so a successor's claim (which updates them)
 * waits for this write to commit and loads it.
 */
export async function assertEpochs(trx: Kysely<Database>, epochs: ReadonlyMap<string, number>): Promise<void> {
  if (epochs.size === 0) return;
  const rows = await trx
    .selectFrom('room_owners')
    .select(['room_id', 'epoch'])
    .where('room_id', 'in', [...epochs.keys()])
    .forShare()
    .execute();
  const stored = new Map(rows.map((row) => [row.room_id, Number(row.epoch)]));
  const stale = [...epochs].filter(([roomId, epoch]) => stored.get(roomId) !== epoch).map(([roomId]) => roomId);
  if (stale.length > 0) throw new FencedError(stale);
}

/**
 * Room leases of one instance: session advisory locks held on one dedicated PostgreSQL
 * connection. When the instance dies, even by `kill -9`, PostgreSQL sees the connection close
 * and releases every lock at once, so another instance can take the rooms over within moments.
 */
export interface RoomLeases {
  /** Takes the room's lease if nobody holds it; true when this instance holds it now. */
  tryAcquire(roomId: string): Promise<boolean>;
  release(roomId: string): Promise<void>;
  readonly held: ReadonlySet<string>;
  close(): Promise<void>;
}

export interface RoomLeaseOptions {
  /** How often the lease connection proves it is alive. */
  heartbeatMs?: number;
  /**
   * A lease connection silent this long is dead on both sides: PostgreSQL ends the session (and
   * frees its leases, even when no TCP reset ever arrives, as when a network path is cut), and
   * this side gives its leases up when a heartbeat has not come back in time.
   */
  sessionTimeoutMs?: number;
}

/**
 * `onLost` runs once if the lease connection dies under us: every lease is gone with it, and
 * the instance must stop writing as owner (its fenced writes would be refused anyway). The
 * leases object is spent after that; make a new one to own rooms again.
 */
export function createRoomLeases(url: string, onLost: (roomIds: string[]) => void, options: RoomLeaseOptions = {}): RoomLeases {
  const heartbeatMs = options.heartbeatMs ?? 1_000;
  const sessionTimeoutMs = options.sessionTimeoutMs ?? 5_000;
  const held = new Set<string>();
  let closing = false;
  let lost = false;
  const client = postgres(url, {
    max: 1,
    // The locks live and die with this one connection: never recycle it.
    idle_timeout: 0,
    max_lifetime: 0,
    connect_timeout: 5,
    connection: { application_name: 'pairpad-leases', idle_session_timeout: sessionTimeoutMs },
    onnotice: () => {},
    onclose: () => loseAll(),
  });
  function loseAll(): void {
    if (closing || lost) return;
    lost = true;
    clearInterval(heartbeat);
    const rooms = [...held];
    held.clear();
    void client.end({ timeout: 0 });
    onLost(rooms);
  }
  // A heartbeat not answered in time means the leases are gone, or soon will be. Given up a
  // heartbeat before PostgreSQL can end the session: the last answered one came at most one
  // interval before this one was sent, so this side always lets go before another can claim.
  const answerWithinMs = Math.max(sessionTimeoutMs - 2 * heartbeatMs, heartbeatMs);
  const heartbeat = setInterval(() => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('lease heartbeat timed out')), answerWithinMs);
    });
    Promise.race([client`select 1`, late]).then(
      () => clearTimeout(timer),
      () => {
        clearTimeout(timer);
        loseAll();
      },
    );
  }, heartbeatMs);
  heartbeat.unref();
  // Namespaced so pairpad's locks never collide with another application's on the same database.
  const key = (roomId: string) => client`hashtextextended(${'pairpad-room:' + roomId}, 0)`;
  return {
    held,
    async tryAcquire(roomId) {
      if (lost) throw new Error('the lease connection was lost');
      if (held.has(roomId)) return true;
      const [row] = await client<{ acquired: boolean }[]>`select pg_try_advisory_lock(${key(roomId)}) as acquired`;
      if (row?.acquired) held.add(roomId);
      return Boolean(row?.acquired);
    },
    async release(roomId) {
      if (!held.delete(roomId) || lost) return;
      await client`select pg_advisory_unlock(${key(roomId)})`;
    },
    async close() {
      closing = true;
      clearInterval(heartbeat);
      held.clear();
      await client.end({ timeout: 5 });
    },
  };
}
