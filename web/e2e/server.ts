import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const webDir = path.join(repoRoot, 'web');
export const distDir = path.join(webDir, 'dist');

/** A port the OS says is free right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export interface ServerHandle {
  url: string;
  port: number;
  dataDir: string;
  child: ChildProcess;
  /** Output so far, for failure messages. */
  output(): string;
  /** SIGTERM (graceful: the server flushes its rooms) and wait for the exit. */
  stop(): Promise<number | null>;
}

/** Polls until `check` passes or the time is up; returns the last value. */
export async function waitFor<T>(
  check: () => Promise<T | false | null | undefined> | T | false | null | undefined,
  { timeout = 10_000, interval = 50, message = 'condition' }: { timeout?: number; interval?: number; message?: string } = {},
): Promise<T> {
  const deadline = Date.now() + timeout;
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await check();
      if (value !== false && value !== null && value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${message}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Starts the real server (server/src/main.ts through tsx) in its own process group and waits
 * for GET /healthz 200. Stopping sends one SIGTERM and waits for the group to be gone.
 */
export async function startServer(options: { port: number; dataDir: string; webDir?: string }): Promise<ServerHandle> {
  const { port, dataDir } = options;
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  // `node --import tsx` is `npx tsx` without the wrappers: one process, so SIGTERM reaches the
  // server exactly once (a second SIGTERM makes it exit without storing its rooms).
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      WEB_DIR: options.webDir ?? distDir,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const pid = child.pid ?? 0;
  const killOnExit = (): void => signalGroup(pid, 'SIGKILL');
  process.once('exit', killOnExit);
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let dead = false;
  void exited.then(() => (dead = true));

  await waitFor(
    async () => {
      if (dead) throw new Error(`server exited early:\n${log}`);
      const response = await fetch(`${url}/healthz`);
      return response.status === 200;
    },
    { timeout: 60_000, interval: 200, message: `GET ${url}/healthz` },
  ).catch((error: unknown) => {
    signalGroup(pid, 'SIGKILL');
    throw error;
  });

  return {
    url,
    port,
    dataDir,
    child,
    output: () => log,
    async stop() {
      // The server closes its sockets and stores every room before it exits.
      if (!dead) child.kill('SIGTERM');
      try {
        await waitFor(() => !groupAlive(pid), { timeout: 20_000, interval: 50, message: 'the server to exit' });
      } catch {
        signalGroup(pid, 'SIGKILL');
      }
      process.removeListener('exit', killOnExit);
      return exited;
    },
  };
}
