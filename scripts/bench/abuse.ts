/**
 * The abuse scenario: while a stranger holding only one room's view link attacks it, how much
 * worse is another room's fan-out? Setup seeds a large, fragmented target room and a second
 * large room that is then left to unload; the victim room (one typist, one watcher) is measured
 * quiet and then while forked attacker processes (abuse-worker.ts) run against the target room's
 * view id. pairpad only: the peers have no view links or REST reads to attack.
 */
import { ForkedWorker } from './forked-worker';
import type { AbuseParentMsg, AbuseWorkerMsg, AttackCmd, AttackKind, AttackStats, SeedCmd, SeedResult } from './abuse-ipc';
import { LoadPool, type Collected } from './load';
import { readProc, readSystemBusySec, type RunContext, type RunningServer } from './servers';
import { summarize, type LatencySummary } from './stats';

export interface AbuseConfig {
  kind: 'abuse';
  name: 'abuse';
  title: string;
  /** Encoded size of the attacked (target) room's document, and of the room left to unload. */
  targetBytes: number;
  unloadedBytes: number;
  /** Victim room: one client typing this many edits/s, one watching. */
  victimRate: number;
  warmupSec: number;
  quietSec: number;
  /** Time the attack runs before its measured window starts (sockets open, room busy). */
  attackRampSec: number;
  attackSec: number;
  /** Set explicitly in the server's environment, so the unloaded room's fate does not depend on defaults. */
  unloadDelayMs: number;
  maxMessagesPerSecond: number;
  syncSockets: number;
  syncRate: number;
  deepLevels: number;
  deepRate: number;
  nullEntries: number;
  nullRate: number;
  httpLoops: number;
  reconnectMs: number;
  /** Target: victim p99 under attack <= this many times its quiet p99. */
  maxP99Ratio: number;
}

export function abuseConfig(quick: boolean, durationOverride?: number): AbuseConfig {
  const d = (full: number, q: number): number => durationOverride ?? (quick ? q : full);
  return {
    kind: 'abuse',
    name: 'abuse',
    title: `abuse: victim room (1 typist at 20 edits/s, 1 watcher) quiet, then while another room (${quick ? '0.5 MB' : '2.5 MB'}, fragmented) is attacked through its view link`,
    targetBytes: quick ? 512 * 1024 : 2.5 * 1024 * 1024,
    unloadedBytes: quick ? 512 * 1024 : 3 * 1024 * 1024,
    victimRate: 20,
    warmupSec: quick ? 0.5 : 1,
    quietSec: d(15, 3),
    attackRampSec: quick ? 1 : 2,
    attackSec: d(15, 3),
    unloadDelayMs: 2000,
    maxMessagesPerSecond: 200,
    syncSockets: 3,
    syncRate: 150,
    deepLevels: 20_000,
    deepRate: 20,
    nullEntries: 2000,
    nullRate: 5,
    httpLoops: 4,
    reconnectMs: 200,
    maxP99Ratio: 2,
  };
}

/** What the server's environment must hold for this scenario (servers.ts StartOptions.env). */
export function abuseServerEnv(cfg: AbuseConfig): Record<string, string> {
  // The attacker is a stranger, not the operator's own machine: loopback, where everything in
  // the bench runs, is not exempt from the per-address limits here (RATE_LIMIT_ALLOW).
  return { ROOM_UNLOAD_DELAY_MS: String(cfg.unloadDelayMs), MAX_MESSAGES_PER_SECOND: String(cfg.maxMessagesPerSecond), RATE_LIMIT_ALLOW: '' };
}

export interface AbusePhase {
  latency: LatencySummary;
  sentEdits: number;
  delivered: number;
  serverCpuSec: number;
  /** % of one core over the window. */
  serverCpuPct: number;
  /** Attacker processes' CPU, % of one core (0 in the quiet phase). */
  attackerCpuPct: number;
  otherCpuPct: number;
  victimFailed: number;
  victimCloseCodes: Record<string, number>;
  endRssMb: number;
  /** Highest VmRSS seen by 200 ms polls during the window (the process peak includes start-up). */
  peakRssMb: number;
  elapsedSec: number;
}

