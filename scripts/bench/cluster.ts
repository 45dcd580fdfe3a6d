/**
 * The cluster scenario: several pairpad instances on one PostgreSQL against one instance alone,
 * in one run, on a fresh database. Phases, each with fresh rooms and the same load:
 *   single: one instance in single-process mode (no CLUSTER_SECRET), every room's clients on it;
 *   mixed:  N instances, half the rooms with both clients on the room's owner ("same-instance"),
 *           half with the second client on another instance, relayed to the owner ("cross-instance");
 *           both kinds measured side by side, for their latency;
 *   same / cross: every room same-instance, then every room cross-instance, so the CPU of all
 *           instances over the phase can be set against that kind's deliveries alone;
 *   failover: rooms owned by one instance, clients spread over all, the owner killed with SIGKILL;
 *           per room, the time until an edit typed after the kill reached every other client.
 * pairpad only; needs DATABASE_URL (n/a without it or when PostgreSQL does not answer).
 */
import { createDatabase, migrateToLatest, ownersRepo, type DatabaseHandle } from '@pairpad/db';
import { createTestDatabase, type TestDatabase } from '@pairpad/db/testing';
import type { RoomSpec } from './ipc';
import { LoadPool, type Collected } from './load';
import { nowUs } from './protocol';
import { readProc, readSystemBusySec, SPECS, startServer, type RunContext, type RunningServer } from './servers';
import { mergeHistograms, summarize, type HistogramData, type LatencySummary } from './stats';

export interface ClusterConfig {
  kind: 'cluster';
  name: 'cluster';
  title: string;
  instances: number;
  /** Rooms per phase (a multiple of 2 x instances, so both kinds spread evenly over the owners). */
  rooms: number;
  /** Edits per second per client; both clients of a room type. */
  rate: number;
  /** single and mixed alternate this many times; each figure is over all rounds' samples. */
  rounds: number;
  /** The single and cross phases once more at this many times the rate: the slope gives the marginal CPU per delivery. */
  highRateFactor: number;
  /** A phase whose window saw more than this % of a core used by other processes is run once more ... */
  noisyOtherPct: number;
  /** ... at most this many times per run, so a machine that stays busy does not stretch the run. */
  maxReruns: number;
  awarenessPerEdit: boolean;
  warmupSec: number;
  durationSec: number;
  /** Pause between phases, so the previous phase's rooms unload (ROOM_UNLOAD_DELAY_MS is 2 s). */
  settleSec: number;
  /** After the servers start: how long their background CPU is sampled with no rooms. */
  idleSampleSec: number;
  failoverRooms: number;
  failoverRate: number;
  failoverWarmupSec: number;
  /** How long to wait for every room to be served again after the kill. */
  failoverTimeoutSec: number;
  limit: number;
}

/** The issue's targets for the cluster, against single-process mode in the same run. */
export const CLUSTER_TARGETS = {
  /** Cross-instance p99 at most single p99 + this many ms ... */
  crossAddMs: 2,
  /** ... and at most this many times single p99. */
  crossRatio: 1.5,
  /** Same-instance p99 at most this many times single p99. */
  sameRatio: 1.05,
  /** Server CPU (all instances) per cross-instance delivery at most this many times single's. */
  cpuRatio: 1.3,
  /** Failover: p99 over rooms of the time until served again, ms. */
  failoverP99Ms: 2000,
} as const;

export function clusterConfig(quick: boolean, durationOverride?: number): ClusterConfig {
  const rooms = quick ? 12 : 48;
  return {
    kind: 'cluster',
    name: 'cluster',
    title: `cluster: 3 instances on PostgreSQL against 1, ${rooms} rooms x 2 clients per phase, each typing 5 edits/s + a cursor awareness update per edit; then SIGKILL of the owner of ${quick ? 6 : 15} rooms`,
    instances: 3,
    rooms,
    rate: 5,
    rounds: quick ? 1 : 2,
    highRateFactor: 2,
    // --quick is a smoke: no second attempts.
    noisyOtherPct: quick ? 1000 : 30,
    maxReruns: quick ? 0 : 2,
    awarenessPerEdit: true,
    warmupSec: quick ? 0.5 : 2,
    durationSec: durationOverride ?? (quick ? 2 : 12),
    settleSec: quick ? 1 : 3,
    idleSampleSec: quick ? 1 : 3,
    failoverRooms: quick ? 6 : 15,
    failoverRate: 10,
    failoverWarmupSec: quick ? 1 : 2,
    failoverTimeoutSec: 15,
    limit: 2,
  };
}

