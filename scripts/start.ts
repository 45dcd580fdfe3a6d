/**
 * `npm start`: builds the web app when it is missing or older than its sources, then runs the
 * server in this process (so SIGTERM/SIGINT reach its graceful shutdown directly).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function newestMtime(path: string): number {
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

process.chdir(root);
await import('../server/src/main');
