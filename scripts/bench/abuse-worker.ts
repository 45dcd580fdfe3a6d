/**
 * Seeder and attacker process of the abuse scenario (forked by abuse.ts, never inside the server
 * or the victim's worker). A seeder types a large document with many small edits and deletions
 * into a room as its editor. An attacker holds only a room's view id and runs one kind of attack
 * (sync step 1 flood, hostile awareness, REST reads of an unloaded room) until told to stop or
 * until its own deadline; a socket the server closes is counted and reopened after a short delay.
 */
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import WebSocket from 'ws';
import type { AbuseParentMsg, AbuseWorkerMsg, AttackCmd, AttackStats, SeedCmd } from './abuse-ipc';
import { encodeAwareness, encodeAwarenessEntries, encodeSync, MSG_SYNC, SYNC_STEP1, SYNC_STEP2, SYNC_UPDATE } from './protocol';

const LOCAL = Symbol('local');
const NO_PREFIX = new Uint8Array(0);
const TICK_MS = 10;
/** Frames a socket may catch up in one tick after a stall; more would be a burst the limiter punishes. */
const MAX_CATCH_UP = 3;
const SEED_FRAME_BYTES = 128 * 1024;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function send(msg: AbuseWorkerMsg): void {
  process.send?.(msg);
}

function mulberry32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const randomClientId = (): number => Math.floor(Math.random() * 0xffffffff);

// ---------------------------------------------------------------------------------------------
// Seeder

const WORDS = ['const', 'let', 'return', 'function', 'value', 'index', 'await', 'if', 'else', 'for', 'of', 'map', 'filter', '=>', '{', '}', '(x)', 'result', 'items', 'this.state', 'export', 'import'];

/** The editor socket a seeder keeps open (target room), so the room stays loaded. */
let heldSocket: WebSocket | null = null;
let heldDoc: Y.Doc | null = null;

