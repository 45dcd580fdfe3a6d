import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { DatabaseConfig } from '@pairpad/db';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Timings and bounds an operator has no reason to change, so no environment variable: typed
 * defaults kept here, in one place, so that tests can pass short values (or drive them with fake
 * timers) instead of sleeping through production ones.
 */
export interface Tuning {
  /** Yjs edits reach `/ws` clients as whole text at most once per this interval. */
  lwwCoalesceMs: number;
  /** A participant counts as typing for this long after their last edit. */
  typingMs: number;
  /** A failed log append is retried after this long (or `persistFlushMs`, if longer), doubling up to `retryMaxMs`. */
  retryMinMs: number;
  retryMaxMs: number;
  /** Frames a client may send before its room has loaded; more means it is not waiting for sync (4429). */
  preloadMaxFrames: number;
  /** The keepalive pings one slice of the sockets per tick, this many ticks per `pingIntervalMs`. */
  pingSlices: number;
  /** How long the holder of a display name a newcomer asks for has to answer a ping. */
  nameProbeMs: number;
  /** How long `/healthz` waits for the database before it answers 503. */
  healthTimeoutMs: number;
  /** How often rooms older than `roomTtlDays` are looked for and deleted. */
  roomCleanupIntervalMs: number;
  /** How often the embedded database is vacuumed (PostgreSQL vacuums itself). */
  vacuumIntervalMs: number;
  /** Rooms whose text-read budget is remembered; the least recently read are forgotten first. */
  maxReadBudgets: number;
  /**
   * Node's HTTP server timeouts (with `keepAliveTimeoutMs`). None of them cuts a WebSocket: ws
   * turns the socket's idle timeout off at the upgrade, and Node stops timing a request once it
   * is upgraded; the keepalive pings decide when a socket is dead.
   */
  http: {
    /** A request's headers must arrive within this (slowloris); an upgrade request's too. */
    headersTimeoutMs: number;
    /** A whole request, headers and body, must arrive within this (a body dripped in slowly). */
    requestTimeoutMs: number;
    /** A connection with no traffic either way for this long is closed, also mid-request. */
    connectionTimeoutMs: number;
    /** How often Node looks for requests past the two limits above (its own default). */
    timeoutCheckIntervalMs: number;
  };
  /** History: when versions and checkpoints are taken (see history/history-service.ts). */
  history: {
    /** An automatic version after this long without edits (following edits). */
    quietMs: number;
    /** And at least this often while edits go on. */
    maxIntervalMs: number;
    /** A checkpoint once this many log rows follow the last one... */
    checkpointRows: number;
    /** ...or once the last one is this old and rows follow it. */
    checkpointMs: number;
    /** How often loaded rooms' authorship and checkpoints are brought up to date. */
    maintenanceMs: number;
    /** Log rows younger than this stay as typed... */
    rawWindowMs: number;
    /** ...then are merged per author and minute until this age, after which named versions and one version a day remain. */
    mergedWindowMs: number;
    /** A room's history (log and checkpoints) above this is coarsened sooner, oldest first; named versions always stay. */
    roomCapBytes: number;
    /** How often retention runs. */
    retentionIntervalMs: number;
  };
}

export const DEFAULT_TUNING: Readonly<Tuning> = Object.freeze({
  lwwCoalesceMs: 50,
  typingMs: 3_000,
  retryMinMs: 250,
  retryMaxMs: 10_000,
  preloadMaxFrames: 256,
  pingSlices: 20,
  nameProbeMs: 2_000,
  healthTimeoutMs: 2_000,
  roomCleanupIntervalMs: 3_600_000,
  vacuumIntervalMs: 120_000,
  maxReadBudgets: 10_000,
  http: Object.freeze({
    headersTimeoutMs: 20_000,
    requestTimeoutMs: 60_000,
    connectionTimeoutMs: 120_000,
    timeoutCheckIntervalMs: 30_000,
  }),
  history: Object.freeze({
    quietMs: 30_000,
    maxIntervalMs: 10 * 60_000,
    checkpointRows: 1_000,
    checkpointMs: 10 * 60_000,
    // Rare on purpose: a pass reads the room's new log rows back. Blame catches up on demand.
    maintenanceMs: 60_000,
    rawWindowMs: 60 * 60_000,
    mergedWindowMs: 7 * 24 * 60 * 60_000,
    roomCapBytes: 32 * 1024 * 1024,
    retentionIntervalMs: 60 * 60_000,
  }),
});

