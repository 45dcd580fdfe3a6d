import * as Y from 'yjs';
import type { Logger } from '../log';
import type { DocStore, RosterRecord, StoredUpdate } from './doc-store';
import type { RoomMember } from './member';
import type { PersistQueue, PersistTarget } from './persist-queue';

/**
 * Compaction by row count (COMPACT_MAX_LOG_ROWS) rewrites a snapshot up to this size whenever the
 * rows are there; a bigger one only once the log holds 1/SNAPSHOT_BYTES_PER_LOG_BYTE of its
 * bytes, which caps the bytes rewritten per byte of log at that ratio.
 */
const CHEAP_SNAPSHOT_BYTES = 256 * 1024;
const SNAPSHOT_BYTES_PER_LOG_BYTE = 8;

export interface RoomPersistenceOptions {
  roomId: string;
  store: DocStore;
  /** Batches log appends across rooms; owned by the registry. */
  queue: PersistQueue;
  logger: Logger;
  /** An idle-but-edited room is compacted this often. */
  compactIntervalMs: number;
  /** Compact as soon as this many log rows accumulate since the last snapshot. */
  compactMaxLogRows: number;
}

/** What persistence needs from its room. */
export interface RoomPersistenceSource {
  /** The full state for a snapshot, after dropping what must not be stored with it. */
  encodeSnapshot(): Uint8Array;
  rosterRecords(): RosterRecord[];
  /** Edits up to `lastEditAt` reached the log. */
  onStored(lastEditAt: Date): void;
  /** These log rows were written, ending at position `through` (history reads authorship from them). */
  onRowsStored(rows: readonly StoredUpdate[], from: number, through: number): void;
}

/** Where a room's stored state stood when it was loaded. */
export interface LoadedPosition {
  /** Position of the last log row read. */
  through: number;
  logRows: number;
  /** Bytes of snapshot and log together. */
  bytes: number;
  snapshotBytes: number;
}

function mergeBySession(pending: StoredUpdate[]): StoredUpdate[] {
  if (pending.length <= 1) return pending;
  // One log row per author per flush keeps history attributable while cutting rows ~100x for typing.
  const groups = new Map<string, StoredUpdate[]>();
  for (const record of pending) {
    const key = `${record.sessionId ?? ''}\u0000${record.author ?? ''}\u0000${record.serverMade ? 1 : 0}`;
    const group = groups.get(key);
    if (group) group.push(record);
    else groups.set(key, [record]);
  }
  const merged: StoredUpdate[] = [];
  for (const group of groups.values()) {
    const first = group[0]!;
    merged.push(
      group.length === 1
        ? first
        : {
            ...first,
            update: Y.mergeUpdates(group.map((record) => record.update)),
            ...(group.every((record) => record.clocks) && { clocks: group.flatMap((record) => record.clocks!) }),
          },
    );
  }
  return merged;
}

/**
 * A room's one persistence writer: every applied update is recorded here, appended to the log in
 * batches by the shared PersistQueue (retried with backoff on failure), and the log is folded into
 * a fresh snapshot periodically, after enough rows, and when the room unloads.
 */
export class RoomPersistence implements PersistTarget {
  private pending: StoredUpdate[] = [];
  private inFlight = false;
  /**
   * Points in the log asked for by logPoint(), each after `index` pending records: a batch never
   * takes records across one, so the point is exactly where a stored batch ends.
   */
  private points: { index: number; resolve: (through: number) => void }[] = [];
  /** Points that end the batch being written. */
  private inFlightPoints: ((through: number) => void)[] = [];
  /** The rows being written. */
  private inFlightRows: StoredUpdate[] = [];
  private compactTimer: NodeJS.Timeout | null = null;
  private compacting: Promise<void> | null = null;
  private lastAppended: number;
  private compactedThrough: number;
  private logRowsSinceCompact: number;
  private bytes: number;
  /** Bytes of the stored snapshot: what the next compaction rewrites. */
  private snapshotBytes: number;
  /** When a member last changed the document: `updatedAt`, stored at compaction (not per keystroke). */
  private lastEditAt: Date | null = null;
  private closed = false;
  /** False after a store call failed, until one succeeds again. */
  storeHealthy = true;