async function seed(cmd: SeedCmd): Promise<void> {
  const t0 = performance.now();
  const doc = new Y.Doc();
  const text = doc.getText('code');
  const result = { length: 0, serverLength: -1, stateBytes: 0, structs: 0, deleteRanges: 0, edits: 0, frames: 0 };
  const ws = new WebSocket(`${cmd.wsBase}/${cmd.roomId}?name=${encodeURIComponent(`seeder-${cmd.seed}`)}`, {
    perMessageDeflate: false,
    maxPayload: 256 * 1024 * 1024,
    handshakeTimeout: 10_000,
  });
  let closed: string | null = null;
  let synced = false;
  ws.on('error', (e) => {
    closed ??= `socket error: ${e.message}`;
  });
  ws.on('close', (code, reason) => {
    closed ??= `closed ${code} ${reason.toString()}`;
  });
  ws.on('message', (data: Buffer) => {
    try {
      const d = decoding.createDecoder(data);
      if (decoding.readVarUint(d) !== MSG_SYNC) return;
      const step = decoding.readVarUint(d);
      const payload = decoding.readVarUint8Array(d);
      if (step === SYNC_STEP1) {
        if (ws.readyState === WebSocket.OPEN) ws.send(encodeSync(NO_PREFIX, SYNC_STEP2, Y.encodeStateAsUpdate(doc, payload)));
      } else {
        Y.applyUpdate(doc, payload);
        if (step === SYNC_STEP2) synced = true;
      }
    } catch (e) {
      send({ ev: 'error', message: `seeder decode: ${(e as Error).message}` });
    }
  });
  ws.on('open', () => ws.send(encodeSync(NO_PREFIX, SYNC_STEP1, Y.encodeStateVector(doc))));

  const deadline = Date.now() + cmd.timeoutMs;
  const fail = (error: string): void => {
    ws.terminate();
    doc.destroy();
    send({ ev: 'seeded', ok: false, error, ...result, length: text.length, ms: performance.now() - t0 });
  };
  while (!synced) {
    if (closed) return fail(`before sync: ${closed}`);
    if (Date.now() > deadline) return fail('no sync step 2 from the server');
    await sleep(20);
  }

  let batch: Uint8Array[] = [];
  let batchBytes = 0;
  let sentBytes = 0;
  doc.on('update', (update: Uint8Array, origin: unknown) => {
    if (origin !== LOCAL) return;
    batch.push(update);
    batchBytes += update.byteLength;
  });
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const merged = Y.mergeUpdates(batch);
    sentBytes += merged.byteLength;
    batch = [];
    batchBytes = 0;
    if (ws.readyState !== WebSocket.OPEN) return;
    ws.send(encodeSync(NO_PREFIX, SYNC_UPDATE, merged));
    result.frames++;
    // Let each frame leave (and the server apply it) before the next: no burst against the rate limit.
    while (ws.bufferedAmount > 0 && ws.readyState === WebSocket.OPEN) await sleep(5);
    await sleep(20);
  };

  // Lines typed at the end or in the middle, and a short deletion at a random place after most
  // lines: the document ends up as tens of thousands of items and a delete set with as many
  // ranges, which is what makes encoding a sync step 2 for a partial state vector expensive.
  const rnd = mulberry32(cmd.seed);
  for (let lines = 1; ; lines++) {
    let line = '  '.repeat(Math.floor(rnd() * 4));
    const words = 3 + Math.floor(rnd() * 8);
    for (let i = 0; i < words; i++) line += (WORDS[Math.floor(rnd() * WORDS.length)] ?? 'x') + ' ';
    line += '\n';
    const len = text.length;
    const at = rnd() < 0.3 && len > 0 ? Math.floor(rnd() * len) : len;
    doc.transact(() => text.insert(at, line), LOCAL);
    result.edits++;
    if (rnd() < 0.7 && text.length > 16) {
      const n = 1 + Math.floor(rnd() * 8);
      const from = Math.floor(rnd() * (text.length - n));
      doc.transact(() => text.delete(from, n), LOCAL);
      result.edits++;
    }
    if (batchBytes >= SEED_FRAME_BYTES) await flush();
    if (closed) return fail(`while seeding: ${closed}`);
    if (Date.now() > deadline) return fail('seeding timed out');
    // Encoding the whole document to check its size is not free: only near the goal (what was
    // sent so far runs a little below the encoded size).
    if (lines % 500 === 0 && sentBytes >= cmd.bytes * 0.6 && Y.encodeStateAsUpdate(doc).byteLength >= cmd.bytes) break;
  }
  await flush();
  result.stateBytes = Y.encodeStateAsUpdate(doc).byteLength;
  doc.store.clients.forEach((structs) => (result.structs += structs.length));
  Y.createDeleteSetFromStructStore(doc.store).clients.forEach((ranges) => (result.deleteRanges += ranges.length));
  result.length = text.length;

  // The server has it when a REST read returns the same text length.
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${cmd.httpBase}/rooms/${cmd.viewId}`, { signal: AbortSignal.timeout(10_000) });
      if (res.ok) {
        const body = (await res.json()) as { code?: unknown };
        result.serverLength = typeof body.code === 'string' ? body.code.length : -1;
        if (result.serverLength === result.length) break;
      }
    } catch {
      // retried until the deadline
    }
    if (closed) break;
    await sleep(250);
  }
  const ok = result.serverLength === result.length;
  if (cmd.keepOpen && !closed) {
    heldSocket = ws;
    heldDoc = doc;
  } else {
    ws.close(1000);
    doc.destroy();
  }
  send({
    ev: 'seeded',
    ok,
    ...(ok ? {} : { error: closed ?? `server text length ${result.serverLength} != ${result.length}` }),
    ...result,
    ms: performance.now() - t0,
  });
}

// ---------------------------------------------------------------------------------------------
// Attacks

const stats: AttackStats = {
  ev: 'attack-stats',
  kind: 'sync',
  opened: 0,
  connectFailed: 0,
  closedByServer: 0,
  closeCodes: {},
  errors: [],
  framesSent: 0,
  bytesSent: 0,
  framesReceived: 0,
  bytesReceived: 0,
  requests: 0,
  statuses: {},
  requestMeanMs: null,
  requestMaxMs: null,
  elapsedMs: 0,
};
let stopping = false;
let attackStartedAt = 0;
let requestMsSum = 0;
const sockets = new Set<AttackSocket>();
const httpAbort = new AbortController();
const httpLoops: Promise<void>[] = [];
let ticker: NodeJS.Timeout | null = null;
let deadlineTimer: NodeJS.Timeout | null = null;

function noteError(message: string): void {
  if (stats.errors.length < 8 && !stats.errors.includes(message)) stats.errors.push(message);
}

/**
 * One attacker socket: opens, sends `rate` frames/s from `nextFrame()` while open, and reopens
 * `reconnectMs` after the server closes it, until the attack stops.
 */
class AttackSocket {
  private ws: WebSocket | null = null;
  private nextAt = 0;
  private attempt = 0;

  constructor(
    private readonly url: (attempt: number) => string,
    private readonly rate: number,
    private readonly nextFrame: () => Uint8Array,
    private readonly onOpen: () => void,
    private readonly onMessage: (data: Buffer) => void,
    private readonly reconnectMs: number,
  ) {}

  open(): void {
    if (stopping) return;
    let opened = false;
    const ws = new WebSocket(this.url(++this.attempt), { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024, handshakeTimeout: 10_000 });
    this.ws = ws;
    ws.binaryType = 'nodebuffer';
    ws.on('open', () => {
      opened = true;
      stats.opened++;
      this.nextAt = performance.now();
      this.onOpen();
    });
    ws.on('message', (data: Buffer) => {
      stats.framesReceived++;
      stats.bytesReceived += data.byteLength;
      this.onMessage(data);
    });
    ws.on('error', (e) => {
      if (!stopping) noteError(`${opened ? 'socket' : 'connect'}: ${e.message}`);
    });
    ws.on('close', (code) => {
      if (this.ws === ws) this.ws = null;
      if (stopping) return;
      if (opened) {
        stats.closedByServer++;
        stats.closeCodes[String(code)] = (stats.closeCodes[String(code)] ?? 0) + 1;
      } else {
        stats.connectFailed++;
        noteError(`closed ${code} before open`);
      }
      setTimeout(() => this.open(), this.reconnectMs);
    });
  }

  tick(now: number): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN || this.rate <= 0) return;
    const interval = 1000 / this.rate;
    for (let n = 0; this.nextAt <= now; n++) {
      if (n >= MAX_CATCH_UP) {
        // Behind after a stall: skip rather than burst.
        this.nextAt = now + interval;
        break;
      }
      const frame = this.nextFrame();
      ws.send(frame);
      stats.framesSent++;
      stats.bytesSent += frame.byteLength;
      this.nextAt += interval;
    }
  }

  close(): void {
    this.ws?.terminate();
    this.ws = null;
  }
}

/** The room's state vector as the server announced it in its greeting (sync step 1). */
let knownStateVector: Map<number, number> | null = null;
let knownClockTotal = 0;

function readStateVector(payload: Uint8Array): Map<number, number> {
  const d = decoding.createDecoder(payload);
  const sv = new Map<number, number>();
  const n = decoding.readVarUint(d);
  for (let i = 0; i < n; i++) {
    const client = decoding.readVarUint(d);
    sv.set(client, decoding.readVarUint(d));
  }
  return sv;
}

/**
 * A fresh sync step 1 for every frame: the room's real state vector with one client's clock
 * lowered by a random amount (clients weighted by clock, so mostly the big one). Every reply is
 * a different partial document, so neither a full-state nor a per-state-vector cache helps.
 * Before any greeting arrived: a state vector naming one random unknown client (the reply is
 * then the whole document).
 */
function nextSyncFrame(): Uint8Array {
  const sv = knownStateVector;
  if (!sv || knownClockTotal === 0) {
    return encodeSync(NO_PREFIX, SYNC_STEP1, Y.encodeStateVector(new Map([[randomClientId(), 1 + Math.floor(Math.random() * 1000)]])));
  }
  let pick = Math.random() * knownClockTotal;
  let client = -1;
  for (const [c, clock] of sv) {
    client = c;
    pick -= clock;
    if (pick < 0) break;
  }
  const lowered = new Map(sv);
  lowered.set(client, Math.floor(Math.random() * (sv.get(client) ?? 0)));
  return encodeSync(NO_PREFIX, SYNC_STEP1, Y.encodeStateVector(lowered));
}

function onSyncMessage(data: Buffer): void {
  if (knownStateVector) return;
  try {
    const d = decoding.createDecoder(data);
    if (decoding.readVarUint(d) !== MSG_SYNC || decoding.readVarUint(d) !== SYNC_STEP1) return;
    knownStateVector = readStateVector(decoding.readVarUint8Array(d));
    knownClockTotal = [...knownStateVector.values()].reduce((a, b) => a + b, 0);
  } catch (e) {
    noteError(`greeting decode: ${(e as Error).message}`);
  }
}

function deepState(levels: number): string {
  return `{"user":{"name":"atk-deep","color":"#000000","role":"viewer"},"x":${'['.repeat(levels)}${']'.repeat(levels)}}`;
}

async function httpLoop(url: string, until: number): Promise<void> {
  while (!stopping && Date.now() < until) {
    const t0 = performance.now();
    let status = 'error';
    try {
      const res = await fetch(url, { signal: AbortSignal.any([httpAbort.signal, AbortSignal.timeout(15_000)]) });
      const body = await res.arrayBuffer();
      stats.bytesReceived += body.byteLength;
      status = String(res.status);
    } catch (e) {
      if (stopping) return;
      noteError(`GET: ${(e as Error).message}`);
    }
    const ms = performance.now() - t0;
    stats.requests++;
    stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
    requestMsSum += ms;
    if (ms > (stats.requestMaxMs ?? 0)) stats.requestMaxMs = ms;
    // A refused connection fails at once: do not spin on it.
    if (status === 'error') await sleep(100);
  }
}

function startAttack(cmd: AttackCmd): void {
  stats.kind = cmd.kind;
  stopping = false;
  attackStartedAt = performance.now();
  const until = Date.now() + cmd.maxMs;
  deadlineTimer = setTimeout(() => stopAll(), cmd.maxMs);
  const url = (name: string) => () => `${cmd.wsBase}/${cmd.viewId}?name=${encodeURIComponent(name)}&role=viewer`;
  const withAttempt = (prefix: string) => (attempt: number) => url(`${prefix}-${attempt}`)();
  const nothing = (): void => {};
  if (cmd.kind === 'sync') {
    for (let i = 0; i < cmd.parallel; i++) {
      sockets.add(new AttackSocket(withAttempt(`atk-sync${i}`), cmd.syncRate, nextSyncFrame, nothing, onSyncMessage, cmd.reconnectMs));
    }
  } else if (cmd.kind === 'awareness') {
    const deep = deepState(cmd.deepLevels);
    let deepClient = randomClientId();
    let deepClock = 0;
    sockets.add(
      new AttackSocket(
        withAttempt('atk-deep'),
        cmd.deepRate,
        () => encodeAwareness(NO_PREFIX, deepClient, ++deepClock, deep),
        () => {
          deepClient = randomClientId();
          deepClock = 0;
        },
        nothing,
        cmd.reconnectMs,
      ),
    );
    sockets.add(
      new AttackSocket(
        withAttempt('atk-null'),
        cmd.nullRate,
        () => encodeAwarenessEntries(NO_PREFIX, Array.from({ length: cmd.nullEntries }, () => ({ clientId: randomClientId(), clock: 1, stateJson: 'null' }))),
        nothing,
        nothing,
        cmd.reconnectMs,
      ),
    );
  } else {
    for (let i = 0; i < cmd.parallel; i++) httpLoops.push(httpLoop(`${cmd.httpBase}/rooms/${cmd.restViewId}`, until));
  }
  for (const s of sockets) s.open();
  if (sockets.size > 0) ticker = setInterval(() => {
    const now = performance.now();
    for (const s of sockets) s.tick(now);
  }, TICK_MS);
  send({ ev: 'attacking' });
}

function stopAll(): void {
  stopping = true;
  if (ticker) clearInterval(ticker);
  ticker = null;
  if (deadlineTimer) clearTimeout(deadlineTimer);
  deadlineTimer = null;
  for (const s of sockets) s.close();
  httpAbort.abort();
  if (stats.elapsedMs === 0 && attackStartedAt > 0) stats.elapsedMs = performance.now() - attackStartedAt;
}

async function reportStats(): Promise<void> {
  stopAll();
  await Promise.race([Promise.allSettled(httpLoops), sleep(2000)]);
  stats.requestMeanMs = stats.requests > 0 ? requestMsSum / stats.requests : null;
  send({ ...stats });
}

process.on('message', (raw: AbuseParentMsg) => {
  const run = async (): Promise<void> => {
    switch (raw.cmd) {
      case 'seed':
        await seed(raw);
        break;
      case 'attack':
        startAttack(raw);
        break;
      case 'stop':
        await reportStats();
        break;
      case 'close':
        stopAll();
        heldSocket?.terminate();
        heldDoc?.destroy();
        setTimeout(() => process.exit(0), 100);
        break;
    }
  };
  run().catch((e: unknown) => send({ ev: 'error', message: (e as Error).stack ?? String(e) }));
});

process.on('disconnect', () => process.exit(0));
