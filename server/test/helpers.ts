import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, migrateToLatest, type DatabaseConfig, type DatabaseHandle } from '@pairpad/db';
import { createTestDatabase, truncateAllTables, type TestDatabase } from '@pairpad/db/testing';
import { YMessageType, type CreatedRoom, type LwwServerMessage } from '@pairpad/shared';
import * as encoding from 'lib0/encoding';
import { afterAll } from 'vitest';
import WebSocket from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { buildApp, type PairpadApp } from '../src/app';
import { encodeAwarenessEntries } from '../src/rooms/awareness-entries';
import { loadConfig, type Tuning } from '../src/config';

/** Set by .ci/run to run the integration suites against a real PostgreSQL too. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;

export interface TestServer {
  app: PairpadApp;
  port: number;
  httpUrl: string;
  wsUrl: string;
  database: DatabaseConfig;
  /** The app's own open database (PGlite memory:// cannot be opened twice). */
  handle: DatabaseHandle;
  close(): Promise<void>;
}

/**
 * One database per test file, created and migrated on first use: even from the migrated template
 * (db/src/testing.ts) an embedded PGlite takes about a second to start, emptying its tables a few
 * milliseconds. Each server
 * that takes it starts on empty tables; a server started while another holds it gets a fresh
 * database, so servers running side by side never share tables.
 */
let shared: Promise<{ testDb: TestDatabase; handle: DatabaseHandle }> | null = null;
let sharedInUse = false;

// Vitest evaluates this module once per test file, so this closes the file's database after it.
afterAll(async () => {
  if (!shared) return;
  const { testDb, handle } = await shared;
  shared = null;
  await handle.close();
  await testDb.drop();
});

async function takeSharedDatabase(): Promise<{ config: DatabaseConfig; handle: DatabaseHandle; release(): void }> {
  sharedInUse = true;
  try {
    shared ??= (async () => {
      const testDb = await createTestDatabase(TEST_DATABASE_URL);
      const handle = await createDatabase(testDb.config);
      await migrateToLatest(handle.db);
      return { testDb, handle };
    })();
    const { testDb, handle } = await shared;
    await truncateAllTables(handle.db);
    // The app closes its database when it closes; this one stays open for the next server.
    return { config: testDb.config, handle: { ...handle, close: async () => {} }, release: () => (sharedInUse = false) };
  } catch (error) {
    sharedInUse = false;
    throw error;
  }
}

/**
 * Boots the real app on an ephemeral port against the given database (default: the test file's
 * database, emptied, PGlite in memory or PostgreSQL when TEST_DATABASE_URL is set; see above).
 */
export async function startServer(
  options: { database?: DatabaseConfig; env?: Record<string, string>; history?: Partial<Tuning['history']> } = {},
): Promise<TestServer & { testDb?: TestDatabase }> {
  const sharedDatabase = !options.database && !sharedInUse ? await takeSharedDatabase() : undefined;
  const testDb = options.database || sharedDatabase ? undefined : await createTestDatabase(TEST_DATABASE_URL);
  const databaseConfig = options.database ?? sharedDatabase?.config ?? testDb!.config;
  const loaded = loadConfig({
    LOG_LEVEL: 'silent',
    PORT: '0',
    WEB_DIR: '/nonexistent-web-dir',
    PERSIST_FLUSH_MS: '20',
    ROOM_UNLOAD_DELAY_MS: '0',
    ...options.env,
  });
  const config = {
    ...loaded,
    database: databaseConfig,
    ...(options.history && { tuning: { ...loaded.tuning, history: { ...loaded.tuning.history, ...options.history } } }),
  };
  let database: DatabaseHandle;
  let app: PairpadApp;
  try {
    if (sharedDatabase) database = sharedDatabase.handle;
    else {
      database = await createDatabase(databaseConfig);
      await migrateToLatest(database.db);
    }
    app = await buildApp({ config, database });
    await app.listen({ port: 0, host: '127.0.0.1' });
  } catch (error) {
    sharedDatabase?.release();
    throw error;
  }
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('server has no port');
  let closed = false;
  return {
    app,
    port: address.port,
    httpUrl: `http://127.0.0.1:${address.port}`,
    wsUrl: `ws://127.0.0.1:${address.port}`,
    database: databaseConfig,
    handle: database,
    testDb,
    close: async () => {
      if (closed) return;
      closed = true;
      await app.close();
      sharedDatabase?.release();
      await testDb?.drop();
    },
  };
}

/**
 * A database that outlives a server process, for crash and restart tests: a fresh PostgreSQL
 * database when TEST_DATABASE_URL is set, else a PGlite directory. Its removal goes on `cleanups`.
 */
export async function restartableDatabase(cleanups: (() => Promise<void> | void)[]): Promise<DatabaseConfig> {
  if (TEST_DATABASE_URL) {
    const db = await createTestDatabase(TEST_DATABASE_URL);
    cleanups.push(db.drop);
    return db.config;
  }
  const data = await tempDataDir();
  cleanups.push(data.remove);
  return { kind: 'pglite', dataDir: data.dir };
}

