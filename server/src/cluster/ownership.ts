import { createRoomLeases, type OwnersRepo, type RoomLeaseOptions, type RoomLeases, type RoomOwner } from '@pairpad/db';
import type { Logger } from '../log';
import type { StoreFencing } from '../storage/db-doc-store';

/** Where a room is served right now. */
export type Placement =
  | { kind: 'local'; epoch: number }
  | { kind: 'remote'; owner: RoomOwner }
  /** Its lease is held but no owner recorded yet, or just released: ask again shortly. */
  | { kind: 'unavailable' };

export interface RoomOwnershipOptions {
  databaseUrl: string;
  instanceId: string;
  /** Where peers reach this instance's link endpoint. */
  address: string;
  owners: OwnersRepo;
  logger: Logger;
  /** Rooms this instance no longer owns (lease lost, or a write fenced): serve them no more. */
  onLost(roomIds: readonly string[]): void;
  leases?: RoomLeaseOptions;
}

/**
 * Which rooms this instance owns. A room is owned from a successful lease plus claim (the
 * claim's new epoch fences the previous owner) until it is released after unloading, or lost:
 * the lease connection died, or the database refused a write under the epoch.
 */
export class RoomOwnership implements StoreFencing {
  private leases: RoomLeases;
  private readonly epochs = new Map<string, number>();
  private readonly placing = new Map<string, Promise<Placement>>();
  private closed = false;
  /** Rooms this instance claimed since start (each claim is a change of owner, or a first owner). */
  claims = 0;

  constructor(private readonly options: RoomOwnershipOptions) {
    this.leases = this.openLeases();
  }

  private openLeases(): RoomLeases {
    const leases: RoomLeases = createRoomLeases(
      this.options.databaseUrl,
      (roomIds) => {
        if (this.leases === leases && !this.closed) this.leases = this.openLeases();
        this.giveUp(roomIds, 'lease connection lost; giving up the rooms it held');
      },
      this.options.leases,
    );
    return leases;
  }

  get ownedRoomIds(): string[] {
    return [...this.epochs.keys()];
  }

  epochOf(roomId: string): number | undefined {
    return this.epochs.get(roomId);
  }

  onFenced(roomIds: readonly string[]): void {
    for (const roomId of this.giveUp(roomIds, 'another instance took these rooms over; serving them no more')) {
      this.leases.release(roomId).catch(() => {});
    }
  }

  /** Stops owning those of `roomIds` this instance owned, and says so; returns them. */
  private giveUp(roomIds: readonly string[], why: string): string[] {
    const owned = roomIds.filter((roomId) => this.epochs.delete(roomId));
    if (owned.length > 0) {
      this.options.logger.warn({ rooms: owned.length }, why);
      this.options.onLost(owned);
    }
    return owned;
  }

  /** Owns the room if nobody does; otherwise says who does. Concurrent calls share one answer. */
  place(roomId: string): Promise<Placement> {
    const epoch = this.epochs.get(roomId);
    if (epoch !== undefined) return Promise.resolve({ kind: 'local', epoch });
    const existing = this.placing.get(roomId);
    if (existing) return existing;
    const placing = this.tryToOwn(roomId).finally(() => this.placing.delete(roomId));
    this.placing.set(roomId, placing);
    return placing;
  }

  private async tryToOwn(roomId: string): Promise<Placement> {
    if (this.closed) return { kind: 'unavailable' };
    const leases = this.leases;
    if (await leases.tryAcquire(roomId)) {
      try {
        const epoch = await this.options.owners.claim(roomId, this.options.instanceId, this.options.address);
        if (this.leases !== leases || !leases.held.has(roomId)) return { kind: 'unavailable' };
        this.epochs.set(roomId, epoch);
        this.claims++;
        return { kind: 'local', epoch };
      } catch (error) {
        await leases.release(roomId).catch(() => {});
        throw error;
      }
    }
    const owner = await this.options.owners.owner(roomId);
    if (owner && owner.instanceId !== this.options.instanceId) return { kind: 'remote', owner };
    return { kind: 'unavailable' };
  }

  /** The room unloaded here, its state stored: another instance may own it now. */
  async release(roomId: string): Promise<void> {
    if (!this.epochs.delete(roomId)) return;
    await this.leases.release(roomId);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.epochs.clear();
    await this.leases.close();
  }
}