export interface Config {
  port: number;
  host: string;
  database: DatabaseConfig;
  /** What the boot log says about the database, without credentials. */
  databaseDescription: string;
  logLevel: LogLevel;
  /** Absolute path of the built web app, served with SPA fallback when it exists. */
  webDir: string;
  /** Base for editUrl/viewUrl; by default taken from the request's Host. */
  publicUrl: string | null;
  /** Extra origins allowed for browsers (CORS and WebSocket upgrades); same-origin is always allowed. */
  allowedOrigins: readonly string[] | '*';
  persistFlushMs: number;
  compactIntervalMs: number;
  compactMaxLogRows: number;
  unloadDelayMs: number;
  maxMessageBytes: number;
  maxDocumentBytes: number;
  maxBodyBytes: number;
  maxMessagesPerSecond: number;
  /** Sync replies one socket may take per second, in bytes. */
  maxSyncBytesPerSecond: number;
  /** Bytes of sync replies one room encodes per second for all its members. */
  roomSyncBytesPerSecond: number;
  /** Bytes of a room's text `GET /rooms/:id` serves per second, for all callers together. */
  roomReadBytesPerSecond: number;
  maxSocketsPerIp: number;
  maxRoomsInMemory: number;
  roomsPerIpPerMinute: number;
  roomReadsPerIpPerMinute: number;
  /** A REST request refused for its rate (429) is answered after this pause. */
  rateLimitDelayMs: number;
  pingIntervalMs: number;
  /** An idle keep-alive HTTP connection is closed after this; behind a load balancer, make it longer than the balancer's. */
  keepAliveTimeoutMs: number;
  roomTtlDays: number;
  /** Addresses exempt from per-IP limits (loopback by default: the operator's own machine). */
  rateLimitAllow: readonly string[];
  /** Trust X-Forwarded-For from a reverse proxy, so per-IP limits see real clients. */
  trustProxy: boolean;
  autocomplete: {
    provider: 'local' | 'openai';
    url: string | null;
    model: string | null;
    apiKey: string | null;
    timeoutMs: number;
  };
  /**
   * Several instances on one PostgreSQL (set by CLUSTER_SECRET): each room is served by one
   * owner instance, and the others forward its clients there. Null: one process, as by default.
   */
  cluster: ClusterConfig | null;
  tuning: Readonly<Tuning>;
}

