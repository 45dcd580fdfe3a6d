import { createDatabase, migrateToLatest } from '@pairpad/db';
import { createTestDatabase } from '@pairpad/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp, type PairpadApp } from '../src/app';
import { loadConfig } from '../src/config';
import { TEST_DATABASE_URL } from './helpers';

let app: PairpadApp;
let databaseDown = false;
let drop: () => Promise<void>;

beforeAll(async () => {
  const testDb = await createTestDatabase(TEST_DATABASE_URL);
  drop = testDb.drop;
  const real = await createDatabase(testDb.config);
  await migrateToLatest(real.db);
  // The real handle, with a switch that makes the database unreachable for pings.
  const database = { ...real, ping: () => (databaseDown ? Promise.reject(new Error('connection refused')) : real.ping()) };
  app = await buildApp({ config: { ...loadConfig({ LOG_LEVEL: 'silent', WEB_DIR: '/nonexistent' }), database: testDb.config }, database });
});
afterAll(async () => {
  await app.close();
  await drop();
});

it('[HEALTH-503] /healthz answers 503 with the error shape while the database is unreachable, 200 after', async () => {
  expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok', db: 'ok' });
  databaseDown = true;
  const down = await app.inject('/healthz');
  expect(down.statusCode).toBe(503);
  expect(down.json()).toMatchObject({ status: 'degraded', db: 'down', error: { code: 'db_unavailable', message: expect.any(String) } });
  databaseDown = false;
  expect((await app.inject('/healthz')).statusCode).toBe(200);
});
