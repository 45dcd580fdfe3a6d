/**
 * Load-generator worker process (forked by the harness). Each client is a real
 * y-protocols peer: it keeps a Y.Doc, answers SyncStep1, applies every update it
 * receives, and types stamped text into `getText('code')`. All rooms of one
 * worker live here, so delivery accounting per room needs no cross-process state.
 */
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { ClientSpec, CollectResult, ConnectPlan, ParentMsg, WatchedRoom, WorkerMsg } from './ipc';
import {
  type Dialect,
  encodeAwareness,
  encodeHocuspocusAuth,
  encodeHocuspocusPong,
  encodeSync,
  framePrefix,
  HP_PING,
  makeStamp,
  MSG_AUTH,
  MSG_AWARENESS,
  MSG_SYNC,
  nowUs,
  scanStamps,
  SYNC_STEP1,
  SYNC_STEP2,
  SYNC_UPDATE,
} from './protocol';
import { LatencyHistogram } from './stats';

const LOCAL = Symbol('local');
const REMOTE = Symbol('remote');
const HP_SYNC_REPLY = 4;
const TICK_MS = 5;
/** An overloaded generator may catch up at most this many edits per client per tick; the rest are dropped and counted. */
const MAX_CATCH_UP = 4;

const hist = new LatencyHistogram();
const counters = {
  sent: 0,
  delivered: 0,
  awarenessSent: 0,
  awarenessRecv: 0,
  failedSends: 0,
  unexpectedCloses: 0,
  lagDrops: 0,
};
const closeCodes: Record<string, number> = {};
let lastCollectAt = performance.now();
/** The generator's own event-loop delay: when it is high, latency figures include generator stalls. */
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
let lastCpu = process.cpuUsage();

function send(msg: WorkerMsg): void {
  process.send?.(msg);
}

function recordLatency(us: number): void {
  hist.record(nowReceiveUs - us);
}
let nowReceiveUs = 0;
/** Set by a `watch` command: the failover measurement looks for edits stamped at or after it. */
let watchSinceUs: number | null = null;

class RoomState {
  readonly clients: BenchClient[] = [];
  sentTotal = 0;
  constructor(readonly roomId: string) {}
}

class BenchClient {
  readonly doc = new Y.Doc();
  readonly text = this.doc.getText('code');
  readonly prefix: Uint8Array;
  ws: WebSocket | null = null;
  synced = false;
  closedByUs = false;
  sent = 0;
  received = 0;
  nextAt = 0;
  awarenessClock = 0;
  /** Reconnect after an unexpected close (ConnectPlan.reconnect). */
  reconnect = false;
  /** The client's server first, then where it goes when that one refuses (ClientSpec.fallbackWsBases). */
  urls: string[] = [];
  reconnects = 0;
  /** performance.now()-based µs clock (nowUs) when this client first received, from another client, an edit stamped at or after watchSinceUs. */
  firstWatchedUs: number | null = null;
  private urlIndex = 0;
  private failedAttempts = 0;
  private refusedInRound = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private readonly awarenessHead: string;
  private onSynced: (() => void) | null = null;
  private onFail: ((e: Error) => void) | null = null;

