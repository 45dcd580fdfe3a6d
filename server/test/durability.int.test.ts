import { performance } from 'node:perf_hooks';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { databaseEnv, freePort, killAllChildServers, spawnServer, type ChildServer } from './child-server';
import {
  checkPrefixConsistency,
  insertToken,
  percentile,
  recordLocalUpdates,
  sleep,
  tokensIn,
  trackAcks,
  type LocalUpdate,
} from './durability-tools';
import { TEST_DATABASE_URL, createRoom, getJson, prng, restartableDatabase, waitFor, yClient, type YClient } from './helpers';

/**
 * Crash safety against the real server in a child process. The database is the run's: PGlite in a
 * temp directory, or a fresh PostgreSQL database when TEST_DATABASE_URL is set (CI runs both).
 */

const FLUSH_MS = 50;
/**
 * Allowance on top of PERSIST_FLUSH_MS for the flush's own database write. Worst case for one
 * update: it arrives just after a flush took the batch, waits FLUSH_MS for its timer, then waits
 * for that earlier append (one DB round trip, or a compaction's transaction queued ahead of it on
 * PGlite's single connection) and its own append (another round trip); plus event-loop lag of the
 * server and this test on a shared 2-core machine. 450 ms covers several slow round trips.
 */
const MARGIN_MS = 450;
const LOSS_BOUND_MS = FLUSH_MS + MARGIN_MS;
const SEED = Number(process.env.DUR_SEED ?? 20261123);
const DB_LABEL = TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await killAllChildServers();
  while (cleanups.length) await cleanups.pop()!();
});
afterAll(async () => {
  await killAllChildServers();
});


interface CycleFigures {
  edits: number;
  acked: number;
  lost: number;
  lostAges: number[];
  survivingAges: number[];
  mode: string;
  compaction: string;
}

/** Waits for a fresh client to sync and returns it (the caller destroys it). */
async function freshClient(server: ChildServer, roomId: string, name: string): Promise<YClient> {
  const client = yClient(server, roomId, name);
  await client.synced();
  return client;
}

/**
 * Boots the server, then `kills` times: two writers type random lines (an observer records when
 * the server had applied each), the server is SIGKILLed at a random moment and restarted, and the
 * restored document is checked: loads, is exactly a per-client prefix of what was written, holds
 * every edit acknowledged more than LOSS_BOUND_MS before the kill, and holds nothing twice.
 */
async function killCycles(
  kills: number,
  envForCycle: (cycle: number) => Record<string, string>,
  seed: number,
  options: { code?: string; padding?: string; compaction?: (cycle: number) => string } = {},
): Promise<CycleFigures[]> {
  const random = prng(seed);
  const database = await restartableDatabase(cleanups);
  const port = await freePort();
  const env = (cycle: number) => ({ ...databaseEnv(database), PERSIST_FLUSH_MS: String(FLUSH_MS), ...envForCycle(cycle) });
  let server = await spawnServer({ port, env: env(0) });
  const room = await createRoom(server, { code: options.code ?? 'base\n', limit: 20 });
  const everSurvived = new Set<string>();
  const figures: CycleFigures[] = [];

  for (let cycle = 0; cycle < kills; cycle++) {
    const observer = yClient(server, room.roomId, `Observer ${cycle}`);
    const writers = [yClient(server, room.roomId, `Writer ${cycle}a`), yClient(server, room.roomId, `Writer ${cycle}b`)];
    const clients = [observer, ...writers];
    await Promise.all(clients.map((client) => client.synced()));
    const base = Y.encodeStateAsUpdate(observer.doc);
    const acked = trackAcks(observer);
    const updates: LocalUpdate[] = [];
    for (const writer of writers) recordLocalUpdates(writer, updates);

    // Mode: kill while typing (clients closed right after the kill, so they cannot re-send), or
    // close the clients first and kill a random moment later.
    const mode = random() < 0.6 ? 'kill-while-typing' : 'close-then-kill';
    const typeForMs = 600 + Math.floor(random() * 900);
    const started = performance.now();
    let edits = 0;
    while (performance.now() - started < typeForMs && edits < 2_000) {
      const w = Math.floor(random() * writers.length);
      insertToken(writers[w]!, `c${cycle}.w${w}.n${edits}`, random, options.padding);
      edits++;
      await sleep(2 + Math.floor(random() * 6));
    }
    let killAt: number;
    if (mode === 'kill-while-typing') {
      killAt = performance.now();
      server.process.kill('SIGKILL');
      for (const client of clients) client.destroy();
    } else {
      for (const client of clients) client.destroy();
      await sleep(Math.floor(random() * 2 * FLUSH_MS));
      killAt = performance.now();
      server.process.kill('SIGKILL');
    }
    await server.kill9();

    server = await spawnServer({ port, env: env(cycle + 1) });
    const checker = await freshClient(server, room.roomId, `Checker ${cycle}`);
    try {
      const restoredText = checker.text.toString();
      const present = tokensIn(restoredText);
      for (const [token, count] of present) expect(count, `token ${token} duplicated`).toBe(1);
      // Edits that survived an earlier kill never disappear later.
      for (const token of everSurvived) expect(present.has(token), `token ${token} survived once, then vanished`).toBe(true);
      const cycleFigures: CycleFigures = { edits, acked: 0, lost: 0, lostAges: [], survivingAges: [], mode, compaction: (options.compaction ?? compactionLabel)(cycle) };
      for (const [token, at] of acked) {
        if (at > killAt) continue;
        cycleFigures.acked++;
        const age = killAt - at;
        if (present.has(token)) cycleFigures.survivingAges.push(age);
        else {
          cycleFigures.lost++;
          cycleFigures.lostAges.push(age);
        }
      }
      const tooOld = cycleFigures.lostAges.filter((age) => age > LOSS_BOUND_MS);
      expect(tooOld, `edits acknowledged more than ${LOSS_BOUND_MS} ms before the kill were lost`).toEqual([]);
      expect(checkPrefixConsistency(checker.doc, base, updates)).toBeNull();
      // The server's own view (REST) matches what a client loads.
      expect((await getJson(`${server.httpUrl}/rooms/${room.roomId}`)).body.code).toBe(restoredText);
      for (const token of present.keys()) everSurvived.add(token);
      figures.push(cycleFigures);
    } finally {
      checker.destroy();
    }
  }
  await server.kill9();
  return figures;
}