/** A throwaway PGlite directory for restart tests. */
export async function tempDataDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'pairpad-test-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export async function createRoom(server: { httpUrl: string }, body: Record<string, unknown> = {}): Promise<CreatedRoom> {
  const response = await fetch(`${server.httpUrl}/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`POST /rooms -> ${response.status} ${await response.text()}`);
  return (await response.json()) as CreatedRoom;
}

export async function getJson(url: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

export interface YClient {
  doc: Y.Doc;
  text: Y.Text;
  provider: WebsocketProvider;
  closes: number[];
  synced(): Promise<void>;
  destroy(): void;
}

/** A stock y-websocket provider in Node, as an outside client would use it. */
export function yClient(
  server: { wsUrl: string },
  roomId: string,
  name: string,
  params: Record<string, string> = {},
  options: { connect?: boolean } = {},
): YClient {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(`${server.wsUrl}/yjs`, roomId, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    params: { name, ...params },
    // Same-process providers must meet only through the server.
    disableBc: true,
    connect: options.connect ?? true,
    maxBackoffTime: 300,
  });
  const closes: number[] = [];
  provider.on('connection-close', (event) => {
    if (event) closes.push(event.code);
  });
  return {
    doc,
    text: doc.getText('code'),
    provider,
    closes,
    synced: () =>
      provider.synced
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            const onSync = (state: boolean) => {
              if (state) {
                provider.off('sync', onSync);
                resolve();
              }
            };
            provider.on('sync', onSync);
          }),
    destroy: () => {
      provider.destroy();
      doc.destroy();
    },
  };
}

export interface RawSocket {
  ws: WebSocket;
  messages: (Uint8Array | string)[];
  closed: Promise<{ code: number; reason: string }>;
  opened: Promise<void>;
}

/** A bare socket, to send exactly the bytes a test needs and observe close codes. */
export function rawSocket(url: string, headers: Record<string, string> = {}): RawSocket {
  const ws = new WebSocket(url, { headers });
  const messages: (Uint8Array | string)[] = [];
  ws.on('message', (data, isBinary) => {
    const buffer = Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]);
    messages.push(isBinary ? new Uint8Array(buffer) : buffer.toString('utf8'));
  });
  ws.on('error', () => {});
  return {
    ws,
    messages,
    opened: new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    }),
    closed: new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }))),
  };
}

export interface LwwClient {
  ws: WebSocket;
  messages: LwwServerMessage[];
  closed: Promise<{ code: number; reason: string }>;
  send(message: unknown): void;
  /** Resolves with the first message (already received or future) matching the predicate. */
  next<T extends LwwServerMessage['type']>(type: T, predicate?: (message: Extract<LwwServerMessage, { type: T }>) => boolean, timeoutMs?: number): Promise<Extract<LwwServerMessage, { type: T }>>;
  close(): void;
}

export function lwwClient(server: { wsUrl: string }, roomId: string, name: string, params: Record<string, string> = {}): LwwClient {
  const query = new URLSearchParams({ name, ...params });
  const ws = new WebSocket(`${server.wsUrl}/ws/${roomId}?${query}`);
  const messages: LwwServerMessage[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    messages.push(JSON.parse(data.toString()) as LwwServerMessage);
    for (const waiter of waiters) waiter();
  });
  ws.on('error', () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const opened = new Promise<void>((resolve) => ws.once('open', () => resolve()));
  return {
    ws,
    messages,
    closed,
    send: (message) => void opened.then(() => ws.send(typeof message === 'string' ? message : JSON.stringify(message))),
    next: (type, predicate, timeoutMs = 5_000) =>
      new Promise((resolve, reject) => {
        let from = 0;
        const check = () => {
          for (; from < messages.length; from++) {
            const message = messages[from]!;
            if (message.type === type && (!predicate || predicate(message as never))) {
              waiters.delete(check);
              clearTimeout(timer);
              resolve(message as never);
              return;
            }
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no "${type}" message within ${timeoutMs} ms; got ${JSON.stringify(messages.map((m) => m.type))}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: () => ws.close(),
  };
}

/** Polls until `check` returns truthy; fails with the last value after `timeoutMs`. */
export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs = 5_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await check();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export { prng } from '@pairpad/shared/prng';

/** A y-websocket update frame as a stock client would send it, built with y-protocols itself. */
export function updateFrame(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, YMessageType.Sync);
  syncProtocol.writeUpdate(encoder, update);
  return encoding.toUint8Array(encoder);
}

/** An awareness frame from raw entries (JSON state strings), to send what no honest client would. */
export function awarenessFrame(entries: readonly { clientID: number; clock: number; state: string }[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, YMessageType.Awareness);
  encoding.writeVarUint8Array(encoder, encodeAwarenessEntries(entries.map((entry) => ({ ...entry, state: new TextEncoder().encode(entry.state) }))));
  return encoding.toUint8Array(encoder);
}