  constructor(
    readonly dialect: Dialect,
    readonly url: string,
    readonly roomId: string,
    readonly spec: ClientSpec,
    readonly room: RoomState | null,
    /** Position in its room: the sender tag in stamps (joiners use 99). */
    readonly index: number,
    readonly awarenessPerEdit: boolean,
    readonly syncedOnOpen: boolean,
  ) {
    this.prefix = framePrefix(dialect, roomId);
    this.awarenessHead = `{"user":{"name":${JSON.stringify(spec.name)},"color":"#3366cc","role":"editor"},`;
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === LOCAL) this.sendRaw(encodeSync(this.prefix, SYNC_UPDATE, update));
    });
  }

  connect(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.onFail?.(new Error(`timeout after ${timeoutMs} ms`));
      }, timeoutMs);
      this.onSynced = () => {
        clearTimeout(timer);
        this.onSynced = null;
        this.onFail = null;
        resolve();
      };
      this.onFail = (e) => {
        clearTimeout(timer);
        this.onSynced = null;
        this.onFail = null;
        this.closedByUs = true;
        this.ws?.terminate();
        reject(e);
      };
      this.open();
    });
  }

  /** Opens a socket to the current URL; every (re)connection of this client goes through here. */
  private open(): void {
    const ws = new WebSocket(this.urls[this.urlIndex] ?? this.url, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
    ws.binaryType = 'nodebuffer';
    this.ws = ws;
    let opened = false;
    ws.on('open', () => {
      opened = true;
      this.failedAttempts = 0;
      this.refusedInRound = 0;
      if (this.dialect === 'hocuspocus') this.sendRaw(encodeHocuspocusAuth(this.prefix));
      this.sendRaw(encodeSync(this.prefix, SYNC_STEP1, Y.encodeStateVector(this.doc)));
      this.sendAwareness();
      if (this.syncedOnOpen) this.markSynced();
    });
    ws.on('message', (data: Buffer) => this.onMessage(data));
    ws.on('error', (e) => {
      this.onFail?.(e);
    });
    ws.on('close', (code, reason) => {
      const key = String(code);
      // A reconnect attempt that never opened is not a close of a working socket.
      if (!this.closedByUs && opened) {
        counters.unexpectedCloses++;
        closeCodes[key] = (closeCodes[key] ?? 0) + 1;
      }
      this.onFail?.(new Error(`closed ${code} ${reason.toString()}`));
      if (this.reconnect && this.synced && !this.closedByUs) this.scheduleReconnect(opened);
    });
  }

  /**
   * y-websocket's schedule: 100 ms after a working socket closed, doubling after each attempt
   * that did not open, at most 2.5 s. A refused connection moves on at once to the next URL
   * (a load balancer skips an instance that refuses), until every URL refused in one round.
   */
  private scheduleReconnect(opened: boolean): void {
    if (!opened && this.urls.length > 1) {
      this.urlIndex = (this.urlIndex + 1) % this.urls.length;
      if (++this.refusedInRound < this.urls.length) {
        this.reconnects++;
        this.open();
        return;
      }
      this.refusedInRound = 0;
    }
    if (!opened) this.failedAttempts++;
    const delay = Math.min(2 ** this.failedAttempts * 100, 2500);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.closedByUs) return;
      this.reconnects++;
      this.open();
    }, delay);
  }

  private markSynced(): void {
    if (this.synced) return;
    this.synced = true;
    this.onSynced?.();
  }

  sendRaw(bytes: Uint8Array): void {
    const ws = this.ws;
    if (ws === null || ws.readyState !== WebSocket.OPEN) {
      counters.failedSends++;
      return;
    }
    ws.send(bytes, (err) => {
      if (err) counters.failedSends++;
    });
  }

  sendAwareness(): void {
    const pos = this.sent * 20;
    const state = `${this.awarenessHead}"cursor":{"anchor":${pos},"head":${pos}}}`;
    this.sendRaw(encodeAwareness(this.prefix, this.doc.clientID, ++this.awarenessClock, state));
    counters.awarenessSent++;
  }

  edit(): void {
    const stamp = makeStamp(this.index, nowUs());
    // Insert at 0: Y.Text.insert at the end walks the interleaved items (findPosition was the
    // generator's top cost); at 0 it is O(1), and the server does the same integrate work.
    this.doc.transact(() => {
      this.text.insert(0, stamp);
    }, LOCAL);
    this.sent++;
    counters.sent++;
    if (this.room) this.room.sentTotal++;
    if (this.awarenessPerEdit) this.sendAwareness();
  }

  private onMessage(data: Buffer): void {
    try {
      const d = decoding.createDecoder(data);
      if (this.dialect === 'hocuspocus') decoding.readVarString(d);
      const type = decoding.readVarUint(d);
      if (type === MSG_SYNC || (this.dialect === 'hocuspocus' && type === HP_SYNC_REPLY)) {
        const step = decoding.readVarUint(d);
        const payload = decoding.readVarUint8Array(d);
        if (step === SYNC_UPDATE) {
          nowReceiveUs = nowUs();
          const n = scanStamps(payload, 0, payload.length, this.index, recordLatency);
          this.received += n;
          counters.delivered += n;
          if (watchSinceUs !== null && this.firstWatchedUs === null) this.watchFor(payload);
          Y.applyUpdate(this.doc, payload, REMOTE);
        } else if (step === SYNC_STEP2) {
          if (this.reconnects > 0) {
            // After a reconnection the server's reply carries what this client missed meanwhile:
            // delivered, though too late to count as fan-out latency.
            const n = scanStamps(payload, 0, payload.length, this.index, () => {});
            this.received += n;
            counters.delivered += n;
            if (watchSinceUs !== null && this.firstWatchedUs === null) this.watchFor(payload);
          }
          Y.applyUpdate(this.doc, payload, REMOTE);
          this.markSynced();
        } else if (step === SYNC_STEP1) {
          this.sendRaw(encodeSync(this.prefix, SYNC_STEP2, Y.encodeStateAsUpdate(this.doc, payload)));
        }
      } else if (type === MSG_AWARENESS) {
        counters.awarenessRecv++;
      } else if (this.dialect === 'hocuspocus' && type === MSG_AUTH) {
        const sub = decoding.readVarUint(d);
        if (sub === 1) this.onFail?.(new Error('hocuspocus permission denied'));
      } else if (this.dialect === 'hocuspocus' && type === HP_PING) {
        this.sendRaw(encodeHocuspocusPong(this.prefix));
      }
    } catch (e) {
      send({ ev: 'error', message: `decode: ${(e as Error).message}` });
    }
  }

  private watchFor(payload: Uint8Array): void {
    const since = watchSinceUs ?? Infinity;
    let hit = false;
    scanStamps(payload, 0, payload.length, this.index, (us) => {
      if (us >= since) hit = true;
    });
    if (hit) this.firstWatchedUs = nowUs();
  }

  close(): void {
    this.closedByUs = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.ws?.close();
    this.doc.destroy();
  }
}

