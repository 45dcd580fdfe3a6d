/** Messages between the harness (parent) and its load-generator worker processes. */
import type { Dialect } from './protocol';
import type { HistogramData } from './stats';

export interface ClientSpec {
  name: string;
  typing: boolean;
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
}

export type ParentMsg =
  | { cmd: 'connect'; plan: ConnectPlan }
  | { cmd: 'rate'; perClient: number }
  | { cmd: 'collect'; reset: boolean }
  | { cmd: 'drain'; timeoutMs: number }
  | { cmd: 'seed'; room: number; bytes: number; chunk: number }
  | { cmd: 'join'; roomId: string; name: string; timeoutMs: number }
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

export type WorkerMsg = ConnectResult | CollectResult | DrainResult | SeedResult | JoinResult | { ev: 'error'; message: string };