export interface ClusterConfig {
  /** Shared by every instance; a peer presenting another is refused. */
  secret: string;
  /** This instance's name in logs, /healthz and the room_owners table; unique in the cluster. */
  instanceId: string;
  /** Where the other instances reach this one (its own port, on an address they can route to). */
  internalUrl: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/**
 * Reads and validates every setting once, at start. Collects all problems so an operator fixes
 * them in one go instead of one restart per typo.
 */
export function loadConfig(env: Env, cwd: string = process.cwd()): Readonly<Config> {
  const problems: string[] = [];
  const raw = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const value = raw(name);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${value}")`);
      return fallback;
    }
    return Number(value);
  };
  const oneOf = <T extends string>(name: string, options: readonly T[], fallback: T): T => {
    const value = raw(name);
    if (value === undefined) return fallback;
    if (!(options as readonly string[]).includes(value)) {
      problems.push(`${name} must be one of ${options.join(', ')} (got "${value}")`);
      return fallback;
    }
    return value as T;
  };
  const url = (name: string, protocols: readonly string[]): string | null => {
    const value = raw(name);
    if (value === undefined) return null;
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) throw new Error('protocol');
      return value.replace(/\/+$/, '');
    } catch {
      problems.push(`${name} must be a URL starting with ${protocols.join(' or ')}`);
      return null;
    }
  };

  const databaseUrl = url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const dataDir = resolve(cwd, raw('DATA_DIR') ?? './data');
  const database: DatabaseConfig = databaseUrl ? { kind: 'postgres', url: databaseUrl } : { kind: 'pglite', dataDir };
  let databaseDescription = `embedded PGlite at ${dataDir}`;
  if (databaseUrl) {
    const parsed = new URL(databaseUrl);
    databaseDescription = `PostgreSQL at ${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
  }

  const origins = raw('ALLOWED_ORIGINS');
  let allowedOrigins: readonly string[] | '*' = [];
  if (origins === '*') allowedOrigins = '*';
  else if (origins) {
    allowedOrigins = origins.split(',').map((origin) => origin.trim().replace(/\/+$/, '')).filter(Boolean);
    for (const origin of allowedOrigins) {
      if (!/^https?:\/\/[^/]+$/.test(origin)) problems.push(`ALLOWED_ORIGINS entry "${origin}" must look like https://host[:port]`);
    }
  }

  const clusterSecret = raw('CLUSTER_SECRET');
  const port = int('PORT', 3000, 0, 65535);
  let cluster: ClusterConfig | null = null;
  if (clusterSecret !== undefined) {
    if (clusterSecret.length < 16) problems.push('CLUSTER_SECRET must be at least 16 characters');
    if (!databaseUrl) problems.push('CLUSTER_SECRET (several instances) needs DATABASE_URL: the instances share one PostgreSQL');
    const instanceId = raw('INSTANCE_ID') ?? `${hostname()}:${port}`;
    if (!/^[A-Za-z0-9._:-]{1,100}$/.test(instanceId)) problems.push(`INSTANCE_ID must be 1-100 letters, digits, '.', '_', ':' or '-' (got "${instanceId}")`);
    const internalUrl = url('INTERNAL_URL', ['http:', 'https:']) ?? `http://${hostname()}:${port}`;
    cluster = { secret: clusterSecret, instanceId, internalUrl };
  } else {
    for (const name of ['INSTANCE_ID', 'INTERNAL_URL']) if (raw(name) !== undefined) problems.push(`${name} is only used with CLUSTER_SECRET (several instances)`);
  }

  const provider = oneOf('AUTOCOMPLETE_PROVIDER', ['local', 'openai'] as const, 'local');
  const autocompleteUrl = url('AUTOCOMPLETE_URL', ['http:', 'https:']);
  if (provider === 'openai' && !autocompleteUrl) problems.push('AUTOCOMPLETE_URL is required when AUTOCOMPLETE_PROVIDER=openai');

  const config: Config = {
    port,
    host: raw('HOST') ?? '127.0.0.1',
    database,
    databaseDescription,
    logLevel: oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    webDir: resolve(cwd, raw('WEB_DIR') ?? 'web/dist'),
    publicUrl: url('PUBLIC_URL', ['http:', 'https:']),
    allowedOrigins,
    persistFlushMs: int('PERSIST_FLUSH_MS', 100, 1, 60_000),
    compactIntervalMs: int('COMPACT_INTERVAL_MS', 30_000, 100, 86_400_000),
    compactMaxLogRows: int('COMPACT_MAX_LOG_ROWS', 500, 1, 1_000_000),
    unloadDelayMs: int('ROOM_UNLOAD_DELAY_MS', 2_000, 0, 3_600_000),
    maxMessageBytes: int('MAX_MESSAGE_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    maxDocumentBytes: int('MAX_DOCUMENT_BYTES', 5 * 1024 * 1024, 1024, 512 * 1024 * 1024),
    maxBodyBytes: int('MAX_BODY_BYTES', 2 * 1024 * 1024, 1024, 64 * 1024 * 1024),
    maxMessagesPerSecond: int('MAX_MESSAGES_PER_SECOND', 200, 1, 1_000_000),
    maxSyncBytesPerSecond: int('MAX_SYNC_BYTES_PER_SECOND', 256 * 1024, 1024, 1024 * 1024 * 1024),
    roomSyncBytesPerSecond: int('ROOM_SYNC_BYTES_PER_SECOND', 128 * 1024, 1024, 1024 * 1024 * 1024),
    roomReadBytesPerSecond: int('ROOM_READ_BYTES_PER_SECOND', 512 * 1024, 1024, 1024 * 1024 * 1024),
    maxSocketsPerIp: int('MAX_SOCKETS_PER_IP', 200, 1, 1_000_000),
    maxRoomsInMemory: int('MAX_ROOMS_IN_MEMORY', 10_000, 1, 10_000_000),
    roomsPerIpPerMinute: int('ROOMS_PER_IP_PER_MINUTE', 60, 1, 1_000_000),
    roomReadsPerIpPerMinute: int('ROOM_READS_PER_IP_PER_MINUTE', 600, 1, 1_000_000),
    rateLimitDelayMs: int('RATE_LIMIT_DELAY_MS', 1_000, 0, 60_000),
    pingIntervalMs: int('PING_INTERVAL_MS', 4_000, 1_000, 3_600_000),
    keepAliveTimeoutMs: int('KEEP_ALIVE_TIMEOUT_MS', 72_000, 1_000, 3_600_000),
    roomTtlDays: int('ROOM_TTL_DAYS', 30, 1, 36_500),
    rateLimitAllow: (raw('RATE_LIMIT_ALLOW') ?? (env.RATE_LIMIT_ALLOW === '' ? '' : '127.0.0.1,::1,::ffff:127.0.0.1'))
      .split(',')
      .map((address) => address.trim())
      .filter(Boolean),
    trustProxy: oneOf('TRUST_PROXY', ['true', 'false'] as const, 'false') === 'true',
    autocomplete: {
      provider,
      url: autocompleteUrl,
      model: raw('AUTOCOMPLETE_MODEL') ?? null,
      apiKey: raw('AUTOCOMPLETE_API_KEY') ?? null,
      timeoutMs: int('AUTOCOMPLETE_TIMEOUT_MS', 1_500, 50, 60_000),
    },
    cluster,
    tuning: DEFAULT_TUNING,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}