  constructor(
    private readonly options: RoomPersistenceOptions,
    private readonly source: RoomPersistenceSource,
    loaded: LoadedPosition,
  ) {
    this.lastAppended = loaded.through;
    this.compactedThrough = loaded.logRows === 0 ? loaded.through : -1;
    this.logRowsSinceCompact = loaded.logRows;
    this.bytes = loaded.bytes;
    this.snapshotBytes = loaded.snapshotBytes;
    if (loaded.logRows > 0) this.scheduleCompaction();
  }

  get roomId(): string {
    return this.options.roomId;
  }

  /** Bytes of Yjs state stored and pending, roughly: what the size cap is checked against. */
  get approxBytes(): number {
    return this.bytes;
  }

  /** Whether persisted state is behind memory (pending or failed writes). */
  get hasUnsavedChanges(): boolean {
    return this.pending.length > 0 || this.inFlight;
  }

  /**
   * An update was applied to the document; `member` made it, unless the server did.
   * `serverMade`: the room's own Y.Doc made it for the member (a simple-sync write, a restore).
   */
  record(update: Uint8Array, member: RoomMember | null, serverMade = false, clocks?: readonly number[]): void {
    this.bytes += update.byteLength;
    const at = new Date();
    if (member) this.lastEditAt = at;
    this.pending.push({ update, sessionId: member?.sessionId ?? null, author: member?.name ?? null, at, serverMade, ...(clocks && { clocks }) });
    this.options.queue.schedule(this);
  }

  /**
   * The log position of everything recorded so far, once it is stored: a version taken now
   * names exactly the document of this moment, however later edits are batched.
   */
  logPoint(): Promise<number> {
    return new Promise((resolve) => {
      if (this.pending.length > 0) {
        const last = this.points.at(-1);
        if (last?.index === this.pending.length) {
          const previous = last.resolve;
          last.resolve = (through) => {
            previous(through);
            resolve(through);
          };
        } else this.points.push({ index: this.pending.length, resolve });
        this.options.queue.schedule(this);
      } else if (this.inFlight) this.inFlightPoints.push(resolve);
      else resolve(this.lastAppended);
    });
  }

  /** PersistTarget: the queue takes everything pending up to the first log point, merged per author. */
  takePendingBatch(): StoredUpdate[] {
    if (this.pending.length === 0) return [];
    const point = this.points[0];
    const count = point ? point.index : this.pending.length;
    const taken = this.pending.splice(0, count);
    if (point) {
      this.points.shift();
      this.inFlightPoints.push(point.resolve);
      for (const later of this.points) later.index -= count;
    }
    const batch = mergeBySession(taken);
    this.inFlight = true;
    this.inFlightRows = batch;
    return batch;
  }

  restorePending(batch: StoredUpdate[]): void {
    this.inFlightRows = [];
    this.pending = batch.concat(this.pending);
    for (const point of this.points) point.index += batch.length;
    // The batch's own points go back in front of it, ending it again on the retry.
    const returned = this.inFlightPoints;
    this.inFlightPoints = [];
    if (returned.length > 0) {
      this.points.unshift({
        index: batch.length,
        resolve: (through) => {
          for (const resolve of returned) resolve(through);
        },
      });
    }
    this.inFlight = false;
  }

