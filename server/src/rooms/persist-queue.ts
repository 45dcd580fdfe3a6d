import type { Logger } from '../log';
import type { DocStore, StoredUpdate } from './doc-store';

/** What the queue needs from a room; Room implements it. */
export interface PersistTarget {
  readonly roomId: string;
  /** Hands over everything pending (merged) and marks it in flight. */
  takePendingBatch(): StoredUpdate[];
  /** The batch did not land: put it back in front of anything newer. */
  restorePending(batch: StoredUpdate[]): void;
  markStored(through: number, rows: number): void;
  markStoreFailed(): void;
}

export interface PersistQueueOptions {
  flushMs: number;
  retryMinMs: number;
  retryMaxMs: number;
}

/**
 * Writes the pending updates of every dirty room in one store call per flush interval. With
 * hundreds of busy rooms this is one round trip (and, on embedded PGlite, one statement on our
 * own thread) instead of hundreds. A failure puts every batch back and retries with
 * exponential backoff; rooms keep serving from memory meanwhile.
 */
export class PersistQueue {
  private readonly dirty = new Set<PersistTarget>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private retryDelay = 0;
  private encodeTurns: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: DocStore,
    private readonly options: PersistQueueOptions,
    private readonly log: Logger,
  ) {}

  /** Marks a room as having pending updates: they are written within `flushMs`. */
  schedule(target: PersistTarget): void {
    this.dirty.add(target);
    this.arm();
  }

  /** Forgets a destroyed room. */
  forget(target: PersistTarget): void {
    this.dirty.delete(target);
  }

  private arm(): void {
    if (this.timer || this.running || this.dirty.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush().catch(() => {
        // Logged below; the retry is already armed.
      });
    }, this.retryDelay || this.options.flushMs);
  }

  /** Writes everything pending now; rejects if it did not land (the data stays queued). */
  async flush(): Promise<void> {
    while (this.running) await this.running.catch(() => {});
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const entries: { target: PersistTarget; updates: StoredUpdate[] }[] = [];
    for (const target of this.dirty) {
      const updates = target.takePendingBatch();
      if (updates.length > 0) entries.push({ target, updates });
    }
    this.dirty.clear();
    if (entries.length === 0) return;
    const run = (async () => {
      try {
        const through = await this.store.appendBatch(entries.map(({ target, updates }) => ({ roomId: target.roomId, updates })));
        for (const { target, updates } of entries) target.markStored(through.get(target.roomId) ?? 0, updates.length);
        if (this.retryDelay > 0) this.log.info({ rooms: entries.length }, 'store reachable again; pending updates written');
        this.retryDelay = 0;
      } catch (error) {
        for (const { target, updates } of entries) {
          target.restorePending(updates);
          target.markStoreFailed();
          this.dirty.add(target);
        }
        this.retryDelay = Math.min(this.options.retryMaxMs, this.retryDelay === 0 ? this.options.retryMinMs : this.retryDelay * 2);
        this.log.error(
          { err: error, rooms: entries.length, retryInMs: this.retryDelay },
          'appending updates failed; keeping them in memory and retrying',
        );
        throw error;
      }
    })();
    this.running = run;
    try {
      await run;
    } finally {
      if (this.running === run) this.running = null;
      this.arm();
    }
  }

  /**
   * Resolves on an event-loop turn of its own, one caller per turn. Rooms that were created or
   * got busy together reach their compaction point together; encoding all their snapshots in one
   * burst would hold every room's fan-out until the last one is done.
   */
  encodeTurn(): Promise<void> {
    const turn = this.encodeTurns.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
    this.encodeTurns = turn;
    return turn;
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
