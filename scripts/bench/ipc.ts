/** Messages between the harness (parent) and its load-generator worker processes. */
import type { Dialect } from './protocol';
import type { HistogramData } from './stats';

export interface ClientSpec {
  name: string;
  typing: boolean;
  /** This client's server, when not the plan's (the cluster scenario spreads a room's clients over instances). */
  wsBase?: string;
  /** Where a reconnecting client goes when its own server refuses connections (a load balancer skipping a dead instance), in order. */
  fallbackWsBases?: string[];
}

export interface RoomSpec {
  roomId: string;
  clients: ClientSpec[];
}

export interface ConnectPlan {
  dialect: Dialect;
  /** e.g. ws://127.0.0.1:4100/yjs ; a client connects to `${wsBase}/${roomId}?name=...` */
  wsBase: string;
  rooms: RoomSpec[];
  /** Send a cursor awareness update with every edit (busy scenario). */
  awarenessPerEdit: boolean;
  /** The relay never answers SyncStep1: a client counts as synced once its socket is open. */
  syncedOnOpen: boolean;
  concurrency: number;
  timeoutMs: number;
  /** Connect every room's first client before any second one, so the first lands first (a cluster instance claims a room on its first join). */
  firstClientsFirst?: boolean;
  /** Reconnect after an unexpected close, as y-websocket does (100 ms, doubling after failed attempts, at most 2.5 s). */
  reconnect?: boolean;
}

export type ParentMsg =
  | { cmd: 'connect'; plan: ConnectPlan }
  | { cmd: 'rate'; perClient: number }
  | { cmd: 'collect'; reset: boolean }
  | { cmd: 'drain'; timeoutMs: number }
  | { cmd: 'seed'; room: number; bytes: number; chunk: number }
  | { cmd: 'join'; roomId: string; name: string; timeoutMs: number }
  | { cmd: 'watch'; sinceUs: number }
  | { cmd: 'watched' }
  | { cmd: 'close' };

export interface ConnectResult {
  ev: 'connected';
  ok: number;
  failed: number;
  errors: string[];
  ms: number;
}

/** What the clients counted in a window; a worker reports it, the pool sums it over workers. */
export interface TrafficCounts {
  hist: HistogramData;
  sent: number;
  delivered: number;
  awarenessSent: number;
  awarenessRecv: number;
  failedSends: number;
  unexpectedCloses: number;
  closeCodes: Record<string, number>;
  lagDrops: number;
}

export interface CollectResult extends TrafficCounts {
  ev: 'collected';
  cpuUserMs: number;
  cpuSysMs: number;
  elapsedMs: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

export interface DrainResult {
  ev: 'drained';
  expected: number;
  delivered: number;
  undelivered: number;
  roomsTotal: number;
  roomsConverged: number;
  waitedMs: number;
  divergent: string[];
}

export interface SeedResult {
  ev: 'seeded';
  length: number;
  ms: number;
}

export interface JoinResult {
  ev: 'joined';
  ok: boolean;
  ms: number;
  length: number;
  error?: string;
}

/** Per room, after a `watch`: how soon every client got an edit another client typed at or after `sinceUs`. */
export interface WatchedRoom {
  roomId: string;
  /** ms from `sinceUs` until the last of the room's clients received such an edit; null while one has not. */
  servedAfterMs: number | null;
  /** Reconnections of the room's clients so far. */
  reconnects: number;
}

export interface WatchedResult {
  ev: 'watched';
  rooms: WatchedRoom[];
}

export type WorkerMsg =
  | ConnectResult
  | CollectResult
  | DrainResult
  | SeedResult
  | JoinResult
  | WatchedResult
  | { ev: 'watching' }
  | { ev: 'error'; message: string };
