/** Scenario definitions and the code that drives one scenario against one fresh server. */
import { abuseConfig, abuseServerEnv, runAbuse, type AbuseConfig, type AbuseResult } from './abuse';
import { clusterConfig, type ClusterConfig, type ClusterResult } from './cluster';
import { LoadPool, type Collected } from './load';
import type { RoomSpec } from './ipc';
import { readProc, readSystemBusySec, startServer, type RunContext, type RunningServer, type ServerSpec } from './servers';
import { summarize, type LatencySummary } from './stats';

export type ScenarioName = 'pair' | 'busy' | 'classroom' | 'idle' | 'saturation' | 'cold' | 'abuse' | 'cluster';
export const ALL_SCENARIOS: ScenarioName[] = ['pair', 'busy', 'classroom', 'idle', 'saturation', 'cold', 'abuse', 'cluster'];
/** Scenarios that only make sense against pairpad (they use its REST API and view links); peers are skipped. */
export const PAIRPAD_ONLY: readonly ScenarioName[] = ['abuse', 'cluster'];
/** Scenarios that start their own servers (several pairpad instances) and run once, not once per server. */
export const SELF_HOSTED: readonly ScenarioName[] = ['cluster'];

export interface SteadyConfig {
  kind: 'steady';
  name: Exclude<ScenarioName, 'saturation' | 'cold' | 'abuse' | 'cluster'>;
  title: string;
  rooms: number;
  clientsPerRoom: number;
  typingPerRoom: number;
  /** Edits per second per typing client. */
  rate: number;
  awarenessPerEdit: boolean;
  warmupSec: number;
  durationSec: number;
  limit: number;
}

export interface SaturationConfig {
  kind: 'saturation';
  name: 'saturation';
  title: string;
  rooms: number;
  clientsPerRoom: number;
  /** Total offered edits/s per step (all clients type). */
  steps: number[];
  stepSec: number;
  settleSec: number;
  p99LimitMs: number;
  minDeliveryRatio: number;
  noRetry: boolean;
  limit: number;
}

export interface ColdConfig {
  kind: 'cold';
  name: 'cold';
  title: string;
  docBytes: number;
  chunk: number;
  joins: number;
  /** Idle period used to measure the server's background CPU. */
  idleSampleMs: number;
  /** How long to wait for pairpad to unload the room before the storage join. */
  unloadWaitMs: number;
  limit: number;
}

export type ScenarioConfig = SteadyConfig | SaturationConfig | ColdConfig | AbuseConfig | ClusterConfig;

export function scenarioConfigs(quick: boolean, durationOverride?: number): Record<ScenarioName, ScenarioConfig> {
  const d = (full: number, q: number): number => durationOverride ?? (quick ? q : full);
  return {
    pair: {
      kind: 'steady',
      name: 'pair',
      title: 'pair: 1 room x 2 clients, each typing 20 edits/s',
      rooms: 1,
      clientsPerRoom: 2,
      typingPerRoom: 2,
      rate: 20,
      awarenessPerEdit: false,
      warmupSec: quick ? 0.3 : 1,
      durationSec: d(10, 1),
      limit: 2,
    },
    busy: {
      kind: 'steady',
      name: 'busy',
      title: `busy server: ${quick ? 20 : 200} rooms x 2 clients, each typing 5 edits/s + a cursor awareness update per edit`,
      rooms: quick ? 20 : 200,
      clientsPerRoom: 2,
      typingPerRoom: 2,
      rate: 5,
      awarenessPerEdit: true,
      warmupSec: quick ? 0.3 : 2,
      durationSec: d(12, 1),
      limit: 2,
    },
    classroom: {
      kind: 'steady',
      name: 'classroom',
      title: 'classroom: 1 room x 20 clients (2 typing 10 edits/s each, 18 watching); 20 not 30 because pairpad caps rooms at 20',
      rooms: 1,
      clientsPerRoom: 20,
      typingPerRoom: 2,
      rate: 10,
      awarenessPerEdit: false,
      warmupSec: quick ? 0.3 : 1,
      durationSec: d(10, 1),
      limit: 20,
    },
    idle: {
      kind: 'steady',
      name: 'idle',
      title: `idle rooms: ${quick ? 50 : 1000} rooms x 2 clients, each typing 0.2 edits/s (memory per room)`,
      rooms: quick ? 50 : 1000,
      clientsPerRoom: 2,
      typingPerRoom: 2,
      rate: 0.2,
      awarenessPerEdit: false,
      warmupSec: quick ? 0.3 : 2,
      durationSec: d(10, 1),
      limit: 2,
    },
    saturation: {
      kind: 'saturation',
      name: 'saturation',
      title: 'saturation: 50 rooms x 2 clients (both typing), total edit rate ramped until p99 > 50 ms or deliveries drop below 95 %',
      // 50 rooms keep each socket under pairpad's default 200 messages/s per socket up to 20,000 edits/s.
      rooms: 50,
      clientsPerRoom: 2,
      steps: quick ? [200, 1000] : [500, 1000, 2000, 3000, 4000, 5000, 6000, 7500, 9000, 10500, 12000, 14000, 16000],
      stepSec: durationOverride ?? (quick ? 0.8 : 3),
      settleSec: quick ? 0.3 : 0.7,
      p99LimitMs: 50,
      minDeliveryRatio: 0.95,
      noRetry: quick,
      limit: 2,
    },
    cold: {
      kind: 'cold',
      name: 'cold',
      title: `cold load: a ${quick ? '256 KB' : '1 MB'} document held by the server, a new client joins and syncs (repeated joins)`,
      docBytes: quick ? 256 * 1024 : 1024 * 1024,
      chunk: 32 * 1024,
      joins: quick ? 2 : 20,
      idleSampleMs: quick ? 500 : 3000,
      unloadWaitMs: quick ? 3500 : 6000,
      limit: 20,
    },
    abuse: abuseConfig(quick, durationOverride),
    cluster: clusterConfig(quick, durationOverride),
  };
}

