import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

// The API runs on another port in development; scripts/dev.ts passes its origin.
const api = process.env.PAIRPAD_API ?? 'http://127.0.0.1:3000';
const wsApi = api.replace(/^http/, 'ws');

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);
const COMPRESSIBLE = /\.(?:js|mjs|css|html|svg|json|ttf|txt|map)$/;
// Gzip only: brotli at quality 11 on Pyodide's 9.6 MB of wasm takes longer than all the other
// files together; gzip makes it 3.6 MB in a second or two.
const GZIP_ONLY = /\.wasm$/;

/**
 * Writes `file.br` and `file.gz` beside every compressible output file (best settings, once at
 * build time), which the server sends by Accept-Encoding (@fastify/static `preCompressed`).
 * Monaco's code is 3 MB of JavaScript; brotli makes it about a fifth of that on the wire.
 */
function precompress(): Plugin {
  return {
    name: 'pairpad-precompress',
    apply: 'build',
    async writeBundle(options, bundle) {
      const dir = options.dir ?? 'dist';
      await Promise.all(
        Object.keys(bundle)
          .filter((file) => COMPRESSIBLE.test(file) || GZIP_ONLY.test(file))
          .map(async (file) => {
            const path = join(dir, file);
            const raw = await readFile(path);
            if (raw.length < 1024) return;
            const [br, gz] = await Promise.all([
              GZIP_ONLY.test(file)
                ? null
                : brotli(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }),
              gzipAsync(raw, { level: 9 }),
            ]);
            if (br && br.length < raw.length) await writeFile(`${path}.br`, br);
            if (gz.length < raw.length) await writeFile(`${path}.gz`, gz);
          }),
      );
    },
  };
}

/**
 * Monaco's editor core as its own chunk, so a deploy that changes only our code leaves the
 * largest file cached (it is hashed and served immutable). Only base/platform/editor: the
 * language grammars and JSON's language service stay separate chunks loaded on first use.
 * Vite's preload helper, which both the entry and Monaco's lazy imports use, gets a chunk of
 * its own: left alone it lands in the Monaco chunk, and the entry would wait for all of Monaco.
 */
const MONACO_CORE = /[\\/]node_modules[\\/]monaco-editor[\\/]esm[\\/]vs[\\/](?:base|platform|editor|nls)/;
const PRELOAD_HELPER = /vite[\\/]preload-helper/;

/**
 * The room page (Monaco and the editor) is a lazy chunk, fetched only once the entry has run
 * and routed. A `modulepreload` for it and its imports in index.html starts that download with
 * the entry's, which on a slow link is most of a fresh room's load. The start page preloads it
 * too: creating a room opens it next.
 */
function preloadRoomPage(): Plugin {
  return {
    name: 'pairpad-preload-room-page',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const bundle = ctx.bundle ?? {};
        const room = Object.values(bundle).find((chunk) => chunk.type === 'chunk' && /[\\/]app[\\/]room-page\.tsx$/.test(chunk.facadeModuleId ?? ''));
        if (!room || room.type !== 'chunk') throw new Error('pairpad-preload-room-page: no room-page chunk in the bundle');
        // What the entry already loads (it is in index.html or imported by it) needs no hint.
        const entry = Object.values(bundle).find((chunk) => chunk.type === 'chunk' && chunk.isEntry);
        const loaded = new Set(entry?.type === 'chunk' ? [entry.fileName, ...entry.imports] : []);
        const scripts = [room.fileName, ...room.imports].filter((file) => !loaded.has(file));
        const styles = [room.fileName, ...room.imports].flatMap((file) => {
          const chunk = bundle[file];
          return chunk?.type === 'chunk' ? [...(chunk.viteMetadata?.importedCss ?? [])] : [];
        });
        return [
          ...scripts.map((file) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `/${file}` }, injectTo: 'head' as const })),
          ...styles.map((file) => ({ tag: 'link', attrs: { rel: 'preload', as: 'style', crossorigin: true, href: `/${file}` }, injectTo: 'head' as const })),
        ];
      },
    },
  };
}

export default defineConfig({
  plugins: [react(), preloadRoomPage(), precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 4096,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'preload-helper', test: PRELOAD_HELPER, priority: 2 },
            { name: 'monaco', test: MONACO_CORE, priority: 1 },
          ],
        },
      },
    },
  },
  worker: { format: 'es' },
  // Pyodide finds its runtime files by URL (served from our origin, see features/run): the dev
  // server's dependency pre-bundling would move its loader away from them.
  optimizeDeps: { exclude: ['pyodide'] },
  server: {
    proxy: {
      '/rooms': api,
      '/autocomplete': api,
      '/healthz': api,
      '/yjs': { target: wsApi, ws: true },
      '/ws': { target: wsApi, ws: true },
    },
  },
});
