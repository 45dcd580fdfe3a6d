import { execSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { distDir, freePort, repoRoot, startServer, webDir } from './server';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds web/dist when it is missing or older than the sources. */
function buildIfNeeded(): void {
  const index = path.join(distDir, 'index.html');
  const sources = Math.max(
    newestMtime(path.join(webDir, 'src')),
    newestMtime(path.join(repoRoot, 'shared', 'src')),
    statSync(path.join(webDir, 'index.html')).mtimeMs,
    statSync(path.join(webDir, 'vite.config.ts')).mtimeMs,
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  console.log('[e2e] building the web app');
  // vitest sets NODE_ENV=test, and Vite builds whatever NODE_ENV says: left alone, the browser
  // tests would drive React's development build (StrictMode replaying effects) instead of what ships.
  execSync('npm run build -w @pairpad/web', { cwd: repoRoot, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  buildIfNeeded();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pairpad-e2e-'));
  const server = await startServer({ port: await freePort(), dataDir });
  project.provide('baseUrl', server.url);
  console.log(`[e2e] server at ${server.url}, data in ${dataDir}`);
  return async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