export type RoomKind = 'single' | 'same' | 'cross';

export interface ClusterGroupResult {
  kind: RoomKind;
  rooms: number;
  hist: HistogramData;
  latency: LatencySummary;
  sentEdits: number;
  delivered: number;
}

export type PhaseName = 'single' | 'mixed' | 'same' | 'cross' | 'single-high' | 'cross-high';

export interface ClusterPhase {
  name: PhaseName;
  /** Edits/s per client. */
  rate: number;
  /** Rounds merged into this figure (single and mixed alternate). */
  rounds: number;
  /** Other processes' CPU in a first attempt that was thrown away as too noisy (null: first attempt kept). */
  discardedOtherPct: number | null;
  instances: number;
  rooms: number;
  groups: ClusterGroupResult[];
  /** Every group's samples together. */
  latency: LatencySummary;
  elapsedSec: number;
  sentEdits: number;
  delivered: number;
  deliveredPerSec: number;
  /** CPU of every instance process over the window, summed, and per instance. */
  serverCpuSec: number;
  instanceCpuSec: number[];
  serverCpuPer1k: number | null;
  /** The instances' CPU with no rooms at all (timers, leases, pings), summed, in CPU s per s, measured after they started. */
  idleCpuPerSec: number;
  /** serverCpuPer1k less that background over the window: the cost that grows with traffic. */
  netCpuPer1k: number | null;
  /** Frames relayed over links in the window (/healthz forwardedFrames, counted where the client is). */
  forwardedFrames: number;
  clientCpuSec: number;
  clientLoopP99Ms: number;
  otherCpuPct: number;
  undelivered: number;
  failedMessages: number;
  closeCodes: Record<string, number>;
  roomsConverged: number;
  roomsTotal: number;
  /** Rooms whose owner (room_owners) is the instance the layout meant, of the rooms checked. */
  ownersAsPlanned: number;
  ownersChecked: number;
  connectFailed: number;
  connectErrors: string[];
  workerErrors: string[];
}

export interface FailoverResult {
  rooms: number;
  killedInstance: string;
  /** Per room served again, ms from the kill; sorted. */
  servedMs: number[];
  p50: number | null;
  p99: number | null;
  max: number | null;
  notServed: number;
  reconnects: number;
  /** Owners after the kill (room_owners), rooms per instance. */
  newOwners: Record<string, number>;
  undelivered: number;
  roomsConverged: number;
  roomsTotal: number;
  ownersAsPlanned: number;
  connectFailed: number;
  workerErrors: string[];
}

