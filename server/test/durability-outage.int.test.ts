import { performance } from 'node:perf_hooks';
import { createDatabase, documentsRepo } from '@pairpad/db';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, killAllChildServers, spawnServer } from './child-server';
import { proxiedTestDatabase } from './db-proxy';
import { insertToken, sleep, tokensIn } from './durability-tools';
import { TEST_DATABASE_URL, createRoom, getJson, prng, waitFor, yClient, type YClient } from './helpers';
import { replayStored } from '../src/rooms/doc-store';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await killAllChildServers();
  while (cleanups.length) await cleanups.pop()!();
});

/** How long the database stays away: long enough for several retries with backoff. */
const OUTAGE_MS = 3_000;

describe('database outage (PostgreSQL behind a TCP proxy, child process)', () => {
  it.runIf(TEST_DATABASE_URL)(
    '[DUR-outage] with PostgreSQL down, editing continues in memory, writes retry with backoff, /healthz is 503, and everything is stored once it returns',
    async () => {
      const random = prng(4242);
      const { direct, viaProxy, proxy } = await proxiedTestDatabase(TEST_DATABASE_URL!, cleanups);

      const server = await spawnServer({
        port: await freePort(),
        // Compaction after every flush keeps transactions in flight, so the cut lands inside one.
        env: { DATABASE_URL: viaProxy.toString(), PERSIST_FLUSH_MS: '50', LOG_LEVEL: 'warn', COMPACT_MAX_LOG_ROWS: '1', COMPACT_INTERVAL_MS: '100' },
      });
      cleanups.push(() => {
        const fatal = server.output().split('\n').filter((line) => /"level":(50|60)/.test(line) && !line.includes('appending updates failed'));
        if (fatal.length > 0) console.error(`[DUR-outage] server errors:\n${fatal.map((line) => line.slice(0, 1500)).join('\n')}`);
      });
      const room = await createRoom(server, { code: 'before\n', limit: 20 });
      const a = yClient(server, room.roomId, 'Outage A');
      const b = yClient(server, room.roomId, 'Outage B');
      const clients: YClient[] = [a, b];
      cleanups.push(() => clients.forEach((client) => client.destroy()));
      await Promise.all([a.synced(), b.synced()]);
      insertToken(a, 'pre.1', random);
      await waitFor(() => b.text.toString().includes('[pre.1]'));

      // The database goes away.
      await proxy.stop();
      const downAt = performance.now();
      const outageTokens: string[] = [];
      let health503 = 0;
      let healthBody: any = null;
      let n = 0;
      while (performance.now() - downAt < OUTAGE_MS && n < 500) {
        const writer = n % 2 === 0 ? a : b;
        const label = `out.n${n++}`;
        insertToken(writer, label, random);
        outageTokens.push(label);
        if (n % 20 === 0) {
          const health = await getJson(`${server.httpUrl}/healthz`);
          if (health.status === 503) {
            health503++;
            healthBody = health.body;
          }
        }
        await sleep(10);
      }
      // Live editing went on in memory: both clients, and a newcomer to the loaded room, see it all.
      await waitFor(() => a.text.toString() === b.text.toString(), 5_000, 'clients to converge during the outage');
      const late = yClient(server, room.roomId, 'Outage Late');
      clients.push(late);
      await late.synced();
      expect(late.text.toString()).toBe(a.text.toString());
      const health = await getJson(`${server.httpUrl}/healthz`);
      expect(health.status).toBe(503);
      expect(health.body.error.code).toBe('db_unavailable');
      expect(health.body.unsavedRooms).toBeGreaterThanOrEqual(1);

      // The database returns.
      await proxy.start();
      const upAt = performance.now();
      const check = await createDatabase({ kind: 'postgres', url: direct.toString(), maxConnections: 1 });
      cleanups.push(() => check.close());
      const storedText = async () => {
        const stored = await documentsRepo(check.db).load(room.roomId);
        const doc = replayStored(stored);
        try {
          return doc.getText('code').toString();
        } finally {
          doc.destroy();
        }
      };
      const expected = a.text.toString();
      try {
        await waitFor(async () => (await storedText()) === expected, 20_000, 'everything written during the outage to be stored');
      } catch (error) {
        console.error(server.output().split('\n').map((line) => line.slice(0, 400)).join('\n').slice(-6000));
        throw error;
      }
      const storedAt = performance.now();
      await waitFor(async () => (await getJson(`${server.httpUrl}/healthz`)).status === 200, 10_000, '/healthz to recover');
      const stored = tokensIn(await storedText());
      for (const label of outageTokens) expect(stored.get(label), label).toBe(1);

      // Retries backed off: each failed attempt waited at least as long as the one before.
      const retries = server
        .output()
        .split('\n')
        .filter((line) => line.includes('appending updates failed'))
        .map((line) => (JSON.parse(line) as { retryInMs: number }).retryInMs);
      if (retries.length < 2) console.log(server.output().slice(0, 4000));
      expect(retries.length).toBeGreaterThanOrEqual(2);
      for (let i = 1; i < retries.length; i++) expect(retries[i]!).toBeGreaterThanOrEqual(retries[i - 1]!);
      expect(retries[1]!).toBeGreaterThan(retries[0]!);
      expect(Math.max(...retries)).toBeLessThanOrEqual(10_000);
      console.log(
        `[DUR-outage] ${JSON.stringify({
          outageMs: Math.round(upAt - downAt),
          editsDuringOutage: outageTokens.length,
          health503SeenDuringOutage: health503,
          health503Body: healthBody ? { db: healthBody.db, unsavedRooms: healthBody.unsavedRooms } : null,
          retryDelaysMs: retries,
          storedAfterReturnMs: Math.round(storedAt - upAt),
        })}`,
      );
      await server.kill9();
    },
    120_000,
  );
});
