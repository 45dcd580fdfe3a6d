import { CloseCode, type Role } from '@pairpad/shared';
import { roomRef, type Logger } from '../log';
import type { DismissalReason } from '../rooms/member';
import type { Room } from '../rooms/room';
import { TokenBucket } from '../rooms/token-bucket';
import { dismissal } from './refusals';
import type { SessionDeps, SessionIdentity } from './session-options';
import type { SocketLike } from './socket';

/**
 * What both endpoints' sessions share: identity, the per-socket rate limit, the slow-consumer
 * guard, and a lifecycle where nothing is sent before the greeting and leaving happens once.
 */
export abstract class SessionBase {
  readonly connectionId: string;
  readonly name: string;
  readonly role: Role;
  readonly sessionId: string | null;
  readonly personId: string | null;
  readonly viaViewId: boolean;
  protected readonly log: Logger;
  protected readonly limiter: TokenBucket;
  protected ended = false;
  private started = false;

  constructor(
    protected readonly socket: SocketLike,
    protected readonly room: Room,
    identity: SessionIdentity,
    protected readonly deps: SessionDeps,
  ) {
    this.connectionId = identity.connectionId;
    this.name = identity.name;
    this.role = identity.role;
    this.sessionId = identity.sessionId;
    this.personId = identity.personId ?? null;
    this.viaViewId = identity.viaViewId;
    this.log = deps.logger.child({ room: roomRef(room.roomId), connectionId: identity.connectionId });
    this.limiter = new TokenBucket(deps.limits.maxMessagesPerSecond, deps.limits.messageBurst);
  }

  /** Sends the greeting; until then nothing goes out, so it is always the first message. */
  start(): void {
    this.started = true;
    this.greet();
  }

  protected abstract greet(): void;

  /** Writes to the socket unless the session is not started, over, or the client is far behind. */
  protected write(data: Uint8Array | string): void {
    if (!this.started || this.ended || !this.socket.isOpen) return;
    if (this.socket.bufferedAmount > this.deps.limits.maxBufferedBytes) {
      this.log.warn({ bufferedAmount: this.socket.bufferedAmount }, 'client cannot keep up; disconnecting');
      this.close(CloseCode.RoomFullOrRateLimited, 'too far behind');
      return;
    }
    this.socket.send(data);
  }

  /** Whether the client still answers (see SocketLike.probe); without pings, assume so. */
  probe(timeoutMs: number): Promise<boolean> {
    if (this.ended) return Promise.resolve(false);
    return this.socket.probe ? this.socket.probe(timeoutMs) : Promise.resolve(true);
  }

  close(code: number, reason: string): void {
    this.end();
    this.socket.close(code, reason);
  }

  dismiss(reason: DismissalReason): void {
    const { closeCode, message } = dismissal(reason);
    this.close(closeCode, message);
  }

  /** The transport reports the socket closed. */
  handleClose(): void {
    this.end();
  }

  /** Releases what a subclass holds (timers); runs once, when the session ends. */
  protected onEnd(): void {}

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
    this.deps.onLeave();
  }
}
