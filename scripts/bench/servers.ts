/**
 * The servers under test: each started fresh as its own process on its own port,
 * watched through /proc (CPU ticks, VmRSS, VmHWM).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dialect } from './protocol';

export type ServerName = 'pairpad' | 'pairpad-pg' | 'reference' | 'hocuspocus' | 'relay';
export const ALL_SERVERS: ServerName[] = ['pairpad', 'pairpad-pg', 'reference', 'hocuspocus', 'relay'];

export interface ServerSpec {
  name: ServerName;
  dialect: Dialect;
  /** Path prefix for the socket URL. */
  wsPath: string;
  /** Rooms must be created with POST /rooms first. */
  createsRooms: boolean;
  syncedOnOpen: boolean;
  healthPath: string;
  describe: string;
}

export const SPECS: Record<ServerName, ServerSpec> = {
  pairpad: {
    name: 'pairpad',
    dialect: 'yws',
    wsPath: '/yjs',
    createsRooms: true,
    syncedOnOpen: false,
    healthPath: '/healthz',
    describe: 'server/src/main.ts, persistence on (embedded PGlite in a fresh DATA_DIR)',
  },
  'pairpad-pg': {
    name: 'pairpad-pg',
    dialect: 'yws',
    wsPath: '/yjs',
    createsRooms: true,
    syncedOnOpen: false,
    healthPath: '/healthz',
    describe: 'server/src/main.ts, persistence on (PostgreSQL from DATABASE_URL)',
  },
  reference: {
    name: 'reference',
    dialect: 'yws',
    wsPath: '/yjs',
    createsRooms: false,
    syncedOnOpen: false,
    healthPath: '/',
    describe: '@y/websocket-server 0.1.1 src/server.js (yjs 13 line), in memory',
  },
  hocuspocus: {
    name: 'hocuspocus',
    dialect: 'hocuspocus',
    wsPath: '',
    createsRooms: false,
    syncedOnOpen: false,
    healthPath: '/',
    describe: '@hocuspocus/server 4.7, no extensions, in memory',
  },
  relay: {
    name: 'relay',
    dialect: 'yws',
    wsPath: '/yjs',
    createsRooms: false,
    syncedOnOpen: true,
    healthPath: '/',
    describe: 'byte relay per room, no decoding (cost floor)',
  },
};

const ROOT = new URL('../../', import.meta.url).pathname;

/** Every server child still running, so an aborted run does not leave servers behind. */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});
const CLK_TCK = 100;

export interface ProcSample {
  cpuSec: number;
  rssKb: number;
  hwmKb: number;
}

export function readProc(pid: number): ProcSample | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised comm; utime and stime are fields 14 and 15.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+)/.exec(status)?.[1];
    const hwm = /VmHWM:\s+(\d+)/.exec(status)?.[1];
    return { cpuSec: (utime + stime) / CLK_TCK, rssKb: Number(rss ?? 0), hwmKb: Number(hwm ?? 0) };
  } catch {
    return null;
  }
}

/** Busy CPU seconds of the whole machine (all cores) from /proc/stat: user+nice+system+irq+softirq+steal. */
export function readSystemBusySec(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const busy = (f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0);
    return busy / CLK_TCK;
  } catch {
    return NaN;
  }
}

export interface RunningServer {
  spec: ServerSpec;
  port: number;
  pid: number;
  httpBase: string;
  wsBase: string;
  logPath: string;
  child: ChildProcess;
  exited: { code: number | null; signal: string | null } | null;
  /** Polls VmRSS so a short spike between explicit samples is not missed. */
  peakRssKb: number;
  /** performance.now() when the process was spawned (a --cpu-prof profile starts about then). */
  spawnedAt: number;
  stop(): Promise<void>;
  createRoom(limit: number): Promise<string>;
}

export interface StartOptions {
  port: number;
  logDir: string;
  databaseUrl?: string;
  cpuProfileDir?: string;
  label: string;
  /** Extra environment for this server process (a scenario's settings), applied last. */
  env?: Record<string, string>;
}

