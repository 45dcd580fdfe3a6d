import type { Role } from '@pairpad/shared';
import type { Logger } from '../log';

/** Who is on the other end of a socket, as established by the transport from the query string. */
export interface SessionIdentity {
  connectionId: string;
  name: string;
  role: Role;
  sessionId: string | null;
  /**
   * The browser's person id (kept by all its tabs): connections with the same name and person
   * are one person in several tabs, not a name clash.
   */
  personId?: string | null;
  /** The view capability was presented: this connection may only ever watch. */
  viaViewId: boolean;
}

export interface SessionLimits {
  /** Longest LWW whole buffer, in UTF-16 units (default: the shared MAX_CODE_LENGTH). */
  maxTextLength?: number;
  /** The interval full-text pushes to a room's LWW clients are coalesced over. */
  lwwCoalesceMs: number;
  maxMessagesPerSecond: number;
  messageBurst: number;
  /** A client whose unsent backlog exceeds this is disconnected rather than buffered forever. */
  maxBufferedBytes: number;
  /**
   * Sync replies one socket may take, in bytes per second (bursts to `syncBurstBytes`): a
   * client asks once per connection, so one that keeps asking is closed (4429).
   */
  syncBytesPerSecond: number;
  syncBurstBytes: number;
}

export interface SessionDeps {
  logger: Logger;
  limits: SessionLimits;
  /** Called once when the session ends, whatever ended it. */
  onLeave: () => void;
}