export interface ClusterResult {
  kind: 'cluster';
  scenario: 'cluster';
  server: 'pairpad-pg';
  /** Why the scenario did not run (no DATABASE_URL, PostgreSQL unreachable); null when it ran. */
  unavailable: string | null;
  /** single and mixed: every round merged. */
  single: ClusterPhase | null;
  mixed: ClusterPhase | null;
  same: ClusterPhase | null;
  cross: ClusterPhase | null;
  singleHigh: ClusterPhase | null;
  crossHigh: ClusterPhase | null;
  /** Every measured phase in the order run (rounds separately). */
  phases: ClusterPhase[];
  /** Rounds (1-based) whose single and mixed phases both ran with other CPU under the noise bound; single and mixed merge only these. Empty: none did, all rounds merged. */
  roundsUsed: number[];
  failover: FailoverResult | null;
  errors: string[];
  instanceExits: string[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function cpuOf(server: RunningServer): number {
  return readProc(server.pid)?.cpuSec ?? NaN;
}

async function forwardedFrames(servers: RunningServer[]): Promise<number> {
  let n = 0;
  for (const s of servers) {
    try {
      const res = await fetch(`${s.httpBase}/healthz`, { signal: AbortSignal.timeout(2000) });
      const body = (await res.json()) as { cluster?: { forwardedFrames?: number } };
      n += body.cluster?.forwardedFrames ?? 0;
    } catch {
      // a dead or slow instance adds nothing
    }
  }
  return n;
}

/** CPU s per s the servers use with no clients (summed), sampled over `sec`. */
async function idleCpu(servers: RunningServer[], sec: number): Promise<number> {
  const c0 = servers.map(cpuOf);
  const t0 = performance.now();
  await sleep(sec * 1000);
  const c1 = servers.map(cpuOf);
  const elapsed = (performance.now() - t0) / 1000;
  return servers.reduce((a, _, i) => a + ((c1[i] ?? NaN) - (c0[i] ?? NaN)), 0) / elapsed;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  const late = new Promise<never>((_, reject) => {
    setTimeout(() => reject(new Error(`${what}: no answer within ${String(ms / 1000)} s`)), ms).unref();
  });
  return Promise.race([p, late]);
}

/** One instance of the layout: its server and its id in room_owners (null in single-process mode). */
interface Instance {
  server: RunningServer;
  id: string | null;
}

interface PlannedRoom {
  spec: RoomSpec;
  owner: string | null;
}

/**
 * Rooms of one kind: room j is owned by instance j mod n (its first client connects there
 * first, and the first instance to load a room claims it); a cross-instance room's second
 * client is on the next instance.
 */
async function planRooms(instances: Instance[], kind: RoomKind, count: number, tag: string, limit: number): Promise<PlannedRoom[]> {
  const first = instances[0];
  if (!first) throw new Error('no instance');
  const out: PlannedRoom[] = [];
  for (let j = 0; j < count; j++) {
    const roomId = await first.server.createRoom(limit);
    const owner = instances[j % instances.length] ?? first;
    const other = kind === 'cross' ? (instances[(j + 1) % instances.length] ?? first) : owner;
    out.push({
      owner: owner.id,
      spec: {
        roomId,
        clients: [
          { name: `${tag}-${j}-0`, typing: true, wsBase: owner.server.wsBase },
          { name: `${tag}-${j}-1`, typing: true, wsBase: other.server.wsBase },
        ],
      },
    });
  }
  return out;
}

async function checkOwners(db: DatabaseHandle | null, rooms: PlannedRoom[]): Promise<{ asPlanned: number; checked: number; owners: Record<string, number> }> {
  const owners: Record<string, number> = {};
  if (!db) return { asPlanned: 0, checked: 0, owners };
  const repo = ownersRepo(db.db);
  let asPlanned = 0;
  let checked = 0;
  for (const r of rooms) {
    if (r.owner === null) continue;
    const o = await repo.owner(r.spec.roomId);
    checked++;
    const id = o?.instanceId ?? 'none';
    owners[id] = (owners[id] ?? 0) + 1;
    if (id === r.owner) asPlanned++;
  }
  return { asPlanned, checked, owners };
}

function plan(base: RunningServer, clients: number, awarenessPerEdit: boolean, reconnect: boolean) {
  return {
    dialect: base.spec.dialect,
    wsBase: base.wsBase,
    awarenessPerEdit,
    syncedOnOpen: base.spec.syncedOnOpen,
    concurrency: Math.min(16, Math.max(1, clients)),
    timeoutMs: 15_000,
    firstClientsFirst: true,
    reconnect,
  };
}

/**
 * One measured phase: each group of rooms gets its own load worker (so each kind has its own
 * latency histogram, and every phase runs the same two generator processes), all type at once.
 */
async function runPhase(
  name: PhaseName,
  cfg: ClusterConfig,
  rate: number,
  instances: Instance[],
  groups: { kind: RoomKind; rooms: PlannedRoom[] }[],
  db: DatabaseHandle | null,
  idleCpuPerSec: number,
  ctx: RunContext,
): Promise<ClusterPhase> {
  const servers = instances.map((i) => i.server);
  const base = servers[0];
  if (!base) throw new Error('no server');
  const pools = groups.map(() => new LoadPool(1));
  try {
    const conns = await Promise.all(
      groups.map((g, i) => pools[i]!.connect(plan(base, g.rooms.length * 2, cfg.awarenessPerEdit, false), g.rooms.map((r) => r.spec))),
    );
    const all = groups.flatMap((g) => g.rooms);
    const own = await checkOwners(db, all);
    const connectFailed = conns.reduce((a, c) => a + c.failed, 0);
    const connectErrors = conns.flatMap((c) => c.errors).slice(0, 5);
    ctx.log(
      `  [${name}] connected ${conns.reduce((a, c) => a + c.ok, 0)}/${all.length * 2} clients in ${(Math.max(...conns.map((c) => c.ms)) / 1000).toFixed(1)} s` +
        (own.checked ? `, owners as planned ${own.asPlanned}/${own.checked} ${JSON.stringify(own.owners)}` : '') +
        (connectFailed ? ` (${connectFailed} failed: ${connectErrors[0] ?? ''})` : ''),
    );
    for (const p of pools) p.setRate(rate);
    await sleep(cfg.warmupSec * 1000);
    await Promise.all(pools.map((p) => p.collect(true)));
    const frames0 = servers.length === 1 ? 0 : await forwardedFrames(servers);
    const cpu0 = servers.map(cpuOf);
    const sys0 = readSystemBusySec();
    await sleep(cfg.durationSec * 1000);
    const cs: Collected[] = await Promise.all(pools.map((p) => p.collect(false)));
    const cpu1 = servers.map(cpuOf);
    const sys1 = readSystemBusySec();
    const frames1 = servers.length === 1 ? 0 : await forwardedFrames(servers);
    const drained = await Promise.all(pools.map((p) => p.drain(5000)));
    const instanceCpuSec = servers.map((_, i) => (cpu1[i] ?? NaN) - (cpu0[i] ?? NaN));
    const serverCpuSec = instanceCpuSec.reduce((a, b) => a + b, 0);
    const delivered = cs.reduce((a, c) => a + c.delivered, 0);
    const elapsedSec = Math.max(...cs.map((c) => c.elapsedSec));
    const clientCpuSec = cs.reduce((a, c) => a + c.clientCpuSec, 0);
    const closeCodes: Record<string, number> = {};
    for (const c of cs) for (const [k, v] of Object.entries(c.closeCodes)) closeCodes[k] = (closeCodes[k] ?? 0) + v;
    const hists: HistogramData[] = cs.map((c) => c.hist);
    const phase: ClusterPhase = {
      name,
      rate,
      rounds: 1,
      discardedOtherPct: null,
      instances: servers.length,
      rooms: all.length,
      groups: groups.map((g, i) => ({
        kind: g.kind,
        rooms: g.rooms.length,
        hist: cs[i]!.hist,
        latency: summarize(cs[i]!.hist),
        sentEdits: cs[i]!.sent,
        delivered: cs[i]!.delivered,
      })),
      latency: summarize(mergeHistograms(hists)),
      elapsedSec,
      sentEdits: cs.reduce((a, c) => a + c.sent, 0),
      delivered,
      deliveredPerSec: delivered / elapsedSec,
      serverCpuSec,
      instanceCpuSec,
      serverCpuPer1k: delivered > 0 ? serverCpuSec / (delivered / 1000) : null,
      idleCpuPerSec,
      netCpuPer1k: delivered > 0 ? (serverCpuSec - idleCpuPerSec * elapsedSec) / (delivered / 1000) : null,
      forwardedFrames: frames1 - frames0,
      clientCpuSec,
      clientLoopP99Ms: Math.max(...cs.map((c) => c.loopDelayP99Ms)),
      otherCpuPct: ((sys1 - sys0 - serverCpuSec - clientCpuSec) / elapsedSec) * 100,
      undelivered: drained.reduce((a, d) => a + d.undelivered, 0),
      failedMessages: cs.reduce((a, c) => a + c.failedSends + c.unexpectedCloses, 0) + connectFailed,
      closeCodes,
      roomsConverged: drained.reduce((a, d) => a + d.roomsConverged, 0),
      roomsTotal: drained.reduce((a, d) => a + d.roomsTotal, 0),
      ownersAsPlanned: own.asPlanned,
      ownersChecked: own.checked,
      connectFailed,
      connectErrors,
      workerErrors: pools.flatMap((p) => p.errors).slice(0, 5),
    };
    ctx.log(
      `  [${name}${rate !== cfg.rate ? ` at ${rate}/s` : ''}] p99 ${phase.groups.map((g) => `${g.kind} ${g.latency.p99?.toFixed(2) ?? '-'}`).join(', ')} ms (all ${phase.latency.p99?.toFixed(2) ?? '-'}), ` +
        `${phase.deliveredPerSec.toFixed(0)} deliv/s, server CPU ${serverCpuSec.toFixed(2)} s [${instanceCpuSec.map((c) => c.toFixed(2)).join(' + ')}] = ${phase.serverCpuPer1k?.toFixed(3) ?? '-'} s/1k, ` +
        `client CPU ${clientCpuSec.toFixed(2)} s, other ${phase.otherCpuPct.toFixed(0)} %, relayed frames ${phase.forwardedFrames}, undelivered ${phase.undelivered}, failed ${phase.failedMessages}`,
    );
    return phase;
  } finally {
    await Promise.all(pools.map((p) => p.close()));
  }
}

/** Several rounds of one phase as one: samples, CPU, deliveries and windows added up. */
function mergePhases(list: ClusterPhase[]): ClusterPhase | null {
  const first = list[0];
  if (!first) return null;
  if (list.length === 1) return first;
  const sum = (f: (p: ClusterPhase) => number): number => list.reduce((a, p) => a + f(p), 0);
  const groups = first.groups.map((g, i) => {
    const hist = mergeHistograms(list.map((p) => p.groups[i]?.hist ?? g.hist));
    return { kind: g.kind, rooms: g.rooms, hist, latency: summarize(hist), sentEdits: sum((p) => p.groups[i]?.sentEdits ?? 0), delivered: sum((p) => p.groups[i]?.delivered ?? 0) };
  });
  const elapsedSec = sum((p) => p.elapsedSec);
  const delivered = sum((p) => p.delivered);
  const serverCpuSec = sum((p) => p.serverCpuSec);
  const closeCodes: Record<string, number> = {};
  for (const p of list) for (const [k, v] of Object.entries(p.closeCodes)) closeCodes[k] = (closeCodes[k] ?? 0) + v;
  return {
    ...first,
    rounds: list.length,
    discardedOtherPct: list.find((p) => p.discardedOtherPct !== null)?.discardedOtherPct ?? null,
    groups,
    latency: summarize(mergeHistograms(groups.map((g) => g.hist))),
    elapsedSec,
    sentEdits: sum((p) => p.sentEdits),
    delivered,
    deliveredPerSec: delivered / elapsedSec,
    serverCpuSec,
    instanceCpuSec: first.instanceCpuSec.map((_, i) => sum((p) => p.instanceCpuSec[i] ?? NaN)),
    serverCpuPer1k: delivered > 0 ? serverCpuSec / (delivered / 1000) : null,
    netCpuPer1k: delivered > 0 ? (serverCpuSec - first.idleCpuPerSec * elapsedSec) / (delivered / 1000) : null,
    forwardedFrames: sum((p) => p.forwardedFrames),
    clientCpuSec: sum((p) => p.clientCpuSec),
    clientLoopP99Ms: Math.max(...list.map((p) => p.clientLoopP99Ms)),
    otherCpuPct: sum((p) => p.otherCpuPct * p.elapsedSec) / elapsedSec,
    undelivered: sum((p) => p.undelivered),
    failedMessages: sum((p) => p.failedMessages),
    closeCodes,
    roomsConverged: sum((p) => p.roomsConverged),
    roomsTotal: sum((p) => p.roomsTotal),
    ownersAsPlanned: sum((p) => p.ownersAsPlanned),
    ownersChecked: sum((p) => p.ownersChecked),
    connectFailed: sum((p) => p.connectFailed),
    connectErrors: list.flatMap((p) => p.connectErrors).slice(0, 5),
    workerErrors: list.flatMap((p) => p.workerErrors).slice(0, 5),
  };
}

async function runFailover(cfg: ClusterConfig, instances: Instance[], db: DatabaseHandle, ctx: RunContext): Promise<FailoverResult> {
  const n = instances.length;
  const victim = instances[0];
  if (!victim || victim.id === null) throw new Error('no instance to kill');
  const planned: PlannedRoom[] = [];
  // Every room is owned by the victim (its first client is there); the second client is on the
  // victim, or on another instance, in turn. Each client's fallbacks are the other instances.
  const fallbacks = (k: number, j: number): string[] => {
    const others = [1, 2].slice(0, n - 1).map((d) => instances[(k + d) % n]!.server.wsBase);
    return j % 2 === 0 ? others : others.reverse();
  };
  for (let j = 0; j < cfg.failoverRooms; j++) {
    const roomId = await victim.server.createRoom(cfg.limit);
    const k2 = j % n;
    planned.push({
      owner: victim.id,
      spec: {
        roomId,
        clients: [
          { name: `fo-${j}-0`, typing: true, wsBase: victim.server.wsBase, fallbackWsBases: fallbacks(0, j) },
          { name: `fo-${j}-1`, typing: true, wsBase: instances[k2]!.server.wsBase, fallbackWsBases: fallbacks(k2, j + 1) },
        ],
      },
    });
  }
  const pool = new LoadPool(1);
  try {
    const conn = await pool.connect(plan(victim.server, planned.length * 2, cfg.awarenessPerEdit, true), planned.map((p) => p.spec));
    const own = await checkOwners(db, planned);
    ctx.log(`  [failover] connected ${conn.ok}/${planned.length * 2}, owned by ${victim.id}: ${own.asPlanned}/${own.checked}`);
    pool.setRate(cfg.failoverRate);
    await sleep(cfg.failoverWarmupSec * 1000);
    await pool.collect(true);
    const killUs = nowUs();
    victim.server.child.kill('SIGKILL');
    await pool.watch(killUs);
    const deadline = performance.now() + cfg.failoverTimeoutSec * 1000;
    let watched = await pool.watched();
    while (watched.some((w) => w.servedAfterMs === null) && performance.now() < deadline) {
      await sleep(100);
      watched = await pool.watched();
    }
    // A little more typing on the new owners, then everything must have arrived and agree.
    await sleep(1000);
    const drained = await pool.drain(5000);
    const after = await checkOwners(db, planned);
    const servedMs = watched
      .map((w) => w.servedAfterMs)
      .filter((v): v is number => v !== null)
      .sort((a, b) => a - b);
    const pct = (p: number): number | null => (servedMs.length ? (servedMs[Math.min(servedMs.length - 1, Math.ceil((p / 100) * servedMs.length) - 1)] ?? null) : null);
    const res: FailoverResult = {
      rooms: planned.length,
      killedInstance: victim.id,
      servedMs,
      p50: pct(50),
      p99: pct(99),
      max: servedMs.at(-1) ?? null,
      notServed: watched.length - servedMs.length,
      reconnects: watched.reduce((a, w) => a + w.reconnects, 0),
      newOwners: after.owners,
      undelivered: drained.undelivered,
      roomsConverged: drained.roomsConverged,
      roomsTotal: drained.roomsTotal,
      ownersAsPlanned: own.asPlanned,
      connectFailed: conn.failed,
      workerErrors: pool.errors.slice(0, 5),
    };
    ctx.log(
      `  [failover] served again after p50 ${res.p50?.toFixed(0) ?? '-'} ms, p99 ${res.p99?.toFixed(0) ?? '-'} ms, max ${res.max?.toFixed(0) ?? '-'} ms; not served ${res.notServed}; ` +
        `reconnects ${res.reconnects}; new owners ${JSON.stringify(res.newOwners)}; undelivered ${res.undelivered}, converged ${res.roomsConverged}/${res.roomsTotal}`,
    );
    return res;
  } finally {
    await pool.close();
  }
}

function emptyResult(unavailable: string | null): ClusterResult {
  return {
    kind: 'cluster',
    scenario: 'cluster',
    server: 'pairpad-pg',
    unavailable,
    single: null,
    mixed: null,
    same: null,
    cross: null,
    singleHigh: null,
    crossHigh: null,
    phases: [],
    roundsUsed: [],
    failover: null,
    errors: [],
    instanceExits: [],
  };
}

const CLUSTER_SECRET = 'bench-cluster-secret-0123456789';

export async function runCluster(cfg: ClusterConfig, ctx: RunContext, databaseUrl: string | undefined): Promise<ClusterResult> {
  if (!databaseUrl) return emptyResult('DATABASE_URL is not set (cluster mode needs PostgreSQL)');
  let testDb: TestDatabase;
  try {
    testDb = await withTimeout(createTestDatabase(databaseUrl), 15_000, 'PostgreSQL');
  } catch (e) {
    return emptyResult(`PostgreSQL at DATABASE_URL is unreachable: ${(e as Error).message}`);
  }
  const result = emptyResult(null);
  const started: RunningServer[] = [];
  let db: DatabaseHandle | null = null;
  try {
    if (testDb.config.kind !== 'postgres') throw new Error('expected a PostgreSQL test database');
    const url = testDb.config.url;
    db = await createDatabase({ kind: 'postgres', url, maxConnections: 2 });
    // Migrated once here, so the instances do not race each other to do it.
    await migrateToLatest(db.db);
    const half = cfg.rooms / 2;

    // One instance in single-process mode (no CLUSTER_SECRET) and the cluster, on the same
    // database, all started before any phase: the idle side costs about 1 % of a core.
    const t0 = performance.now();
    const singleOpts = ctx.startOpts('cluster-single', false);
    const starting = [
      startServer(SPECS['pairpad-pg'], { ...singleOpts, databaseUrl: url }).then((server) => {
        started.push(server);
        return server;
      }),
      ...Array.from({ length: cfg.instances }, async (_, i) => {
        const id = `bench${i + 1}`;
        const opts = ctx.startOpts(`cluster-${id}`, false);
        const server = await startServer(SPECS['pairpad-pg'], {
          ...opts,
          databaseUrl: url,
          env: { ...opts.env, CLUSTER_SECRET, INSTANCE_ID: id, INTERNAL_URL: `http://127.0.0.1:${opts.port}` },
        });
        started.push(server);
        return server;
      }),
    ];
    const [single, ...members] = await Promise.all(starting);
    if (!single) throw new Error('no single instance');
    const one: Instance[] = [{ server: single, id: null }];
    const instances: Instance[] = members.map((server, i) => ({ server, id: `bench${i + 1}` }));
    ctx.log(`  single instance (pid ${single.pid}) and ${instances.length} cluster instances (pids ${members.map((m) => m.pid).join(', ')}) started in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await sleep(cfg.settleSec * 1000);
    const idleSingle = await idleCpu([single], cfg.idleSampleSec);
    const idleCluster = await idleCpu(members, cfg.idleSampleSec);
    ctx.log(`  background CPU with no rooms: single ${(idleSingle * 100).toFixed(1)} %, ${instances.length} instances ${(idleCluster * 100).toFixed(1)} % of a core`);

    let tag = 0;
    let reruns = 0;
    const layout = async (on: Instance[], kinds: [RoomKind, RoomKind]) => {
      tag++;
      return [
        { kind: kinds[0], rooms: await planRooms(on, kinds[0], half, `p${tag}a`, cfg.limit) },
        { kind: kinds[1], rooms: await planRooms(on, kinds[1], half, `p${tag}b`, cfg.limit) },
      ];
    };
    /** Runs a phase on fresh rooms; once more when other processes took the machine meanwhile. */
    const measure = async (name: PhaseName, rate: number, kinds: [RoomKind, RoomKind]): Promise<ClusterPhase> => {
      const on = name === 'single' || name === 'single-high' ? one : instances;
      const idle = on === one ? idleSingle : idleCluster;
      let phase = await runPhase(name, cfg, rate, on, await layout(on, kinds), on === one ? null : db, idle, ctx);
      if (phase.otherCpuPct > cfg.noisyOtherPct && reruns < cfg.maxReruns) {
        reruns++;
        ctx.log(`  [${name}] other processes used ${phase.otherCpuPct.toFixed(0)} % of a core meanwhile: once more`);
        await sleep(cfg.settleSec * 1000);
        const again = await runPhase(name, cfg, rate, on, await layout(on, kinds), on === one ? null : db, idle, ctx);
        again.discardedOtherPct = phase.otherCpuPct;
        phase = again;
      }
      result.phases.push(phase);
      await sleep(cfg.settleSec * 1000);
      return phase;
    };

    const singles: ClusterPhase[] = [];
    const mixes: ClusterPhase[] = [];
    for (let round = 0; round < cfg.rounds; round++) {
      singles.push(await measure('single', cfg.rate, ['single', 'single']));
      mixes.push(await measure('mixed', cfg.rate, ['same', 'cross']));
    }
    // A round counts when neither of its phases shared the machine with other work: a noisy
    // single round would flatter the cluster as much as a noisy mixed one would sink it.
    const clean = singles.map((p, i) => p.otherCpuPct <= cfg.noisyOtherPct && (mixes[i]?.otherCpuPct ?? Infinity) <= cfg.noisyOtherPct);
    const pick = <T>(xs: T[]): T[] => (clean.some(Boolean) ? xs.filter((_, i) => clean[i]) : xs);
    result.roundsUsed = clean.some(Boolean) ? clean.flatMap((c, i) => (c ? [i + 1] : [])) : [];
    result.single = mergePhases(pick(singles));
    result.mixed = mergePhases(pick(mixes));
    result.same = await measure('same', cfg.rate, ['same', 'same']);
    result.cross = await measure('cross', cfg.rate, ['cross', 'cross']);
    const high = cfg.rate * cfg.highRateFactor;
    result.singleHigh = await measure('single-high', high, ['single', 'single']);
    result.crossHigh = await measure('cross-high', high, ['cross', 'cross']);
    result.failover = await runFailover(cfg, instances, db, ctx);
  } catch (e) {
    result.errors.push((e as Error).message);
    ctx.log(`  cluster: ${(e as Error).message}`);
  } finally {
    for (const s of started) {
      // The failover phase's SIGKILL is expected; anything else that ended an instance is reported.
      if (s.exited && s.exited.signal !== 'SIGKILL') result.instanceExits.push(`${s.logPath}: exited code=${s.exited.code} signal=${s.exited.signal}`);
    }
    await Promise.all(started.map((s) => s.stop()));
    await db?.close();
    await testDb.drop().catch((e: unknown) => result.errors.push(`dropping the test database: ${(e as Error).message}`));
  }
  return result;
}

export interface ClusterVerdicts {
  singleP99: number | null;
  sameP99: number | null;
  crossP99: number | null;
  crossLimitMs: number | null;
  sameLimitMs: number | null;
  /** Cross-instance phase CPU per delivery / single's, and the same-instance phase's. */
  cpuCrossRatio: number | null;
  cpuSameRatio: number | null;
  /**
   * Marginal server CPU s per 1k deliveries, from the base and the higher rate: what one more
   * delivery costs once the fixed costs (idle timers, per-wake-up work) are paid.
   */
  marginalSingle: number | null;
  marginalCross: number | null;
}

/** Slope of server CPU s/s over deliveries/s between two phases, in s per 1k deliveries. */
function marginal(low: ClusterPhase | null, high: ClusterPhase | null): number | null {
  if (!low || !high) return null;
  const dd = high.deliveredPerSec - low.deliveredPerSec;
  if (!(dd > 0)) return null;
  return ((high.serverCpuSec / high.elapsedSec - low.serverCpuSec / low.elapsedSec) / dd) * 1000;
}

export function clusterVerdicts(r: ClusterResult): ClusterVerdicts {
  const singleP99 = r.single?.latency.p99 ?? null;
  const group = (k: RoomKind): number | null => r.mixed?.groups.find((g) => g.kind === k)?.latency.p99 ?? null;
  const cpu = (p: ClusterPhase | null): number | null => {
    const a = p?.serverCpuPer1k;
    const b = r.single?.serverCpuPer1k;
    return a === null || a === undefined || b === null || b === undefined || b === 0 ? null : a / b;
  };
  return {
    singleP99,
    sameP99: group('same'),
    crossP99: group('cross'),
    crossLimitMs: singleP99 === null ? null : Math.min(singleP99 + CLUSTER_TARGETS.crossAddMs, singleP99 * CLUSTER_TARGETS.crossRatio),
    sameLimitMs: singleP99 === null ? null : singleP99 * CLUSTER_TARGETS.sameRatio,
    cpuCrossRatio: cpu(r.cross),
    cpuSameRatio: cpu(r.same),
    marginalSingle: marginal(r.single, r.singleHigh),
    marginalCross: marginal(r.cross, r.crossHigh),
  };
}

/** Extra server CPU per relayed frame: (cross phase CPU - same phase CPU) / frames relayed in the cross phase, in µs. */
export function relayCpuPerFrameUs(r: ClusterResult): number | null {
  if (!r.cross || !r.same || r.cross.forwardedFrames <= 0) return null;
  // Scale the same phase to the cross phase's deliveries, so a small difference in load does not count as relaying.
  const sameAtCrossLoad = r.same.delivered > 0 ? (r.same.serverCpuSec / r.same.delivered) * r.cross.delivered : NaN;
  return ((r.cross.serverCpuSec - sameAtCrossLoad) / r.cross.forwardedFrames) * 1e6;
}

/** Every phase (failover included): nothing undelivered, every room converged, no scenario error. */
export function clusterDelivery(r: ClusterResult): { undelivered: number; unconverged: number; failed: number; ok: boolean } {
  const phases = r.phases;
  const undelivered = phases.reduce((a, p) => a + p.undelivered, 0) + (r.failover?.undelivered ?? 0);
  const unconverged = phases.reduce((a, p) => a + p.roomsTotal - p.roomsConverged, 0) + (r.failover ? r.failover.roomsTotal - r.failover.roomsConverged : 0);
  const failed = phases.reduce((a, p) => a + p.failedMessages, 0);
  return { undelivered, unconverged, failed, ok: undelivered === 0 && unconverged === 0 && failed === 0 && r.errors.length === 0 && r.instanceExits.length === 0 };
}
