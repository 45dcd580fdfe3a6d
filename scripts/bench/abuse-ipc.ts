/** Messages between the harness and the abuse scenario's seeder/attacker processes (abuse-worker.ts). */

export interface SeedCmd {
  cmd: 'seed';
  wsBase: string;
  httpBase: string;
  roomId: string;
  viewId: string;
  /** Stop typing once the encoded document (Y.encodeStateAsUpdate) reaches this many bytes. */
  bytes: number;
  /** PRNG seed, so the same document shape every run. */
  seed: number;
  /** Keep the editor socket open after seeding (the target room stays loaded) or close it (the room unloads). */
  keepOpen: boolean;
  timeoutMs: number;
}

export type AttackKind = 'sync' | 'awareness' | 'http';

export interface AttackCmd {
  cmd: 'attack';
  kind: AttackKind;
  wsBase: string;
  httpBase: string;
  /** View id of the attacked room (sync and awareness attacks). */
  viewId: string;
  /** View id of the unloaded large room (HTTP attack). */
  restViewId: string;
  /** Sockets (sync) or concurrent request loops (http); the awareness attack always uses two sockets. */
  parallel: number;
  /** Sync step 1 frames per second per socket. */
  syncRate: number;
  /** Deeply nested awareness frames per second. */
  deepRate: number;
  deepLevels: number;
  /** Null-state awareness frames per second, and entries (never-seen client ids) per frame. */
  nullRate: number;
  nullEntries: number;
  /** Delay before an attacker whose socket was closed reconnects. */
  reconnectMs: number;
  /** The attack stops by itself after this long even if no 'stop' arrives. */
  maxMs: number;
}

export type AbuseParentMsg = SeedCmd | AttackCmd | { cmd: 'stop' } | { cmd: 'close' };

export interface SeedResult {
  ev: 'seeded';
  ok: boolean;
  error?: string;
  /** Text length the seeder holds, and what GET /rooms/:viewId reported last. */
  length: number;
  serverLength: number;
  stateBytes: number;
  structs: number;
  deleteRanges: number;
  edits: number;
  frames: number;
  ms: number;
}

export interface AttackStats {
  ev: 'attack-stats';
  kind: AttackKind;
  /** Socket opens that succeeded / attempts that never opened. */
  opened: number;
  connectFailed: number;
  /** Sockets closed by the server after opening, by close code (1006 = dropped without a close frame). */
  closedByServer: number;
  closeCodes: Record<string, number>;
  errors: string[];
  framesSent: number;
  bytesSent: number;
  framesReceived: number;
  bytesReceived: number;
  /** HTTP attack only. */
  requests: number;
  statuses: Record<string, number>;
  requestMeanMs: number | null;
  requestMaxMs: number | null;
  elapsedMs: number;
}

export type AbuseWorkerMsg = SeedResult | { ev: 'attacking' } | AttackStats | { ev: 'error'; message: string };
