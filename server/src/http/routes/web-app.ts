import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { toApiError } from '../../errors';
import { DOCS_PREFIX } from '../plugins/api-docs';

const API_PREFIXES = ['/rooms', '/autocomplete', '/healthz', '/yjs', '/ws', DOCS_PREFIX];

/** Vite names everything under assets/ by content hash: a changed file gets a new name. */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';
/** index.html (and anything else unhashed) is revalidated on every load, so a deploy shows at once. */
export const REVALIDATE_CACHE = 'no-cache';

/**
 * Serves the built web app from `webDir` with SPA fallback, so `/room/ID` and `/watch/ID`
 * reload into the app. Unknown API paths and non-GET requests get the JSON 404.
 *
 * Files are sent precompressed where the build wrote `.br`/`.gz` siblings (brotli first, then
 * gzip, by Accept-Encoding, with `Vary: Accept-Encoding`); hashed assets are cached for a year
 * as immutable, everything else is revalidated.
 */
export async function webAppRoutes(app: FastifyInstance, deps: { webDir: string }): Promise<void> {
  const hasApp = existsSync(join(deps.webDir, 'index.html'));
  if (hasApp) {
    const assetsDir = join(deps.webDir, 'assets');
    await app.register(fastifyStatic, {
      root: deps.webDir,
      wildcard: false,
      index: ['index.html'],
      preCompressed: true,
      cacheControl: false,
      setHeaders: (reply, path) => {
        const inAssets = !relative(assetsDir, path).startsWith('..');
        reply.header('cache-control', inAssets ? IMMUTABLE_CACHE : REVALIDATE_CACHE);
      },
    });
  } else {
    app.log.warn({ webDir: deps.webDir }, 'web app not built; serving the API only (run `npm run build`)');
  }
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const isApi = API_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
    // The app's own pages always load; other unknown paths only for browsers navigating.
    const isAppPage = path === '/' || /^\/(room|watch)\/[^/]+\/?$/.test(path);
    const wantsHtml = isAppPage || (request.headers.accept ?? '').includes('text/html');
    if (hasApp && !isApi && wantsHtml && (request.method === 'GET' || request.method === 'HEAD')) {
      return reply.type('text/html').sendFile('index.html');
    }
    return reply.status(404).send(toApiError('not_found', `no route for ${request.method} ${path}`));
  });
}
