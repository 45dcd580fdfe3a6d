/**
 * Development: the API server (tsx, port 3000 unless PORT is set) and the Vite dev server
 * with a proxy for REST and both sockets, in parallel. Ctrl+C stops both.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const apiPort = process.env.PORT ?? '3000';
const apiHost = process.env.HOST ?? '127.0.0.1';
const api = `http://${apiHost === '0.0.0.0' ? '127.0.0.1' : apiHost}:${apiPort}`;

const children: ChildProcess[] = [];
let stopping = false;

function run(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  // Own process group, so a stop reaches whatever the command started (npx runs vite via a shell).
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: 'inherit', detached: true });
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`[dev] ${name} exited (${signal ?? code}); stopping`);
    void stop(code ?? 1);
  });
  children.push(child);
  return child;
}

function groupAlive(child: ChildProcess): boolean {
  if (child.pid === undefined) return false;
  try {
    process.kill(-child.pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM every group, give the server time to store its rooms, then leave. */
async function stop(code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const child of children) signalGroup(child, 'SIGTERM');
  const deadline = Date.now() + 12_000;
  while (children.some(groupAlive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  process.exit(code);
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

// Last resort (e.g. a group that ignored SIGTERM for 12 s): nothing outlives this script.
process.on('exit', () => {
  for (const child of children) if (groupAlive(child)) signalGroup(child, 'SIGKILL');
});
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

console.log(`[dev] API on ${api}, web on http://localhost:5173 (proxying /rooms /autocomplete /healthz /yjs /ws)`);
// `node --import tsx` rather than `npx tsx`: one process, so a stop delivers exactly one SIGTERM
// (a second one makes the server exit without storing its rooms).
run('server', process.execPath, ['--import', 'tsx', 'server/src/main.ts'], { PORT: apiPort, HOST: apiHost, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' });
run('web', 'npx', ['vite', 'web', '--config', 'web/vite.config.ts', '--host', '127.0.0.1', '--port', process.env.WEB_PORT ?? '5173'], {
  PAIRPAD_API: api,
});