export interface SteadyResult {
  kind: 'steady';
  scenario: string;
  server: string;
  rooms: number;
  clients: number;
  connectFailed: number;
  connectErrors: string[];
  connectSec: number;
  durationSec: number;
  latency: LatencySummary;
  sentEdits: number;
  deliveredUpdates: number;
  deliveredPerSec: number;
  undelivered: number;
  failedMessages: number;
  closeCodes: Record<string, number>;
  lagDrops: number;
  roomsConverged: number;
  roomsTotal: number;
  divergent: string[];
  serverCpuSec: number;
  serverCpuPer1k: number | null;
  clientCpuSec: number;
  /** Generator event-loop delay p99 (worst worker), ms. */
  clientLoopP99Ms: number;
  baselineRssMb: number;
  endRssMb: number;
  peakRssMb: number;
  /** Marginal: with >= 100 rooms the slope of settled RSS over rooms joined (in quarters), else (end - baseline) / rooms. */
  rssPerRoomKb: number;
  /** Machine CPU (% of one core) used by anything other than this server and the generator during the window: noise. */
  otherCpuPct: number;
  workerErrors: string[];
  serverExited: string | null;
  /** The measured window in seconds since the server was spawned (to cut a CPU profile to it). */
  window: [number, number];
}

export interface SaturationStep {
  offered: number;
  sentPerSec: number;
  deliveredPerSec: number;
  deliveryRatio: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
  serverCpuPct: number;
  clientCpuPct: number;
  otherCpuPct: number;
  clientLoopP99Ms: number;
  lagDrops: number;
  ok: boolean;
  reason: string;
}

export interface SaturationResult {
  kind: 'saturation';
  scenario: 'saturation';
  server: string;
  steps: SaturationStep[];
  sustained: number;
  /**
   * Edits/s the server could take at 100 % of one core, extrapolated from its CPU at the highest
   * passing step. Robust to latency noise from other work on the machine; an extrapolation, not a measurement.
   */
  capacityEstimate: number | null;
  /** True when the last step failed because the generator, not the server, fell behind. */
  generatorBound: boolean;
  stopReason: string;
  undelivered: number;
  roomsConverged: number;
  roomsTotal: number;
  peakRssMb: number;
  workerErrors: string[];
  serverExited: string | null;
}

