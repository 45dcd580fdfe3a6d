/** Parent side of the load generator: forks worker processes and speaks ipc.ts to them. */
import type {
  CollectResult,
  ConnectPlan,
  ConnectResult,
  DrainResult,
  JoinResult,
  ParentMsg,
  RoomSpec,
  SeedResult,
  WorkerMsg,
  TrafficCounts,
  WatchedResult,
  WatchedRoom,
} from './ipc';
import { ForkedWorker } from './forked-worker';
import { mergeHistograms } from './stats';

const WORKER = new URL('./worker.ts', import.meta.url).pathname;

/** BENCH_WORKER_CPU_PROF=<dir> profiles the generator itself (to keep its overhead low). */
function newWorker(): ForkedWorker<ParentMsg, WorkerMsg> {
  const prof = process.env.BENCH_WORKER_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_WORKER_CPU_PROF}`] : [];
  return new ForkedWorker<ParentMsg, WorkerMsg>(WORKER, { label: 'worker', execArgv: prof, maxErrors: 20, closeMessage: { cmd: 'close' } });
}

export interface Collected extends TrafficCounts {
  clientCpuSec: number;
  elapsedSec: number;
  /** Worst worker's event-loop delay p99 / max (ms) in the window. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

export interface Drained {
  expected: number;
  delivered: number;
  undelivered: number;
  roomsTotal: number;
  roomsConverged: number;
  divergent: string[];
}

export class LoadPool {
  private readonly workers: ForkedWorker<ParentMsg, WorkerMsg>[];

  constructor(n: number) {
    this.workers = Array.from({ length: Math.max(1, n) }, () => newWorker());
  }

  get errors(): string[] {
    return this.workers.flatMap((w) => w.errors);
  }

  /** Rooms are dealt round-robin; all clients of a room stay in one worker. */
  async connect(base: Omit<ConnectPlan, 'rooms'>, rooms: RoomSpec[]): Promise<{ ok: number; failed: number; errors: string[]; ms: number }> {
    const parts: RoomSpec[][] = this.workers.map(() => []);
    rooms.forEach((r, i) => parts[i % parts.length]?.push(r));
    const res = await Promise.all(
      this.workers.map((w, i) => w.request<ConnectResult>({ cmd: 'connect', plan: { ...base, rooms: parts[i] ?? [] } }, 'connected')),
    );
    return {
      ok: res.reduce((a, r) => a + r.ok, 0),
      failed: res.reduce((a, r) => a + r.failed, 0),
      errors: res.flatMap((r) => r.errors).slice(0, 5),
      ms: Math.max(...res.map((r) => r.ms)),
    };
  }

  setRate(perClient: number): void {
    for (const w of this.workers) w.post({ cmd: 'rate', perClient });
  }

  async collect(reset: boolean): Promise<Collected> {
    const res = await Promise.all(this.workers.map((w) => w.request<CollectResult>({ cmd: 'collect', reset }, 'collected')));
    const closeCodes: Record<string, number> = {};
    for (const r of res) for (const [k, v] of Object.entries(r.closeCodes)) closeCodes[k] = (closeCodes[k] ?? 0) + v;
    const sum = (f: (r: CollectResult) => number): number => res.reduce((a, r) => a + f(r), 0);
    return {
      hist: mergeHistograms(res.map((r) => r.hist)),
      sent: sum((r) => r.sent),
      delivered: sum((r) => r.delivered),
      awarenessSent: sum((r) => r.awarenessSent),
      awarenessRecv: sum((r) => r.awarenessRecv),
      failedSends: sum((r) => r.failedSends),
      unexpectedCloses: sum((r) => r.unexpectedCloses),
      closeCodes,
      lagDrops: sum((r) => r.lagDrops),
      clientCpuSec: sum((r) => r.cpuUserMs + r.cpuSysMs) / 1000,
      elapsedSec: Math.max(...res.map((r) => r.elapsedMs)) / 1000,
      loopDelayP99Ms: Math.max(...res.map((r) => r.loopDelayP99Ms)),
      loopDelayMaxMs: Math.max(...res.map((r) => r.loopDelayMaxMs)),
    };
  }

  async drain(timeoutMs: number): Promise<Drained> {
    const res = await Promise.all(this.workers.map((w) => w.request<DrainResult>({ cmd: 'drain', timeoutMs }, 'drained', timeoutMs + 30_000)));
    const sum = (f: (r: DrainResult) => number): number => res.reduce((a, r) => a + f(r), 0);
    return {
      expected: sum((r) => r.expected),
      delivered: sum((r) => r.delivered),
      undelivered: sum((r) => r.undelivered),
      roomsTotal: sum((r) => r.roomsTotal),
      roomsConverged: sum((r) => r.roomsConverged),
      divergent: res.flatMap((r) => r.divergent).slice(0, 5),
    };
  }

  /** Seeds room 0 of worker 0 (the cold-load scenario uses one worker). */
  seed(bytes: number, chunk: number): Promise<SeedResult> {
    const w = this.workers[0];
    if (!w) throw new Error('no worker');
    return w.request<SeedResult>({ cmd: 'seed', room: 0, bytes, chunk }, 'seeded');
  }

  join(roomId: string, name: string, timeoutMs: number): Promise<JoinResult> {
    const w = this.workers[0];
    if (!w) throw new Error('no worker');
    return w.request<JoinResult>({ cmd: 'join', roomId, name, timeoutMs }, 'joined', timeoutMs + 10_000);
  }

  /** From now on every client notes when it first receives another client's edit stamped at or after `sinceUs` (nowUs clock). */
  async watch(sinceUs: number): Promise<void> {
    await Promise.all(this.workers.map((w) => w.request<{ ev: 'watching' }>({ cmd: 'watch', sinceUs }, 'watching')));
  }

  async watched(): Promise<WatchedRoom[]> {
    const res = await Promise.all(this.workers.map((w) => w.request<WatchedResult>({ cmd: 'watched' }, 'watched')));
    return res.flatMap((r) => r.rooms);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