export interface AbuseResult {
  kind: 'abuse';
  scenario: 'abuse';
  server: string;
  setupErrors: string[];
  target: Omit<SeedResult, 'ev'> | null;
  unloaded: Omit<SeedResult, 'ev'> | null;
  /** One GET /rooms/<viewId> of the unloaded room before the quiet phase (ms), and its text length. */
  unloadedProbeMs: number | null;
  unloadedProbeLength: number | null;
  quiet: AbusePhase;
  attacked: AbusePhase | null;
  /** attacked p99 / quiet p99. */
  p99Ratio: number | null;
  attacks: AttackStats[];
  attackErrors: string[];
  victimUndelivered: number;
  victimConverged: boolean;
  /** Server VmRSS before any room of this scenario existed. */
  baselineRssMb: number;
  peakRssMb: number;
  workerErrors: string[];
  serverExited: string | null;
}

const ABUSE_WORKER = new URL('./abuse-worker.ts', import.meta.url).pathname;

type AbuseProc = ForkedWorker<AbuseParentMsg, AbuseWorkerMsg>;

function newAbuseProc(): AbuseProc {
  return new ForkedWorker<AbuseParentMsg, AbuseWorkerMsg>(ABUSE_WORKER, { label: 'abuse worker', maxErrors: 10, closeMessage: { cmd: 'close' } });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function createRoom(server: RunningServer, limit: number): Promise<{ roomId: string; viewId: string }> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${server.httpBase}/rooms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ limit }),
      signal: AbortSignal.timeout(15_000),
    });
    if (res.status === 429 && attempt < 20) {
      await sleep(250);
      continue;
    }
    if (res.status !== 201 && res.status !== 200) throw new Error(`POST /rooms -> ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { roomId?: unknown; viewId?: unknown };
    if (typeof body.roomId !== 'string' || typeof body.viewId !== 'string') throw new Error('POST /rooms: no roomId/viewId');
    return { roomId: body.roomId, viewId: body.viewId };
  }
}

const cpuOf = (pid: number): number => readProc(pid)?.cpuSec ?? NaN;

function strip(r: SeedResult): Omit<SeedResult, 'ev'> {
  const { ev: _ev, ...rest } = r;
  return rest;
}

/** Runs setup, the quiet phase and the attacked phase on one pairpad server. */
export async function runAbuse(cfg: AbuseConfig, server: RunningServer, ctx: RunContext): Promise<AbuseResult> {
  if (!server.spec.createsRooms) throw new Error(`abuse: ${server.spec.name} has no view links to attack (pairpad only)`);
  const setupErrors: string[] = [];
  const seederTarget = newAbuseProc();
  // The large room's seeder becomes the HTTP attacker once the room is left to unload.
  const seederUnloaded = newAbuseProc();
  const attackers: Record<AttackKind, AbuseProc> = { sync: newAbuseProc(), awareness: newAbuseProc(), http: seederUnloaded };
  const procs = [seederTarget, seederUnloaded, attackers.sync, attackers.awareness];
  const victim = new LoadPool(1);
  const wsBase = server.wsBase;
  const httpBase = server.httpBase;
  try {
    // 1. Setup.
    const baselineRssMb = (readProc(server.pid)?.rssKb ?? 0) / 1024;
    const victimRoom = await createRoom(server, 2);
    const targetRoom = await createRoom(server, 20);
    const unloadedRoom = await createRoom(server, 20);
    const seedCmd = (room: { roomId: string; viewId: string }, bytes: number, seed: number, keepOpen: boolean): SeedCmd => ({
      cmd: 'seed',
      wsBase,
      httpBase,
      roomId: room.roomId,
      viewId: room.viewId,
      bytes,
      seed,
      keepOpen,
      timeoutMs: 120_000,
    });
    const t0 = performance.now();
    const seeded = await Promise.allSettled([
      seederTarget.request<SeedResult>(seedCmd(targetRoom, cfg.targetBytes, 1, true), 'seeded', 130_000),
      seederUnloaded.request<SeedResult>(seedCmd(unloadedRoom, cfg.unloadedBytes, 2, false), 'seeded', 130_000),
    ]);
    const leftAt = performance.now();
    const [target, unloaded] = seeded.map((s, i) => {
      const what = i === 0 ? 'target room' : 'unloaded room';
      if (s.status === 'rejected') {
        setupErrors.push(`${what}: ${(s.reason as Error).message}`);
        return null;
      }
      if (!s.value.ok) setupErrors.push(`${what}: ${s.value.error ?? 'not stored'}`);
      return strip(s.value);
    });
    ctx.log(
      `  seeded in ${((leftAt - t0) / 1000).toFixed(1)} s: target ${target ? `${target.stateBytes} B, ${target.structs} structs, ${target.deleteRanges} delete ranges` : '-'}; unloaded ${unloaded ? `${unloaded.stateBytes} B` : '-'}${setupErrors.length ? ` (${setupErrors.join('; ')})` : ''}`,
    );

    const victimConn = await victim.connect(
      { dialect: server.spec.dialect, wsBase, awarenessPerEdit: false, syncedOnOpen: server.spec.syncedOnOpen, concurrency: 1, timeoutMs: 15_000 },
      [{ roomId: victimRoom.roomId, clients: [{ name: 'victim-typist', typing: true }, { name: 'victim-watcher', typing: false }] }],
    );
    if (victimConn.failed > 0) throw new Error(`abuse: victim clients failed to connect: ${victimConn.errors.join('; ')}`);

    // The large room unloads ROOM_UNLOAD_DELAY_MS after its seeder left (plus its final store);
    // one REST read afterwards shows what every read of an unloaded room costs.
    const unloadWait = cfg.unloadDelayMs + 2500 - (performance.now() - leftAt);
    if (unloadWait > 0) await sleep(unloadWait);
    let unloadedProbeMs: number | null = null;
    let unloadedProbeLength: number | null = null;
    try {
      const p0 = performance.now();
      const res = await fetch(`${httpBase}/rooms/${unloadedRoom.viewId}`, { signal: AbortSignal.timeout(30_000) });
      const body = (await res.json()) as { code?: unknown };
      unloadedProbeMs = performance.now() - p0;
      unloadedProbeLength = typeof body.code === 'string' ? body.code.length : null;
    } catch (e) {
      setupErrors.push(`probe GET of the unloaded room: ${(e as Error).message}`);
    }

    // 2. Quiet.
    victim.setRate(cfg.victimRate);
    await sleep(cfg.warmupSec * 1000);
    const quiet = await measure(cfg.quietSec, server, victim, []);
    ctx.log(`  quiet: p50 ${quiet.latency.p50?.toFixed(2) ?? '-'} ms, p99 ${quiet.latency.p99?.toFixed(2) ?? '-'} ms, server CPU ${quiet.serverCpuPct.toFixed(0)} %`);

    // 3. Attack.
    const attackMs = (cfg.attackRampSec + cfg.attackSec + 30) * 1000;
    const attackCmd = (kind: AttackKind): AttackCmd => ({
      cmd: 'attack',
      kind,
      wsBase,
      httpBase,
      viewId: targetRoom.viewId,
      restViewId: unloadedRoom.viewId,
      parallel: kind === 'sync' ? cfg.syncSockets : kind === 'http' ? cfg.httpLoops : 2,
      syncRate: cfg.syncRate,
      deepRate: cfg.deepRate,
      deepLevels: cfg.deepLevels,
      nullRate: cfg.nullRate,
      nullEntries: cfg.nullEntries,
      reconnectMs: cfg.reconnectMs,
      maxMs: attackMs,
    });
    const attackErrors: string[] = [];
    const kinds: AttackKind[] = ['sync', 'awareness', 'http'];
    const started = await Promise.allSettled(kinds.map((k) => attackers[k].request({ ...attackCmd(k) }, 'attacking', 10_000)));
    started.forEach((s, i) => {
      if (s.status === 'rejected') attackErrors.push(`${kinds[i]}: did not start: ${(s.reason as Error).message}`);
    });
    await sleep(cfg.attackRampSec * 1000);
    let attacked: AbusePhase | null = null;
    try {
      attacked = await measure(cfg.attackSec, server, victim, kinds.map((k) => attackers[k].pid));
    } catch (e) {
      attackErrors.push(`measuring under attack: ${(e as Error).message}`);
    }
    const stopped = await Promise.allSettled(kinds.map((k) => attackers[k].request<AttackStats>({ cmd: 'stop' }, 'attack-stats', 15_000)));
    const attacks: AttackStats[] = [];
    stopped.forEach((s, i) => {
      if (s.status === 'fulfilled') attacks.push(s.value);
      else attackErrors.push(`${kinds[i]}: no stats: ${(s.reason as Error).message}`);
    });
    const closes = attacks.reduce((a, s) => a + s.closedByServer, 0);
    ctx.log(
      `  attacked: p50 ${attacked?.latency.p50?.toFixed(2) ?? '-'} ms, p99 ${attacked?.latency.p99?.toFixed(2) ?? '-'} ms, server CPU ${attacked?.serverCpuPct.toFixed(0) ?? '-'} %; attacker sockets closed by the server: ${closes} ${JSON.stringify(mergeCodes(attacks))}`,
    );

    const drained = await victim.drain(5000);
    const p99Ratio =
      attacked?.latency.p99 != null && quiet.latency.p99 != null && quiet.latency.p99 > 0 ? attacked.latency.p99 / quiet.latency.p99 : null;
    return {
      kind: 'abuse',
      scenario: 'abuse',
      server: server.spec.name,
      setupErrors,
      target: target ?? null,
      unloaded: unloaded ?? null,
      unloadedProbeMs,
      unloadedProbeLength,
      quiet,
      attacked,
      p99Ratio,
      attacks,
      attackErrors,
      victimUndelivered: drained.undelivered,
      victimConverged: drained.roomsConverged === drained.roomsTotal,
      baselineRssMb,
      peakRssMb: Math.max(server.peakRssKb / 1024, (readProc(server.pid)?.hwmKb ?? 0) / 1024),
      workerErrors: [...victim.errors, ...procs.flatMap((p) => p.errors)].slice(0, 8),
      serverExited: server.exited ? `exited code=${server.exited.code} signal=${server.exited.signal}; log ${server.logPath}` : null,
    };
  } finally {
    await Promise.all([victim.close(), ...procs.map((p) => p.close())]);
  }
}

export function mergeCodes(attacks: AttackStats[]): Record<string, number> {
  const codes: Record<string, number> = {};
  for (const a of attacks) for (const [k, v] of Object.entries(a.closeCodes)) codes[k] = (codes[k] ?? 0) + v;
  return codes;
}

/** One measured window of the victim room: latency from the victim worker, CPU from /proc. */
async function measure(sec: number, server: RunningServer, victim: LoadPool, attackerPids: number[]): Promise<AbusePhase> {
  await victim.collect(true);
  const cpu0 = cpuOf(server.pid);
  const att0 = attackerPids.reduce((a, pid) => a + cpuOf(pid), 0);
  const sys0 = readSystemBusySec();
  let peakKb = 0;
  const poll = setInterval(() => {
    peakKb = Math.max(peakKb, readProc(server.pid)?.rssKb ?? 0);
  }, 200);
  try {
    await sleep(sec * 1000);
  } finally {
    clearInterval(poll);
  }
  const c: Collected = await victim.collect(true);
  const cpu1 = cpuOf(server.pid);
  const att1 = attackerPids.reduce((a, pid) => a + cpuOf(pid), 0);
  const sys1 = readSystemBusySec();
  const serverCpuSec = cpu1 - cpu0;
  const attackerCpuSec = att1 - att0;
  return {
    latency: summarize(c.hist),
    sentEdits: c.sent,
    delivered: c.delivered,
    serverCpuSec,
    serverCpuPct: (serverCpuSec / c.elapsedSec) * 100,
    attackerCpuPct: (attackerCpuSec / c.elapsedSec) * 100,
    otherCpuPct: ((sys1 - sys0 - serverCpuSec - attackerCpuSec - c.clientCpuSec) / c.elapsedSec) * 100,
    victimFailed: c.failedSends + c.unexpectedCloses,
    victimCloseCodes: c.closeCodes,
    endRssMb: (readProc(server.pid)?.rssKb ?? 0) / 1024,
    peakRssMb: peakKb / 1024,
    elapsedSec: c.elapsedSec,
  };
}