function commandFor(spec: ServerSpec, opts: StartOptions, dataDir: string): { args: string[]; env: NodeJS.ProcessEnv } {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(opts.port), HOST: '127.0.0.1' };
  delete env.DATABASE_URL;
  delete env.NODE_OPTIONS;
  const tsx = ['--import', 'tsx'];
  const prof = opts.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfileDir}`] : [];
  switch (spec.name) {
    case 'pairpad':
    case 'pairpad-pg':
      env.DATA_DIR = dataDir;
      env.LOG_LEVEL = 'warn';
      if (spec.name === 'pairpad-pg') env.DATABASE_URL = opts.databaseUrl;
      // Same as `npx tsx server/src/main.ts`, minus the npx and tsx wrapper processes, so the pid we watch is the server.
      return { args: [...prof, ...tsx, join(ROOT, 'server/src/main.ts')], env };
    case 'reference':
      return { args: [...prof, join(ROOT, 'node_modules/@y/websocket-server/src/server.js')], env };
    case 'hocuspocus':
      return { args: [...prof, ...tsx, join(ROOT, 'scripts/bench/peers/hocuspocus.ts')], env };
    case 'relay':
      return { args: [...prof, ...tsx, join(ROOT, 'scripts/bench/peers/relay.ts')], env };
  }
}

export function pairpadAvailable(): boolean {
  return existsSync(join(ROOT, 'server/src/main.ts'));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function startServer(spec: ServerSpec, opts: StartOptions): Promise<RunningServer> {
  const dataDir = mkdtempSync(join(tmpdir(), `pairpad-bench-${spec.name}-`));
  const { args, env } = commandFor(spec, opts, dataDir);
  Object.assign(env, opts.env);
  mkdirSync(opts.logDir, { recursive: true });
  const logPath = join(opts.logDir, `${opts.label}.log`);
  const log = createWriteStream(logPath);
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const httpBase = `http://127.0.0.1:${opts.port}`;
  const server: RunningServer = {
    spec,
    port: opts.port,
    pid: child.pid ?? -1,
    httpBase,
    wsBase: `ws://127.0.0.1:${opts.port}${spec.wsPath}`,
    logPath,
    child,
    exited: null,
    peakRssKb: 0,
    spawnedAt: performance.now(),
    async stop() {
      clearInterval(poll);
      if (server.exited === null) {
        const done = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 8000);
        await done;
        clearTimeout(t);
      }
      log.end();
      if (process.env.BENCH_KEEP_DATA) console.log(`[bench] data of ${spec.name} kept in ${dataDir}`);
      else rmSync(dataDir, { recursive: true, force: true });
    },
    async createRoom(limit: number) {
      if (!spec.createsRooms) return `bench${Math.random().toString(36).slice(2, 12)}`;
      for (let attempt = 0; ; attempt++) {
        const res = await fetch(`${httpBase}/rooms`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ limit }),
        });
        if (res.status === 429 && attempt < 20) {
          await sleep(250);
          continue;
        }
        if (res.status !== 201 && res.status !== 200) {
          throw new Error(`POST /rooms -> ${res.status} ${await res.text()}`);
        }
        const body = (await res.json()) as { roomId?: unknown };
        if (typeof body.roomId !== 'string') throw new Error('POST /rooms: no roomId');
        return body.roomId;
      }
    },
  };
  child.once('exit', (code, signal) => {
    live.delete(child);
    server.exited = { code, signal };
  });
  const poll = setInterval(() => {
    const s = readProc(server.pid);
    if (s && s.rssKb > server.peakRssKb) server.peakRssKb = s.rssKb;
  }, 200);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (server.exited) {
      clearInterval(poll);
      throw new Error(`${spec.name} exited during start (${JSON.stringify(server.exited)}); log: ${logPath}`);
    }
    try {
      const res = await fetch(`${httpBase}${spec.healthPath}`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`${spec.name} did not become healthy in 60 s; log: ${logPath}`);
    }
    await sleep(100);
  }
  return server;
}

/** What every scenario runner gets from the harness: how to start servers, how many load workers, where to log. */
export interface RunContext {
  workers: number;
  startOpts: (label: string, cpuProfile: boolean) => StartOptions;
  log: (s: string) => void;
  cpuProfileServer: string | null;
}