function summarize(label: string, figures: CycleFigures[]): void {
  const lostAges = figures.flatMap((f) => f.lostAges);
  const line = {
    database: DB_LABEL,
    kills: figures.length,
    modes: figures.map((f) => `${f.mode}/${f.compaction}`).join(','),
    edits: figures.reduce((s, f) => s + f.edits, 0),
    ackedBeforeKill: figures.reduce((s, f) => s + f.acked, 0),
    lost: lostAges.length,
    maxLostAgeMs: lostAges.length ? Math.round(Math.max(...lostAges)) : 0,
    p50LostAgeMs: lostAges.length ? Math.round(percentile(lostAges, 50)) : 0,
    boundMs: LOSS_BOUND_MS,
  };
  console.log(`[${label}] ${JSON.stringify(line)}`);
}

const KILLS = Number(process.env.DUR_KILLS ?? 4);

/** Odd cycles compact after every flush (one log row is enough), so a kill lands in or between compactions. */
const compactionEnv = (cycle: number): Record<string, string> =>
  cycle % 2 === 1
    ? { COMPACT_MAX_LOG_ROWS: '1', COMPACT_INTERVAL_MS: '100' }
    : { COMPACT_MAX_LOG_ROWS: '100000', COMPACT_INTERVAL_MS: '600000' };
function compactionLabel(cycle: number): string {
  return cycle % 2 === 1 ? 'continuous' : 'log-only';
}

describe(`crash safety (${DB_LABEL}, child process, SIGKILL)`, () => {
  it('[DUR-kill][DUR-kill-compact] after kill -9 at random moments (also mid-compaction) every edit older than the flush window is there, once, and the document loads', async () => {
    const figures = await killCycles(Math.max(2, KILLS), compactionEnv, SEED);
    summarize('DUR-kill', figures);
    expect(figures.reduce((s, f) => s + f.acked, 0)).toBeGreaterThan(0);
  }, 300_000);
});

/**
 * A 1 MB document with COMPACT_MAX_LOG_ROWS=10. Every compaction rewrites the whole snapshot and
 * log appends wait behind it (one connection on PGlite), so compacting every 10 rows made the
 * loss window grow with the document. Each edit carries 1 KB, so the log grows by about 100 KB/s
 * and compactions still happen while the writers type.
 */