const rooms: RoomState[] = [];
const typists: BenchClient[] = [];
let perClientRate = 0;
let intervalMs = Infinity;
let ticker: NodeJS.Timeout | null = null;

function tick(): void {
  if (perClientRate <= 0) return;
  const now = performance.now();
  for (const c of typists) {
    let n = 0;
    while (c.nextAt <= now) {
      if (n >= MAX_CATCH_UP) {
        const behind = Math.floor((now - c.nextAt) / intervalMs) + 1;
        counters.lagDrops += behind;
        c.nextAt += behind * intervalMs;
        break;
      }
      c.edit();
      c.nextAt += intervalMs;
      n++;
    }
  }
}

function setRate(r: number): void {
  perClientRate = r;
  if (r <= 0) {
    intervalMs = Infinity;
    if (ticker) clearInterval(ticker);
    ticker = null;
    return;
  }
  intervalMs = 1000 / r;
  const now = performance.now();
  // Spread the clients' phases so edits do not leave in bursts.
  for (const c of typists) c.nextAt = now + Math.random() * intervalMs;
  ticker ??= setInterval(tick, TICK_MS);
}

async function connectAll(plan: ConnectPlan): Promise<void> {
  const t0 = performance.now();
  const all: BenchClient[] = [];
  for (const r of plan.rooms) {
    const room = new RoomState(r.roomId);
    rooms.push(room);
    for (const spec of r.clients) {
      const query = `/${r.roomId}?name=${encodeURIComponent(spec.name)}`;
      const url = `${spec.wsBase ?? plan.wsBase}${query}`;
      const c = new BenchClient(plan.dialect, url, r.roomId, spec, room, room.clients.length, plan.awarenessPerEdit, plan.syncedOnOpen);
      c.urls = [url, ...(spec.fallbackWsBases ?? []).map((base) => `${base}${query}`)];
      c.reconnect = plan.reconnect ?? false;
      room.clients.push(c);
      all.push(c);
      if (spec.typing) typists.push(c);
    }
  }
  let ok = 0;
  let failed = 0;
  const errors: string[] = [];
  // Rooms connect client by client in order, so names reach the server in a stable order.
  // firstClientsFirst: every room's first client is synced before any room's second one starts.
  const waves = plan.firstClientsFirst ? [all.filter((c) => c.index === 0), all.filter((c) => c.index !== 0)] : [all];
  for (const wave of waves) {
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < wave.length) {
        const c = wave[next++];
        if (!c) break;
        try {
          await c.connect(plan.timeoutMs);
          ok++;
        } catch (e) {
          failed++;
          if (errors.length < 5) errors.push(`${c.spec.name}@${c.roomId}: ${(e as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, plan.concurrency) }, lane));
  }
  send({ ev: 'connected', ok, failed, errors, ms: performance.now() - t0 });
}

function collect(reset: boolean): void {
  const now = performance.now();
  const cpu = process.cpuUsage(lastCpu);
  const res: CollectResult = {
    ev: 'collected',
    hist: hist.toJSON(),
    ...counters,
    closeCodes: { ...closeCodes },
    cpuUserMs: cpu.user / 1000,
    cpuSysMs: cpu.system / 1000,
    elapsedMs: now - lastCollectAt,
    loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    loopDelayMaxMs: loopDelay.max / 1e6,
  };
  if (reset) {
    hist.reset();
    for (const k of Object.keys(counters) as (keyof typeof counters)[]) counters[k] = 0;
    for (const k of Object.keys(closeCodes)) delete closeCodes[k];
    lastCollectAt = now;
    lastCpu = process.cpuUsage();
    loopDelay.reset();
  }
  send(res);
}

function roomPending(room: RoomState): number {
  let missing = 0;
  for (const c of room.clients) {
    const expected = room.sentTotal - c.sent;
    if (c.received < expected) missing += expected - c.received;
  }
  return missing;
}

async function drain(timeoutMs: number): Promise<void> {
  setRate(0);
  const t0 = performance.now();
  let missing = 0;
  for (;;) {
    missing = 0;
    for (const r of rooms) missing += roomPending(r);
    if (missing === 0 || performance.now() - t0 > timeoutMs) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  let expected = 0;
  let delivered = 0;
  let converged = 0;
  const divergent: string[] = [];
  for (const r of rooms) {
    for (const c of r.clients) {
      expected += r.sentTotal - c.sent;
      delivered += c.received;
    }
    const first = r.clients[0]?.text.toString();
    const same = r.clients.every((c) => c.text.toString() === first);
    if (same) converged++;
    else if (divergent.length < 5) divergent.push(r.roomId);
  }
  send({
    ev: 'drained',
    expected,
    delivered,
    undelivered: missing,
    roomsTotal: rooms.length,
    roomsConverged: converged,
    waitedMs: performance.now() - t0,
    divergent,
  });
}

const SEED_LINE = 'export function handler(event, context) { return compute(event.payload, 42); }\n';

async function seed(roomIdx: number, bytes: number, chunk: number): Promise<void> {
  const t0 = performance.now();
  const c = rooms[roomIdx]?.clients[0];
  if (!c) throw new Error(`no room ${roomIdx}`);
  let written = 0;
  while (written < bytes) {
    const n = Math.min(chunk, bytes - written);
    let s = '';
    while (s.length < n) s += SEED_LINE;
    s = s.slice(0, n);
    c.doc.transact(() => c.text.insert(c.text.length, s), LOCAL);
    written += n;
    // Let the socket drain between chunks so no frame queues behind a megabyte.
    while ((c.ws?.bufferedAmount ?? 0) > 0) await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, 300));
  send({ ev: 'seeded', length: c.text.length, ms: performance.now() - t0 });
}

async function join(dialect: Dialect, wsBase: string, roomId: string, name: string, timeoutMs: number): Promise<void> {
  const url = `${wsBase}/${roomId}?name=${encodeURIComponent(name)}`;
  const c = new BenchClient(dialect, url, roomId, { name, typing: false }, null, 99, false, false);
  const t0 = performance.now();
  try {
    await c.connect(timeoutMs);
    const ms = performance.now() - t0;
    send({ ev: 'joined', ok: true, ms, length: c.text.length });
  } catch (e) {
    send({ ev: 'joined', ok: false, ms: performance.now() - t0, length: c.text.length, error: (e as Error).message });
  } finally {
    c.close();
  }
}

function watchedRoom(r: RoomState): WatchedRoom {
  const since = watchSinceUs ?? 0;
  let last = 0;
  let all = true;
  for (const c of r.clients) {
    if (c.firstWatchedUs === null) all = false;
    else last = Math.max(last, c.firstWatchedUs);
  }
  return {
    roomId: r.roomId,
    servedAfterMs: all && r.clients.length > 0 ? (last - since) / 1000 : null,
    reconnects: r.clients.reduce((a, c) => a + c.reconnects, 0),
  };
}

let currentPlan: ConnectPlan | null = null;

process.on('message', (raw: ParentMsg) => {
  const run = async (): Promise<void> => {
    switch (raw.cmd) {
      case 'connect':
        currentPlan = raw.plan;
        await connectAll(raw.plan);
        break;
      case 'rate':
        setRate(raw.perClient);
        break;
      case 'collect':
        collect(raw.reset);
        break;
      case 'drain':
        await drain(raw.timeoutMs);
        break;
      case 'seed':
        await seed(raw.room, raw.bytes, raw.chunk);
        break;
      case 'join':
        if (!currentPlan) throw new Error('join before connect');
        await join(currentPlan.dialect, currentPlan.wsBase, raw.roomId, raw.name, raw.timeoutMs);
        break;
      case 'watch':
        watchSinceUs = raw.sinceUs;
        for (const r of rooms) for (const c of r.clients) c.firstWatchedUs = null;
        send({ ev: 'watching' });
        break;
      case 'watched':
        send({ ev: 'watched', rooms: rooms.map(watchedRoom) });
        break;
      case 'close':
        setRate(0);
        for (const r of rooms) for (const c of r.clients) c.close();
        setTimeout(() => process.exit(0), 200);
        break;
    }
  };
  run().catch((e: unknown) => send({ ev: 'error', message: (e as Error).stack ?? String(e) }));
});

process.on('disconnect', () => process.exit(0));
