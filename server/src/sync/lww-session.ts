import {
  CloseCode,
  parseLwwMessage,
  type ErrorCode,
  type LwwServerMessage,
  type Participant,
} from '@pairpad/shared';
import type { Logger } from '../log';
import type { Room, RoomMember } from '../rooms/room';
import { RateLimiter } from './rate-limiter';
import type { SessionDeps, SessionIdentity } from './session-options';
import type { IncomingFrame, SocketLike } from './socket';

/**
 * The last-write-wins JSON protocol for simple clients, on the same Y.Doc as Yjs clients. A
 * whole-buffer write becomes a minimal diff in one transaction; changes from anywhere come back
 * as full text, coalesced by the room.
 */
export class LwwSession implements RoomMember {
  readonly kind = 'lww' as const;
  readonly connectionId: string;
  readonly name: string;
  readonly role: SessionIdentity['role'];
  readonly sessionId: string | null;
  private readonly log: Logger;
  private readonly limiter: RateLimiter;
  /** The text this client is known to hold, so it is never echoed its own write. */
  private knownText = '';
  private ended = false;
  private started = false;

  constructor(
    private readonly socket: SocketLike,
    private readonly room: Room,
    identity: SessionIdentity,
    private readonly deps: SessionDeps,
  ) {
    this.connectionId = identity.connectionId;
    this.name = identity.name;
    this.role = identity.role;
    this.sessionId = identity.sessionId;
    this.log = deps.logger.child({ roomId: room.roomId, connectionId: identity.connectionId });
    this.limiter = new RateLimiter(deps.limits.maxMessagesPerSecond, deps.limits.messageBurst);
  }

  start(): void {
    this.started = true;
    this.knownText = this.room.currentText();
    this.send({
      type: 'init',
      code: this.knownText,
      language: this.room.settings.language,
      participants: this.room.participants(),
      name: this.room.settings.name,
      role: this.role,
    });
  }

  private send(message: LwwServerMessage): void {
    // Nothing goes out before start(): the first message a client sees is its greeting.
    if (!this.started || this.ended || !this.socket.isOpen) return;
    if (this.socket.bufferedAmount > this.deps.limits.maxBufferedBytes) {
      this.close(CloseCode.RoomFullOrRateLimited, 'too far behind');
      return;
    }
    this.socket.send(JSON.stringify(message));
  }

  private fail(code: ErrorCode, message: string, closeCode: number): void {
    this.send({ type: 'error', code, message });
    this.close(closeCode, message.slice(0, 120));
  }

  handleFrame(frame: IncomingFrame): void {
    if (this.ended) return;
    if (frame.isBinary) {
      this.fail('malformed_message', 'this endpoint speaks JSON text frames', CloseCode.UnsupportedData);
      return;
    }
    if (!this.limiter.take()) {
      this.fail('rate_limited', 'rate limit exceeded', CloseCode.RoomFullOrRateLimited);
      return;
    }
    try {
      const parsed = parseLwwMessage(frame.data);
      if (!parsed.ok) {
        if (parsed.code === 'document_too_large') this.fail(parsed.code, parsed.message, CloseCode.MessageTooLarge);
        else this.fail(parsed.code, parsed.message, CloseCode.MalformedData);
        return;
      }
      const { message } = parsed;
      if (message.type === 'typing') {
        if (this.role === 'editor') this.room.announceTyping(this);
        return;
      }
      if (this.role === 'viewer') {
        this.fail('forbidden', 'view-only connections cannot edit', CloseCode.Policy);
        return;
      }
      const growth = message.code.length - this.room.currentText().length;
      if (growth > 0 && this.room.wouldExceedSize(growth)) {
        this.fail('document_too_large', 'document size limit reached', CloseCode.MessageTooLarge);
        return;
      }
      this.knownText = message.code;
      this.room.replaceText(message.code, this);
    } catch (error) {
      this.log.error({ err: error }, 'LWW message failed');
      this.fail('malformed_message', 'message could not be applied', CloseCode.MalformedData);
    }
  }

  deliverText(text: string, from: string): void {
    if (text === this.knownText) return;
    this.knownText = text;
    this.send({ type: 'code', code: text, from });
  }

  deliverPresence(participants: Participant[]): void {
    this.send({ type: 'presence', participants });
  }

  deliverTyping(name: string): void {
    this.send({ type: 'typing', name });
  }

  close(code: number, reason: string): void {
    this.end();
    this.socket.close(code, reason);
  }

  handleClose(): void {
    this.end();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.deps.onLeave();
  }
}
