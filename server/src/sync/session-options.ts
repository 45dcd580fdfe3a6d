import type { Role } from '@pairpad/shared';
import type { Logger } from '../log';

/** Who is on the other end of a socket, as established by the transport from the query string. */
export interface SessionIdentity {
  connectionId: string;
  name: string;
  role: Role;
  sessionId: string | null;
}

export interface SessionLimits {
  maxMessagesPerSecond: number;
  messageBurst: number;
  /** A client whose unsent backlog exceeds this is disconnected rather than buffered forever. */
  maxBufferedBytes: number;
}

export interface SessionDeps {
  logger: Logger;
  limits: SessionLimits;
  /** Called once when the session ends, whatever ended it. */
  onLeave: () => void;
}
