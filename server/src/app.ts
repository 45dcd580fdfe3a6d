import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import websocket from '@fastify/websocket';
import type { DatabaseHandle } from '@pairpad/db';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import { redactUrl } from './log';
import { createAutocompleteService } from './autocomplete/service';
import type { Config } from './config';
import { AppError } from './errors';
import { apiDocsPlugin } from './http/plugins/api-docs';
import { clusterPlugin } from './http/plugins/cluster';
import { fromPeer } from './http/cluster-forwarding';
import { databasePlugin } from './http/plugins/database';
import { answerClientError, installErrorHandler } from './http/plugins/error-handler';
import { acceptEmptyJsonBodies } from './http/plugins/json-body';
import { roomsPlugin } from './http/plugins/rooms';
import { scheduledJobsPlugin } from './http/plugins/scheduled-jobs';
import { createRoomDirectory } from './storage/room-directory';
import { autocompleteRoutes } from './http/routes/autocomplete';
import { healthRoutes } from './http/routes/health';
import { metricsRoutes } from './http/routes/metrics';
import { historyRoutes } from './http/routes/history';
import { roomRoutes } from './http/routes/rooms';
import { frameCeiling, socketRoutes } from './http/routes/sockets';
import { webAppRoutes } from './http/routes/web-app';

/**
 * Fastify's request serializer with the URL redacted: request URLs carry room ids (edit
 * capabilities) and socket session ids, and logs are read by more people than should edit.
 */
const requestLogSerializers = {
  req: (request: FastifyRequest) => ({
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  }),
};

export interface AppDeps {
  config: Readonly<Config>;
  /** Opened and migrated by the caller; the app closes it last on shutdown. */
  database: DatabaseHandle;
  /** A pino logger; defaults to one at config.logLevel. */
  logger?: FastifyBaseLogger;
}

/** The app, with its room registry (`app.registry`, decorated by the rooms plugin) for tests. */
export type PairpadApp = FastifyInstance;

/**
 * Run's workers (web/src/features/run/sandbox-*.ts, built as /assets/sandbox-*.js) execute
 * people's programs: Pyodide compiles WebAssembly and evaluates the JavaScript glue it carries,
 * and a program may call eval itself. A dedicated worker takes its policy from its own script's
 * response, so these scripts, and only these, allow eval and WebAssembly; the page keeps
 * `script-src 'self'`, and a worker has no DOM to reach.
 */
export const SANDBOX_SCRIPT = /^\/assets\/sandbox-[\w-]+\.js$/;
const SANDBOX_POLICY = "default-src 'self';script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval';worker-src 'self' blob:;connect-src 'self'";

/**
 * Ruff's formatter (web/src/features/editor/language/python/ruff-worker.ts, built as
 * /assets/ruff-worker-*.js) compiles its WebAssembly in a worker of its own, and evaluates no
 * code: its script may compile WebAssembly (`'wasm-unsafe-eval'`) and nothing more.
 */
export const FORMATTER_SCRIPT = /^\/assets\/ruff-worker-[\w-]+\.js$/;
const FORMATTER_POLICY = "default-src 'self';script-src 'self' 'wasm-unsafe-eval';connect-src 'self'";

/**
 * Builds the whole server, ready but not listening. Each resource is a plugin that closes
 * itself, and shutdown (`app.close()`) runs in reverse order of registration: sockets are told
 * to come back later (1001) and closed, the background jobs stop, every room is flushed and
 * compacted, then the database closes.
 */