export interface ColdResult {
  kind: 'cold';
  scenario: 'cold';
  server: string;
  docBytes: number;
  seedSec: number;
  joinsOk: number;
  joinsFailed: number;
  joinErrors: string[];
  joinMs: number[];
  joinMedianMs: number | null;
  joinMaxMs: number | null;
  /** Did every joiner end up with the full document? */
  fullDocument: boolean;
  serverCpuPerJoinSec: number | null;
  /** pairpad only: after every client left and the room unloaded, one join that loads it from storage. */
  storageJoinMs: number | null;
  storageJoinCpuSec: number | null;
  storageJoinFullDocument: boolean | null;
  peakRssMb: number;
  workerErrors: string[];
  serverExited: string | null;
}

export type ScenarioResult = SteadyResult | SaturationResult | ColdResult | AbuseResult | ClusterResult;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function cpuOf(server: RunningServer): number {
  return readProc(server.pid)?.cpuSec ?? NaN;
}

function rssMb(server: RunningServer): number {
  return (readProc(server.pid)?.rssKb ?? 0) / 1024;
}

/** Median of five VmRSS samples over ~1.5 s, after a 1 s pause. */
async function settledRssKb(server: RunningServer): Promise<number> {
  await sleep(1000);
  const xs: number[] = [];
  for (let i = 0; i < 5; i++) {
    xs.push(readProc(server.pid)?.rssKb ?? 0);
    await sleep(100);
  }
  xs.sort((a, b) => a - b);
  return xs[2] ?? 0;
}

/** Least-squares slope of y over x. */
function slope(points: [number, number][]): number {
  const n = points.length;
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? NaN : num / den;
}

function exitedText(server: RunningServer): string | null {
  return server.exited ? `exited code=${server.exited.code} signal=${server.exited.signal}; log ${server.logPath}` : null;
}

async function makeRooms(server: RunningServer, n: number, clientsPerRoom: number, typing: number, limit: number): Promise<RoomSpec[]> {
  const rooms: RoomSpec[] = [];
  // Sequential keeps POST /rooms from competing with itself; 1000 rooms take a second or two.
  for (let r = 0; r < n; r++) {
    const roomId = await server.createRoom(limit);
    rooms.push({
      roomId,
      clients: Array.from({ length: clientsPerRoom }, (_, c) => ({ name: `bench-${r}-${c}`, typing: c < typing })),
    });
  }
  return rooms;
}

