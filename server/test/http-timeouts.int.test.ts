import { connect } from 'node:net';
import { createDatabase, migrateToLatest } from '@pairpad/db';
import { createTestDatabase } from '@pairpad/db/testing';
import type { CreatedRoom } from '@pairpad/shared';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp, type PairpadApp } from '../src/app';
import { DEFAULT_TUNING, loadConfig } from '../src/config';
import { lwwClient, TEST_DATABASE_URL } from './helpers';

let app: PairpadApp;
let port: number;
let drop: () => Promise<void>;

beforeAll(async () => {
  const testDb = await createTestDatabase(TEST_DATABASE_URL);
  drop = testDb.drop;
  const database = await createDatabase(testDb.config);
  await migrateToLatest(database.db);
  const config = {
    // No keepalive pings during the test: the sockets below stay silent.
    ...loadConfig({ LOG_LEVEL: 'silent', WEB_DIR: '/nonexistent', PING_INTERVAL_MS: '3600000' }),
    database: testDb.config,
    tuning: {
      ...DEFAULT_TUNING,
      http: { headersTimeoutMs: 200, requestTimeoutMs: 400, connectionTimeoutMs: 150, timeoutCheckIntervalMs: 50 },
    },
  };
  app = await buildApp({ config, database });
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as { port: number }).port;
});
afterAll(async () => {
  await app?.close();
  await drop?.();
});

/** Sends `head` and then `drip` every 50 ms until the server closes the connection; resolves with what it answered. */
function dripRequest(head: string, drip: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(head));
    const timer = setInterval(() => socket.writable && socket.write(drip), 50);
    let answer = '';
    socket.on('data', (data) => (answer += data.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      resolve(answer);
    });
  });
}

it('[HTTP-timeouts] slow requests are cut with 408, and WebSockets silent for longer than every HTTP timeout stay open', async () => {
  const room = (await app.inject({ method: 'POST', url: '/rooms', payload: {} })).json<CreatedRoom>();
  const server = { wsUrl: `ws://127.0.0.1:${port}` };
  const watcher = lwwClient(server, room.roomId, 'Quiet Watcher');
  const writer = lwwClient(server, room.roomId, 'Quiet Writer');
  await Promise.all([watcher.next('init'), writer.next('init')]);
  let cut = false;
  void Promise.race([watcher.closed, writer.closed]).then(() => (cut = true));

  // Headers dripped in forever (slowloris), then a body dripped in forever.
  expect(await dripRequest('GET /healthz HTTP/1.1\r\nHost: x\r\n', 'X-Slow: 1\r\n')).toMatch(/^HTTP\/1\.1 408 /);
  const slowBody = 'POST /autocomplete HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n';
  expect(await dripRequest(slowBody, ' ')).toMatch(/^HTTP\/1\.1 408 /);

  // Both sockets have now been silent past the connection, headers and request timeouts.
  expect(cut).toBe(false);
  writer.send({ type: 'code', code: 'still here' });
  expect((await watcher.next('code', (message) => message.code === 'still here')).from).toBe('Quiet Writer');
  watcher.close();
  writer.close();
});