export async function buildApp(deps: AppDeps): Promise<PairpadApp> {
  const { config, database } = deps;
  const { http } = config.tuning;
  const app = Fastify({
    ...(deps.logger
      ? { loggerInstance: deps.logger.child({}, { serializers: requestLogSerializers }) }
      : { logger: { level: config.logLevel, serializers: requestLogSerializers } }),
    bodyLimit: config.maxBodyBytes,
    trustProxy: config.trustProxy,
    // Strict JSON bodies: "5" is not a number and a wrong type is a 400, not a silent coercion.
    ajv: { customOptions: { coerceTypes: false, allErrors: false } },
    forceCloseConnections: true,
    clientErrorHandler: answerClientError,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    requestTimeout: http.requestTimeoutMs,
    connectionTimeout: http.connectionTimeoutMs,
    // Given to Node's server at construction, which checks headers against the request timeout.
    http: {
      headersTimeout: http.headersTimeoutMs,
      requestTimeout: http.requestTimeoutMs,
      connectionsCheckingInterval: http.timeoutCheckIntervalMs,
    },
  });

  await app.register(databasePlugin, { database });
  await app.register(clusterPlugin, { config });
  await app.register(roomsPlugin, { config });
  await app.register(scheduledJobsPlugin, { config });
  const { registry } = app;
  const directory = createRoomDirectory(database);
  const autocomplete = createAutocompleteService({
    provider: config.autocomplete.provider,
    url: config.autocomplete.url ?? undefined,
    model: config.autocomplete.model ?? undefined,
    apiKey: config.autocomplete.apiKey ?? undefined,
    timeoutMs: config.autocomplete.timeoutMs,
    logger: app.log.child({ component: 'autocomplete' }),
  });

  installErrorHandler(app, { refusalDelayMs: config.rateLimitDelayMs });
  acceptEmptyJsonBodies(app);
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // Monaco sets inline styles for decorations and cursors.
        styleSrc: ["'self'", "'unsafe-inline'"],
        workerSrc: ["'self'", 'blob:'],
        connectSrc: ["'self'", 'ws:', 'wss:'],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        // Added below only for HTTPS: over plain HTTP (a LAN address, a compose stack) it would
        // send every asset request to https:// and leave a blank page.
        upgradeInsecureRequests: null,
      },
    },
    crossOriginEmbedderPolicy: false,
  });
  const publicHttps = config.publicUrl?.startsWith('https:') === true;
  app.addHook('onSend', async (request, reply, payload) => {
    const path = request.url.split('?')[0] ?? '';
    if (SANDBOX_SCRIPT.test(path)) reply.header('content-security-policy', SANDBOX_POLICY);
    else if (FORMATTER_SCRIPT.test(path)) reply.header('content-security-policy', FORMATTER_POLICY);
    const csp = reply.getHeader('content-security-policy');
    if (typeof csp === 'string' && (publicHttps || request.protocol === 'https')) {
      reply.header('content-security-policy', `${csp};upgrade-insecure-requests`);
    }
    return payload;
  });
  await app.register(cors, {
    origin: config.allowedOrigins === '*' ? true : [...config.allowedOrigins],
    methods: ['GET', 'POST', 'PATCH'],
  });
  await app.register(rateLimit, {
    global: false,
    // Peers forward their clients' requests: those were counted on the instance they reached.
    allowList: (request) => config.rateLimitAllow.includes(request.ip) || fromPeer(request, app.cluster),
    errorResponseBuilder: (_request, context) =>
      new AppError(429, 'rate_limited', `too many requests; try again in ${Math.ceil(context.ttl / 1000)} s`),
  });
  // After the rooms plugin, whose preClose tells every socket to come back later (1001) before
  // this plugin's own preClose closes them without a code.
  await app.register(websocket, {
    // Frames up to the ceiling are read so that the sync core can answer an oversized one with
    // a clear error before closing (1009); beyond it, ws closes at the frame header, unread.
    options: { maxPayload: frameCeiling(config), perMessageDeflate: false },
    // Socket-level errors (a reset, an invalid or oversized frame) are the client's, and ws
    // already closes with the matching code; only a failure of our handler is ours to log.
    errorHandler: (error, socket, request) => {
      if (typeof (error as { code?: unknown }).code === 'string') return;
      request.log.error({ err: error }, 'websocket handler failed');
      socket.terminate();
    },
  });

  // Before the routes: it collects their schemas as they are added.
  await app.register(apiDocsPlugin);
  await app.register(healthRoutes, { database, registry, timeoutMs: config.tuning.healthTimeoutMs, cluster: app.cluster });
  await app.register(roomRoutes, { config, database, registry, cluster: app.cluster });
  await app.register(historyRoutes, { config, database, registry, history: app.history, cluster: app.cluster });
  await app.register(autocompleteRoutes, { autocomplete });
  await app.register(metricsRoutes, { registry, cluster: app.cluster });
  await app.register(socketRoutes, { config, registry, directory, cluster: app.cluster });
  await app.register(webAppRoutes, { webDir: config.webDir });

  await app.ready();
  return app;
}
