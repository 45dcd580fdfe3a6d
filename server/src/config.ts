import { resolve } from 'node:path';
import type { DatabaseConfig } from '@pairpad/db';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

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

  const provider = oneOf('AUTOCOMPLETE_PROVIDER', ['local', 'openai'] as const, 'local');
  const autocompleteUrl = url('AUTOCOMPLETE_URL', ['http:', 'https:']);
  if (provider === 'openai' && !autocompleteUrl) problems.push('AUTOCOMPLETE_URL is required when AUTOCOMPLETE_PROVIDER=openai');

  const config: Config = {
    port: int('PORT', 3000, 0, 65535),
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
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}
