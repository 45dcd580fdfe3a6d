import {
  CloseCode,
  parseLwwMessage,
  type ErrorCode,
  type Language,
  type LwwServerMessage,
  type Participant,
} from '@pairpad/shared';
import type { RoomMember } from '../rooms/room';
import { SessionBase } from './session-base';
import type { IncomingFrame } from './socket';

/**
 * The last-write-wins JSON protocol for simple clients, on the same Y.Doc as Yjs clients. A
 * whole-buffer write becomes a minimal diff in one transaction; changes from anywhere come back
 * as full text, coalesced by the room.
 */
export class LwwSession extends SessionBase implements RoomMember {
  readonly kind = 'lww' as const;
  /** The text this client is known to hold, so it is never echoed its own write. */
  private knownText = '';

  protected greet(): void {
    this.knownText = this.room.currentText();
    this.send({
      type: 'init',
      code: this.knownText,
      language: this.room.settings.language,
      participants: this.room.participants(),
      name: this.room.settings.name,
      role: this.role,
      limit: this.room.settings.capacity,
    });
  }

  private send(message: LwwServerMessage): void {
    this.write(JSON.stringify(message));
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
      // The client keeps what it sent; if that had lone surrogates, the coalesced push corrects it.
      this.knownText = message.code;
      this.room.replaceText(toWellFormed(message.code), this);
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

  deliverMeta(meta: { name: string; language: Language; limit: number }): void {
    this.send({ type: 'meta', ...meta });
  }

  deliverTyping(name: string): void {
    this.send({ type: 'typing', name });
  }
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Replaces lone surrogates with U+FFFD. JSON can carry them, but Yjs stores text as UTF-8, so
 * the server's copy would differ from every client's and from what is saved.
 */
function toWellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\ufffd');
}
