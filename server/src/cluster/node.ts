import { ownersRepo, type DatabaseHandle } from '@pairpad/db';
import type { ClusterConfig } from '../config';
import type { Logger } from '../log';
import type { ChannelOpen } from './link-protocol';
import { RoomOwnership } from './ownership';
import { PeerLinks, type ChannelHandlers, type OutgoingChannel } from './peer-links';

/** Where a client's connection goes: served here, or relayed to the room's owner. */
export type Route = { kind: 'local' } | { kind: 'forwarded'; channel: OutgoingChannel } | { kind: 'unavailable' };

/**
 * How long a join waits for a room that is between owners (its owner just died and PostgreSQL
 * has not freed the lease yet, or a hand-over is under way) before the client is told to retry.
 */
const ROUTE_DEADLINE_MS = 5_000;
const ROUTE_RETRY_MS = 100;

/** Counters an operator reads on /healthz and /metrics. */
export interface ClusterStats {
  /** Clients of this instance whose room another instance serves (now). */
  forwardedClients: number;
  /** Clients of other instances this instance serves as the owner (now). */
  servedForPeers: number;
  /** Frames relayed over links, both ways, since start. */
  forwardedFrames: number;
  /** Rooms this instance gave up (lease lost or a write fenced) since start. */
  roomsLost: number;
}

/** One instance of several: which rooms it owns, and its links to the others. */
export class ClusterNode {
  readonly ownership: RoomOwnership;
  readonly links: PeerLinks;
  readonly stats: ClusterStats = { forwardedClients: 0, servedForPeers: 0, forwardedFrames: 0, roomsLost: 0 };
  private lostListener: (roomIds: readonly string[]) => void = () => {};

  constructor(
    readonly config: ClusterConfig,
    database: DatabaseHandle,
    databaseUrl: string,
    private readonly log: Logger,
  ) {
    this.ownership = new RoomOwnership({
      databaseUrl,
      instanceId: config.instanceId,
      address: config.internalUrl,
      owners: ownersRepo(database.db),
      logger: log,
      onLost: (roomIds) => {
        this.stats.roomsLost += roomIds.length;
        this.lostListener(roomIds);
      },
    });
    this.links = new PeerLinks({ instanceId: config.instanceId, secret: config.secret, logger: log });
  }

  get instanceId(): string {
    return this.config.instanceId;
  }

  /** Who stops serving rooms this instance no longer owns (the room registry). */
  onRoomsLost(listener: (roomIds: readonly string[]) => void): void {
    this.lostListener = listener;
  }

  /**
   * Finds where the room is served, owning it if nobody does, and for a room served elsewhere
   * opens a channel to its owner. A room between owners is asked about again until the deadline.
   */
  async route(open: ChannelOpen, handlers: ChannelHandlers, stillWanted: () => boolean): Promise<Route> {
    const deadline = Date.now() + ROUTE_DEADLINE_MS;
    while (stillWanted() && Date.now() < deadline) {
      const placement = await this.ownership.place(open.roomId);
      if (placement.kind === 'local') return { kind: 'local' };
      if (placement.kind === 'remote') {
        try {
          const channel = await this.links.open(placement.owner.address, open, handlers);
          return { kind: 'forwarded', channel };
        } catch (error) {
          // The recorded owner does not answer: it probably died, and its lease frees shortly.
          this.log.debug({ err: error, owner: placement.owner.instanceId }, 'room owner unreachable; asking again');
        }
      }
      await new Promise((resolve) => setTimeout(resolve, ROUTE_RETRY_MS));
    }
    return { kind: 'unavailable' };
  }

  async close(): Promise<void> {
    this.links.close();
    await this.ownership.close();
  }
}