export async function runScenario(cfg: ScenarioConfig, spec: ServerSpec, ctx: RunContext): Promise<ScenarioResult> {
  const profile = ctx.cpuProfileServer === spec.name;
  const t0 = performance.now();
  const opts = ctx.startOpts(`${cfg.name}-${spec.name}`, profile);
  const server = await startServer(spec, cfg.kind === 'abuse' ? { ...opts, env: { ...opts.env, ...abuseServerEnv(cfg) } } : opts);
  ctx.log(`  started in ${((performance.now() - t0) / 1000).toFixed(1)} s (pid ${server.pid})`);
  try {
    return await runOn(cfg, server, ctx);
  } finally {
    const t1 = performance.now();
    await server.stop();
    ctx.log(`  stopped in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  }
}

/** Runs one scenario on a server that is already up (--quick shares one server across scenarios). */
export async function runOn(cfg: ScenarioConfig, server: RunningServer, ctx: RunContext): Promise<ScenarioResult> {
  if (cfg.kind === 'steady') return await runSteady(cfg, server, ctx);
  if (cfg.kind === 'saturation') return await runSaturation(cfg, server, ctx);
  if (cfg.kind === 'abuse') return await runAbuse(cfg, server, ctx);
  if (cfg.kind === 'cluster') throw new Error('the cluster scenario starts its own servers (runCluster)');
  return await runCold(cfg, server, ctx);
}

function basePlan(server: RunningServer, awarenessPerEdit: boolean, clients: number) {
  return {
    dialect: server.spec.dialect,
    wsBase: server.wsBase,
    awarenessPerEdit,
    syncedOnOpen: server.spec.syncedOnOpen,
    concurrency: Math.min(32, clients),
    timeoutMs: 15_000,
  };
}

async function runSteady(cfg: SteadyConfig, server: RunningServer, ctx: RunContext): Promise<SteadyResult> {
  await sleep(300);
  const baselineRssMb = rssMb(server);
  const rooms = await makeRooms(server, cfg.rooms, cfg.clientsPerRoom, cfg.typingPerRoom, cfg.limit);
  const clients = cfg.rooms * cfg.clientsPerRoom;
  const workers = clients >= 200 ? ctx.workers : 1;
  const pool = new LoadPool(workers);
  try {
    // With >= 100 rooms they join in quarters; the least-squares slope of settled RSS against
    // rooms joined is the marginal memory per room, free of start-up garbage and of the
    // swings of a single sample (PGlite's WASM heap and V8 both move by megabytes).
    const parts = cfg.rooms >= 100 ? 4 : 1;
    const plan = basePlan(server, cfg.awarenessPerEdit, clients);
    const points: [number, number][] = [];
    let conn = { ok: 0, failed: 0, errors: [] as string[], ms: 0 };
    for (let q = 0; q < parts; q++) {
      const slice = rooms.slice(Math.floor((q * rooms.length) / parts), Math.floor(((q + 1) * rooms.length) / parts));
      const part = await pool.connect(plan, slice);
      conn = { ok: conn.ok + part.ok, failed: conn.failed + part.failed, errors: [...conn.errors, ...part.errors].slice(0, 5), ms: conn.ms + part.ms };
      if (parts > 1) points.push([Math.floor(((q + 1) * rooms.length) / parts), await settledRssKb(server)]);
    }
    ctx.log(`  connected ${conn.ok}/${clients} in ${(conn.ms / 1000).toFixed(1)} s${conn.failed ? ` (${conn.failed} failed: ${conn.errors[0] ?? ''})` : ''}`);
    pool.setRate(cfg.rate);
    await sleep(cfg.warmupSec * 1000);
    await pool.collect(true);
    const cpu0 = cpuOf(server);
    const sys0 = readSystemBusySec();
    const w0 = (performance.now() - server.spawnedAt) / 1000;
    await sleep(cfg.durationSec * 1000);
    const c: Collected = await pool.collect(false);
    const cpu1 = cpuOf(server);
    const sys1 = readSystemBusySec();
    const w1 = (performance.now() - server.spawnedAt) / 1000;
    const endRssMb = rssMb(server);
    const drained = await pool.drain(5000);
    const serverCpuSec = cpu1 - cpu0;
    return {
      kind: 'steady',
      scenario: cfg.name,
      server: server.spec.name,
      rooms: cfg.rooms,
      clients,
      connectFailed: conn.failed,
      connectErrors: conn.errors,
      connectSec: conn.ms / 1000,
      durationSec: c.elapsedSec,
      latency: summarize(c.hist),
      sentEdits: c.sent,
      deliveredUpdates: c.delivered,
      deliveredPerSec: c.delivered / c.elapsedSec,
      undelivered: drained.undelivered,
      failedMessages: c.failedSends + c.unexpectedCloses + conn.failed,
      closeCodes: c.closeCodes,
      lagDrops: c.lagDrops,
      roomsConverged: drained.roomsConverged,
      roomsTotal: drained.roomsTotal,
      divergent: drained.divergent,
      serverCpuSec,
      serverCpuPer1k: c.delivered > 0 ? serverCpuSec / (c.delivered / 1000) : null,
      clientCpuSec: c.clientCpuSec,
      clientLoopP99Ms: c.loopDelayP99Ms,
      baselineRssMb,
      endRssMb,
      peakRssMb: Math.max(server.peakRssKb / 1024, (readProc(server.pid)?.hwmKb ?? 0) / 1024),
      // Below 100 rooms one room's share drowns in heap swings; the column shows '-'.
      rssPerRoomKb: points.length > 1 ? slope(points) : cfg.rooms >= 20 ? ((endRssMb - baselineRssMb) * 1024) / cfg.rooms : NaN,
      otherCpuPct: ((sys1 - sys0 - serverCpuSec - c.clientCpuSec) / c.elapsedSec) * 100,
      workerErrors: pool.errors.slice(0, 5),
      serverExited: exitedText(server),
      window: [w0, w1],
    };
  } finally {
    await pool.close();
  }
}

async function runSaturation(cfg: SaturationConfig, server: RunningServer, ctx: RunContext): Promise<SaturationResult> {
  const rooms = await makeRooms(server, cfg.rooms, cfg.clientsPerRoom, cfg.clientsPerRoom, cfg.limit);
  const clients = cfg.rooms * cfg.clientsPerRoom;
  const pool = new LoadPool(ctx.workers);
  const steps: SaturationStep[] = [];
  let sustained = 0;
  let generatorBound = false;
  let stopReason = 'all steps passed';
  try {
    const conn = await pool.connect(basePlan(server, false, clients), rooms);
    if (conn.failed > 0) throw new Error(`saturation: ${conn.failed} clients failed to connect: ${conn.errors.join('; ')}`);
    for (let i = 0, retried = false; i < cfg.steps.length; i++) {
      const offered = cfg.steps[i] ?? 0;
      pool.setRate(offered / clients);
      await sleep(cfg.settleSec * 1000);
      await pool.collect(true);
      const cpu0 = cpuOf(server);
      const sys0 = readSystemBusySec();
      await sleep(cfg.stepSec * 1000);
      const c = await pool.collect(true);
      const cpu1 = cpuOf(server);
      const sys1 = readSystemBusySec();
      const lat = summarize(c.hist);
      const expected = c.sent * (cfg.clientsPerRoom - 1);
      const ratio = expected > 0 ? c.delivered / expected : 0;
      const sentPerSec = c.sent / c.elapsedSec;
      const genBehind = c.lagDrops > c.sent * 0.01 || sentPerSec < offered * 0.95;
      let reason = '';
      if (lat.p99 === null || lat.p99 > cfg.p99LimitMs) reason = `p99 ${lat.p99?.toFixed(1) ?? '-'} ms > ${cfg.p99LimitMs} ms`;
      else if (ratio < cfg.minDeliveryRatio) reason = `delivered ${(ratio * 100).toFixed(1)} % of sent`;
      else if (genBehind) reason = `generator behind (sent ${sentPerSec.toFixed(0)}/s of ${offered}/s)`;
      if (server.exited) reason = 'server exited';
      const ok = reason === '';
      steps.push({
        offered,
        sentPerSec,
        deliveredPerSec: c.delivered / c.elapsedSec,
        deliveryRatio: ratio,
        p50: lat.p50,
        p99: lat.p99,
        max: lat.max,
        serverCpuPct: ((cpu1 - cpu0) / c.elapsedSec) * 100,
        clientCpuPct: (c.clientCpuSec / c.elapsedSec) * 100,
        otherCpuPct: ((sys1 - sys0 - (cpu1 - cpu0) - c.clientCpuSec) / c.elapsedSec) * 100,
        clientLoopP99Ms: c.loopDelayP99Ms,
        lagDrops: c.lagDrops,
        ok,
        reason,
      });
      ctx.log(`  ${offered}/s: p99 ${lat.p99?.toFixed(2) ?? '-'} ms, delivered ${(ratio * 100).toFixed(1)} %, server CPU ${(((cpu1 - cpu0) / c.elapsedSec) * 100).toFixed(0)} %, client CPU ${((c.clientCpuSec / c.elapsedSec) * 100).toFixed(0)} %, other ${(((sys1 - sys0 - (cpu1 - cpu0) - c.clientCpuSec) / c.elapsedSec) * 100).toFixed(0)} %, generator loop p99 ${c.loopDelayP99Ms.toFixed(1)} ms${ok ? '' : ` -> stop: ${reason}`}`);
      if (!ok && !retried && !server.exited && !cfg.noRetry) {
        // One retry: on a shared 2-core machine a single scheduling hiccup can sink a 3 s step.
        retried = true;
        steps.pop();
        ctx.log(`  ${offered}/s: retrying once (${reason})`);
        i--;
        continue;
      }
      retried = false;
      if (!ok) {
        stopReason = reason;
        // A generator that cannot keep up while the server still meets the latency bound is a lower bound, not a ceiling.
        generatorBound = genBehind && lat.p99 !== null && lat.p99 <= cfg.p99LimitMs && ratio >= cfg.minDeliveryRatio;
        break;
      }
      sustained = offered;
    }
    const drained = await pool.drain(10_000);
    const best = steps.filter((st) => st.ok).at(-1);
    const capacityEstimate = best && best.serverCpuPct > 0 ? best.sentPerSec / (best.serverCpuPct / 100) : null;
    return {
      kind: 'saturation',
      capacityEstimate,
      scenario: 'saturation',
      server: server.spec.name,
      steps,
      sustained,
      generatorBound,
      stopReason,
      undelivered: drained.undelivered,
      roomsConverged: drained.roomsConverged,
      roomsTotal: drained.roomsTotal,
      peakRssMb: server.peakRssKb / 1024,
      workerErrors: pool.errors.slice(0, 5),
      serverExited: exitedText(server),
    };
  } finally {
    await pool.close();
  }
}

async function runCold(cfg: ColdConfig, server: RunningServer, ctx: RunContext): Promise<ColdResult> {
  const rooms = await makeRooms(server, 1, 1, 0, cfg.limit);
  const room = rooms[0];
  if (!room) throw new Error('no room');
  const pool = new LoadPool(1);
  try {
    const conn = await pool.connect(basePlan(server, false, 1), rooms);
    if (conn.failed > 0) throw new Error(`cold: seeder failed to connect: ${conn.errors.join('; ')}`);
    const seeded = await pool.seed(cfg.docBytes, cfg.chunk);
    await sleep(500);
    // The server's background CPU (timers, pings, a database thread) over the same wall time as
    // the joins is subtracted, so the figure is the join's own cost.
    const idle0 = cpuOf(server);
    const i0 = performance.now();
    await sleep(cfg.idleSampleMs);
    const idleCpuPerMs = (cpuOf(server) - idle0) / (performance.now() - i0);
    const joinMs: number[] = [];
    const joinErrors: string[] = [];
    let full = true;
    let cpuTotal = 0;
    const j0 = performance.now();
    for (let i = 0; i < cfg.joins; i++) {
      const cpu0 = cpuOf(server);
      const j = await pool.join(room.roomId, `joiner-${i}`, 30_000);
      // Include the server's work for the joiner's close, then let it settle.
      await sleep(300);
      cpuTotal += cpuOf(server) - cpu0;
      if (j.ok) joinMs.push(j.ms);
      else if (joinErrors.length < 5) joinErrors.push(j.error ?? 'failed');
      if (j.length !== seeded.length) full = false;
    }
    cpuTotal = Math.max(0, cpuTotal - idleCpuPerMs * (performance.now() - j0));
    let storageJoinMs: number | null = null;
    let storageJoinCpuSec: number | null = null;
    let storageJoinFullDocument: boolean | null = null;
    if (server.spec.createsRooms) {
      // Everyone leaves; pairpad unloads the room (ROOM_UNLOAD_DELAY_MS, default 2 s) after its
      // store finishes, so the next join reads snapshot + log from the database.
      await pool.close();
      await sleep(cfg.unloadWaitMs);
      const fresh = new LoadPool(1);
      try {
        await fresh.connect(basePlan(server, false, 1), []);
        const cpu0 = cpuOf(server);
        const t1 = performance.now();
        const j = await fresh.join(room.roomId, 'joiner-cold', 30_000);
        await sleep(300);
        storageJoinCpuSec = Math.max(0, cpuOf(server) - cpu0 - idleCpuPerMs * (performance.now() - t1));
        storageJoinMs = j.ok ? j.ms : null;
        storageJoinFullDocument = j.length === seeded.length;
        if (!j.ok && joinErrors.length < 5) joinErrors.push(`storage join: ${j.error ?? 'failed'}`);
        ctx.log(`  join after unload: ${j.ms.toFixed(0)} ms, ${j.length} chars`);
      } finally {
        await fresh.close();
      }
    }
    const sorted = [...joinMs].sort((a, b) => a - b);
    ctx.log(`  joins: ${sorted.map((m) => m.toFixed(0)).join(', ')} ms`);
    return {
      kind: 'cold',
      scenario: 'cold',
      server: server.spec.name,
      docBytes: seeded.length,
      seedSec: seeded.ms / 1000,
      joinsOk: joinMs.length,
      joinsFailed: cfg.joins - joinMs.length,
      joinErrors,
      joinMs,
      joinMedianMs: sorted.length ? (sorted[Math.floor((sorted.length - 1) / 2)] ?? null) : null,
      joinMaxMs: sorted.length ? (sorted[sorted.length - 1] ?? null) : null,
      fullDocument: full && joinMs.length === cfg.joins,
      serverCpuPerJoinSec: cfg.joins > 0 ? cpuTotal / cfg.joins : null,
      storageJoinMs,
      storageJoinCpuSec,
      storageJoinFullDocument,
      peakRssMb: server.peakRssKb / 1024,
      workerErrors: pool.errors.slice(0, 5),
      serverExited: exitedText(server),
    };
  } finally {
    await pool.close();
  }
}
