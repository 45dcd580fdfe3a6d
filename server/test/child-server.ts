import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatabaseConfig } from '@pairpad/db';

/** The repository root: child servers run from there, exactly as `npm start` would. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** How long a child server may take to answer /healthz (tsx + PGlite boot on a busy 2-core box). */
const BOOT_TIMEOUT_MS = 45_000;

/**
 * A free loopback port for a child server, picked once so a restarted server comes back where its
 * clients expect it. Drawn below Linux's ephemeral range (32768+): servers that listen on port 0
 * (every in-process test server) can then never take it while the child boots, and a foreign
 * server answering our health check would be mistaken for ours.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolvePort) => {
      const probe = createServer();
      probe.once('error', () => resolvePort(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolvePort(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port between 20000 and 32000');
}

export interface ChildServer {
  port: number;
  httpUrl: string;
  wsUrl: string;
  process: ChildProcess;
  /** Everything the server printed (pino JSON on stdout, fatal errors on stderr). */
  output(): string;
  /** Resolves with the exit code or signal once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL: no shutdown hooks, no flush; resolves when the process is gone. */
  kill9(): Promise<void>;
}

const running = new Set<ChildServer>();

/** Environment for the database under test: a PGlite directory or a PostgreSQL URL. */
export function databaseEnv(database: DatabaseConfig): Record<string, string> {
  return database.kind === 'pglite' ? { DATA_DIR: database.dataDir } : { DATABASE_URL: database.url };
}

/**
 * Starts the real server as a child process (`node --import tsx server/src/main.ts`), the way it
 * runs in production, and waits for GET /healthz to answer 200. Only loopback, only the given env
 * plus PATH/HOME: nothing from the test's own environment leaks in.
 */
export async function spawnServer(options: { port: number; env: Record<string, string> }): Promise<ChildServer> {
  const { port } = options;
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      TMPDIR: process.env.TMPDIR ?? '/tmp',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      WEB_DIR: '/nonexistent-web-dir',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    // Bounded: a chatty server must not grow the test's memory without limit.
    output = (output + chunk.toString('utf8')).slice(-200_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit({ code, signal }));
  });
  let gone = false;
  void exited.then(() => (gone = true));
  const server: ChildServer = {
    port,
    httpUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    process: child,
    output: () => output,
    exited,
    kill9: async () => {
      const diedOnItsOwn = gone && child.signalCode !== 'SIGKILL';
      if (!gone) child.kill('SIGKILL');
      const exit = await exited;
      if (diedOnItsOwn || (exit.signal !== 'SIGKILL' && running.has(server))) {
        console.error(`child server on port ${port} exited on its own (${JSON.stringify(exit)}):\n${output.slice(-8000)}`);
      }
      running.delete(server);
    },
  };
  running.add(server);
  const deadline = Date.now() + BOOT_TIMEOUT_MS;
  for (;;) {
    if (gone) throw new Error(`server exited during boot:\n${output}`);
    try {
      const response = await fetch(`${server.httpUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return server;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await server.kill9();
      throw new Error(`server did not answer /healthz within ${BOOT_TIMEOUT_MS} ms:\n${output}`);
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 50));
  }
}

/** Kills every child server still running (afterEach/afterAll safety net). */
export async function killAllChildServers(): Promise<void> {
  await Promise.all([...running].map((server) => server.kill9()));
}