  markStored(through: number, rows: number): void {
    this.inFlight = false;
    const from = this.lastAppended;
    this.lastAppended = Math.max(this.lastAppended, through);
    const rowsStored = this.inFlightRows;
    this.inFlightRows = [];
    if (rowsStored.length > 0 && through > from) this.source.onRowsStored(rowsStored, from, through);
    const reached = this.inFlightPoints;
    this.inFlightPoints = [];
    for (const resolve of reached) resolve(this.lastAppended);
    // Records after a point wait for the next batch.
    if (this.pending.length > 0) this.options.queue.schedule(this);
    this.logRowsSinceCompact += rows;
    this.storeHealthy = true;
    if (this.lastEditAt) this.source.onStored(this.lastEditAt);
    if (this.closed) return;
    if (this.logRowsSinceCompact >= this.options.compactMaxLogRows && this.logWorthFolding()) this.compact().catch(() => {});
    else this.scheduleCompaction();
  }

  markStoreFailed(): void {
    this.storeHealthy = false;
  }

  /** Writes everything pending now; rejects if it could not be stored (it stays queued). */
  async flush(): Promise<void> {
    if (this.pending.length === 0 && !this.inFlight) return;
    // Each log point ends a batch: what is pending now takes one flush more per point.
    const batches = this.points.length + 1;
    for (let i = 0; i < batches && (this.pending.length > 0 || this.inFlight); i++) await this.options.queue.flush();
    if (this.pending.length > 0 || this.inFlight) throw new Error('updates are still waiting to be stored');
  }

  /**
   * Writes everything pending, then folds the log into a fresh snapshot. Rejects if anything
   * could not be stored; the room then keeps its state in memory and retries.
   */
  async compact(): Promise<void> {
    while (this.compacting) await this.compacting.catch(() => {});
    const run = (async () => {
      await this.flush();
      if (this.pending.length > 0) throw new Error('updates still pending after flush');
      if (this.compactedThrough === this.lastAppended && this.logRowsSinceCompact === 0) return;
      await this.options.queue.encodeTurn();
      if (this.closed) return;
      const through = this.lastAppended;
      const state = this.source.encodeSnapshot();
      const bytesAtState = this.bytes;
      const rowsFolded = this.logRowsSinceCompact;
      try {
        await this.options.store.compact(this.roomId, {
          state,
          through,
          roster: this.source.rosterRecords(),
          ...(this.lastEditAt && { editedAt: this.lastEditAt }),
        });
      } catch (error) {
        this.storeHealthy = false;
        this.options.logger.error({ err: error }, 'compaction failed; the update log still holds every change');
        this.scheduleCompaction();
        throw error;
      }
      this.compactedThrough = through;
      this.logRowsSinceCompact = Math.max(0, this.logRowsSinceCompact - rowsFolded);
      // Updates applied while the snapshot was being written still count toward the size cap.
      this.bytes = state.byteLength + Math.max(0, this.bytes - bytesAtState);
      this.snapshotBytes = state.byteLength;
      this.storeHealthy = true;
    })();
    this.compacting = run;
    try {
      await run;
    } finally {
      if (this.compacting === run) this.compacting = null;
    }
  }

  /** Stops the compaction timer and leaves the queue; a write already running still lands. */
  close(): void {
    this.closed = true;
    if (this.compactTimer) clearTimeout(this.compactTimer);
    this.compactTimer = null;
    this.options.queue.forget(this);
  }

  /**
   * Whether the log is big enough, next to the snapshot, for a rewrite by row count. Writing a
   * snapshot holds the database for time in proportion to its size (a 1 MB one about 50 ms on
   * embedded PGlite, whose single connection every log append then waits for), so a big document
   * is folded once its log has grown by a fraction of it, not every few keystrokes; the timer and
   * unloading still compact it whatever the log holds.
   */
  private logWorthFolding(): boolean {
    if (this.snapshotBytes <= CHEAP_SNAPSHOT_BYTES) return true;
    return (this.bytes - this.snapshotBytes) * SNAPSHOT_BYTES_PER_LOG_BYTE >= this.snapshotBytes;
  }

  private scheduleCompaction(): void {
    if (this.compactTimer || this.closed) return;
    this.compactTimer = setTimeout(() => {
      this.compactTimer = null;
      this.compact().catch(() => {});
    }, this.options.compactIntervalMs);
  }
}
