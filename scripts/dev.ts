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
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: 'inherit' });
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`[dev] ${name} exited (${signal ?? code}); stopping`);
    stop(code ?? 1);
  });
  children.push(child);
  return child;
}

function stop(code = 0): void {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 3000).unref();
  Promise.all(children.map((c) => new Promise((resolve) => (c.exitCode !== null ? resolve(null) : c.once('exit', resolve))))).then(
    () => process.exit(code),
  );
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

console.log(`[dev] API on ${api}, web on http://localhost:5173 (proxying /rooms /autocomplete /healthz /yjs /ws)`);
run('server', 'npx', ['tsx', 'server/src/main.ts'], { PORT: apiPort, HOST: apiHost, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' });
run('web', 'npx', ['vite', 'web', '--config', 'web/vite.config.ts', '--host', '127.0.0.1', '--port', process.env.WEB_PORT ?? '5173'], {
  PAIRPAD_API: api,
});
