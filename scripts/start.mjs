/**
 * `npm start`: builds the web app and the server bundle when they are missing or older than
 * their sources, then runs the server in this process (so SIGTERM/SIGINT reach its graceful
 * shutdown directly). Plain JavaScript run by plain Node: a TypeScript loader would stay resident
 * next to the server for nothing (see scripts/build-server.mjs).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { serverBundle, serverBundleIsStale } from './build-server.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

const builtIndex = join(root, 'web', 'dist', 'index.html');
const sources = ['web/src', 'web/index.html', 'web/vite.config.ts', 'web/public', 'shared/src'].map((p) => join(root, p));
const builtAt = existsSync(builtIndex) ? statSync(builtIndex).mtimeMs : 0;
if (!process.env.WEB_DIR && builtAt < Math.max(...sources.map(newestMtime))) {
  console.log('pairpad: building the web app (first start or sources changed)…');
  const result = spawnSync('npm', ['run', 'build', '-w', '@pairpad/web'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('pairpad: the web build failed; fix it or set WEB_DIR');
    process.exit(result.status ?? 1);
  }
}

if (serverBundleIsStale()) {
  console.log('pairpad: bundling the server (first start or sources changed)…');
  // In a child process: esbuild's service and its memory would otherwise stay with the server.
  const result = spawnSync(process.execPath, [join(root, 'scripts', 'build-server.mjs')], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('pairpad: bundling the server failed');
    process.exit(result.status ?? 1);
  }
}

process.chdir(root);
await import(pathToFileURL(serverBundle).href);
