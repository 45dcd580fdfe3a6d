// Bundles the server (server/src/main.ts and the workspace packages it imports) into
// server/dist/main.mjs, so `npm start` and the Docker image run plain Node: no TypeScript loader
// thread, no esbuild service and no transpiled-source cache in the running process (about 45 MB
// of an idle server's memory). npm packages stay external and load from node_modules. Tests and
// `npm run dev` keep running the sources through tsx.
// Plain JavaScript so that `npm start` needs no loader either.
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const serverBundle = join(root, 'server', 'dist', 'main.mjs');
const sources = ['server/src', 'db/src', 'shared/src', 'scripts/build-server.mjs'].map((path) => join(root, path));
// Files the bundle loads beside itself (new URL('./x.mjs', import.meta.url) in db/src/dialects.ts).
const besideBundle = ['db/src/pglite-thread.mjs', 'db/src/pglite-init.mjs'];

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** True when the bundle is missing or older than any server, db or shared source. */
export function serverBundleIsStale() {
  const builtAt = existsSync(serverBundle) ? statSync(serverBundle).mtimeMs : 0;
  return builtAt < Math.max(...sources.map(newestMtime));
}

export async function buildServer() {
  // Loaded here, so that `npm start` (which only asks serverBundleIsStale) never loads esbuild.
  const { build } = await import('esbuild');
  await build({
    entryPoints: [join(root, 'server', 'src', 'main.ts')],
    outfile: serverBundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    // Class and function names stay readable in logs and stack traces.
    keepNames: true,
    sourcemap: 'linked',
    logLevel: 'warning',
    plugins: [
      {
        // Workspace packages (@pairpad/*) are TypeScript sources: bundle them. Everything else
        // is an npm package: leave it to Node.
        name: 'external-npm-packages',
        setup(builder) {
          builder.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@pairpad/') ? undefined : { path: args.path, external: true }));
        },
      },
    ],
  });
  for (const file of besideBundle) copyFileSync(join(root, file), join(dirname(serverBundle), file.split('/').at(-1)));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  mkdirSync(dirname(serverBundle), { recursive: true });
  await buildServer();
  console.log(`built ${serverBundle}`);
}
