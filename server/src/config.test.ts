import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_TUNING, loadConfig } from './config';

describe('loadConfig', () => {
  it('has documented defaults: embedded PGlite under ./data on 127.0.0.1:3000', () => {
    const config = loadConfig({}, '/srv/pairpad');
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      database: { kind: 'pglite', dataDir: '/srv/pairpad/data' },
      persistFlushMs: 100,
      maxMessageBytes: 1024 * 1024,
      maxDocumentBytes: 5 * 1024 * 1024,
      roomTtlDays: 30,
      logLevel: 'info',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('keeps idle keep-alive connections 72 s (Fastify\'s own default) unless KEEP_ALIVE_TIMEOUT_MS says otherwise', () => {
    expect(loadConfig({}).keepAliveTimeoutMs).toBe(72_000);
    expect(loadConfig({ KEEP_ALIVE_TIMEOUT_MS: '620000' }).keepAliveTimeoutMs).toBe(620_000);
    expect(() => loadConfig({ KEEP_ALIVE_TIMEOUT_MS: '10' })).toThrow(/KEEP_ALIVE_TIMEOUT_MS/);
  });

  it('carries the tunables without a variable as frozen defaults', () => {
    const { tuning } = loadConfig({});
    expect(tuning).toBe(DEFAULT_TUNING);
    expect(Object.isFrozen(tuning) && Object.isFrozen(tuning.http)).toBe(true);
    // Node refuses a headers timeout longer than the request timeout.
    expect(tuning.http.headersTimeoutMs).toBeLessThanOrEqual(tuning.http.requestTimeoutMs);
  });

  it('uses PostgreSQL when DATABASE_URL is set, and never logs its password', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u:secret@db:5432/pairpad' });
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://u:secret@db:5432/pairpad' });
    expect(config.databaseDescription).toBe('PostgreSQL at db:5432/pairpad');
    expect(config.databaseDescription).not.toContain('secret');
  });

  it('lists every bad variable at once with a readable message', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'abc', PERSIST_FLUSH_MS: '-5', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x', AUTOCOMPLETE_PROVIDER: 'openai' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'PERSIST_FLUSH_MS', 'LOG_LEVEL', 'DATABASE_URL', 'AUTOCOMPLETE_URL']) expect(problems).toContain(name);
  });

  it('parses the origin allow-list', () => {
    expect(loadConfig({ ALLOWED_ORIGINS: 'https://a.example, http://b.example:8080/' }).allowedOrigins).toEqual([
      'https://a.example',
      'http://b.example:8080',
    ]);
    expect(loadConfig({ ALLOWED_ORIGINS: '*' }).allowedOrigins).toBe('*');
    expect(() => loadConfig({ ALLOWED_ORIGINS: 'not a url' })).toThrow(ConfigError);
  });

  it('runs as one of several instances when CLUSTER_SECRET is set, which needs PostgreSQL', () => {
    expect(loadConfig({}).cluster).toBeNull();
    const url = 'postgres://pairpad:pw@db:5432/pairpad';
    const config = loadConfig({ DATABASE_URL: url, CLUSTER_SECRET: 'a-long-shared-secret', INSTANCE_ID: 'app-1', INTERNAL_URL: 'http://10.0.0.5:3000/' });
    expect(config.cluster).toEqual({ secret: 'a-long-shared-secret', instanceId: 'app-1', internalUrl: 'http://10.0.0.5:3000' });
    expect(loadConfig({ DATABASE_URL: url, CLUSTER_SECRET: 'a-long-shared-secret', PORT: '4000' }).cluster?.internalUrl).toMatch(/^http:\/\/.+:4000$/);
    expect(() => loadConfig({ CLUSTER_SECRET: 'a-long-shared-secret' })).toThrow(/CLUSTER_SECRET \(several instances\) needs DATABASE_URL/);
    expect(() => loadConfig({ DATABASE_URL: url, CLUSTER_SECRET: 'short' })).toThrow(/at least 16 characters/);
    expect(() => loadConfig({ DATABASE_URL: url, INSTANCE_ID: 'app-1' })).toThrow(/INSTANCE_ID is only used with CLUSTER_SECRET/);
    expect(() => loadConfig({ DATABASE_URL: url, CLUSTER_SECRET: 'a-long-shared-secret', INSTANCE_ID: 'app 1' })).toThrow(/INSTANCE_ID must be/);
  });
});