const BIG_CODE = '// one line of a large file, repeated to make a megabyte\n'.repeat(18_000);
describe(`crash safety with a 1 MB document (${DB_LABEL}, child process, SIGKILL)`, () => {
  it('[DUR-kill-bigdoc] kill -9 with COMPACT_MAX_LOG_ROWS=10 on a 1 MB document loses nothing older than the flush window', async () => {
    // Half of DUR_KILLS (at least 2): every cycle types into and reloads a 1 MB document.
    const figures = await killCycles(Math.max(2, Math.ceil(KILLS / 2)), () => ({ COMPACT_MAX_LOG_ROWS: '10' }), SEED + 13, {
      code: BIG_CODE,
      padding: ` ${'-'.repeat(1_000)}`,
      compaction: () => 'rows-10-1MB',
    });
    summarize('DUR-kill-bigdoc', figures);
    expect(figures.reduce((s, f) => s + f.acked, 0)).toBeGreaterThan(0);
  }, 300_000);
});

/** Deletes the line holding `[label]` from the client's text, if it is there. */
function deleteToken(client: YClient, label: string): boolean {
  const needle = `[${label}]\n`;
  const at = client.text.toString().indexOf(needle);
  if (at === -1) return false;
  client.text.delete(at, needle.length);
  return true;
}

describe(`clients outlive the server (${DB_LABEL}, child process)`, () => {
  it('[DUR-offline] clients keep editing while the server is down; on restart they reconnect and everything merges, once', async () => {
    const random = prng(SEED + 7);
    const database = await restartableDatabase(cleanups);
    const port = await freePort();
    const env = { ...databaseEnv(database), PERSIST_FLUSH_MS: String(FLUSH_MS) };
    let server = await spawnServer({ port, env });
    const room = await createRoom(server, { code: 'start\n', limit: 20 });
    const a = yClient(server, room.roomId, 'Offline A', { session: 'offline-a' });
    const b = yClient(server, room.roomId, 'Offline B', { session: 'offline-b' });
    cleanups.push(() => {
      a.destroy();
      b.destroy();
    });
    await Promise.all([a.synced(), b.synced()]);
    const writers = [a, b];
    const inserted: string[] = [];
    const deleted = new Set<string>();
    let n = 0;
    const type = async (phase: string, forMs: number) => {
      const started = performance.now();
      while (performance.now() - started < forMs && n < 1_000) {
        const w = Math.floor(random() * 2);
        const writer = writers[w]!;
        if (inserted.length > 4 && random() < 0.15) {
          // Delete a line this writer can see; the other may delete the same line concurrently.
          const victim = inserted[Math.floor(random() * inserted.length)]!;
          if (deleteToken(writer, victim)) deleted.add(victim);
        } else {
          const label = `${phase}.w${w}.n${n}`;
          insertToken(writer, label, random);
          inserted.push(label);
        }
        n++;
        await sleep(2 + Math.floor(random() * 5));
      }
    };

    await type('online', 300);
    // Killed mid-typing: the last edits never reached the log; only the clients hold them now.
    server.process.kill('SIGKILL');
    await server.kill9();
    await waitFor(() => !a.provider.wsconnected && !b.provider.wsconnected, 5_000, 'clients to notice the server is gone');
    await type('offline', 400);
    expect(a.text.toString()).not.toBe(b.text.toString());

    const restartAt = performance.now();
    server = await spawnServer({ port, env });
    const bootedAt = performance.now();
    await waitFor(
      () => a.provider.synced && b.provider.synced && a.text.toString() === b.text.toString(),
      20_000,
      'clients to reconnect and converge',
    );
    const convergedAt = performance.now();
    const checker = yClient(server, room.roomId, 'Offline Checker');
    cleanups.push(() => checker.destroy());
    await checker.synced();
    await waitFor(() => checker.text.toString() === a.text.toString(), 5_000, 'a fresh client to see the merged document');

    const present = tokensIn(a.text.toString());
    for (const label of inserted) {
      if (deleted.has(label)) expect(present.has(label), `deleted ${label} came back`).toBe(false);
      else expect(present.get(label), `insert ${label}`).toBe(1);
    }
    expect([...present.keys()].every((label) => inserted.includes(label))).toBe(true);
    expect(a.text.toString().split('start\n').length - 1, 'the initial line, once').toBe(1);
    // The merged document is stored: a snapshot is written on demand without error.
    const saved = await fetch(`${server.httpUrl}/rooms/${room.roomId}/snapshot`, { method: 'POST' });
    expect(saved.status).toBe(200);
    console.log(
      `[DUR-offline] ${JSON.stringify({
        database: DB_LABEL,
        edits: n,
        inserted: inserted.length,
        deleted: deleted.size,
        bootMs: Math.round(bootedAt - restartAt),
        reconnectAndMergeMs: Math.round(convergedAt - bootedAt),
      })}`,
    );
    await server.kill9();
  }, 120_000);
});
