import {
  CloseCode,
  parseLwwMessage,
  type ErrorCode,
  type Language,
  type LwwServerMessage,
  type Participant,
} from '@pairpad/shared';
import type { RoomMember } from '../rooms/member';
import { joinLwwFanOut, type LwwListener } from './lww-fan-out';
import { SessionBase } from './session-base';
import type { IncomingFrame } from './socket';
import { mergeWrite, roughDistance } from '@pairpad/shared/text-merge';

/** Texts sent to one client that a later write may still name as its base. */
const MAX_SENT_TEXTS = 16;
/** Without an explicit base, this many of the latest candidates are compared. */
const MAX_GUESSED_BASES = 4;

interface SentText {
  version: number;
  text: string;
  /** Writes from this client the server had applied when it sent the text. */
  ack: number;
}

/**
 * The last-write-wins JSON protocol for simple clients, on the same Y.Doc as Yjs clients. A
 * whole-buffer write is three-way merged (text-merge.ts): the edit it contains relative to the
 * text the client last had from the server (or last wrote) is applied where that text now
 * stands, in one transaction, so concurrent edits by others survive. Changes from anywhere come
 * back as full text, coalesced (lww-fan-out.ts).
 *
 * Which text a write is based on: a client that sends `base` (the `version` of the last text it
 * applied) names it; if it wrote after applying that text, its own last write is the base.
 * Without `base`, the candidates are its last write and the texts sent since, and the one the
 * write differs from least is taken (a client that applies every push it gets has one of them).
 */
export class LwwSession extends SessionBase implements RoomMember, LwwListener {
  /** The text this client is known to hold, so it is never echoed its own write. */
  private knownText = '';
  /** Texts sent (init and pushes), oldest first, for naming or guessing a write's base. */
  private sent: SentText[] = [];
  private nextVersion = 1;
  /** `code` writes applied so far, and the last one (with the number of texts sent before it). */
  private writes = 0;
  private lastWrite: { text: string; afterVersion: number } | null = null;
  private leaveFanOut: (() => void) | null = null;

  protected greet(): void {
    this.leaveFanOut = joinLwwFanOut(this.room, this, this.deps.limits.lwwCoalesceMs);
    this.knownText = this.room.currentText();
    this.send({
      type: 'init',
      code: this.knownText,
      ...this.recordSent(this.knownText),
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
      const parsed = parseLwwMessage(frame.data, this.deps.limits.maxTextLength);
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
      const next = toWellFormed(message.code);
      const base = this.baseFor(next, message.base);
      const edits = mergeWrite(base, this.room.currentText(), next);
      let growth = 0;
      for (const edit of edits) growth += edit.insert.length - edit.deleteCount;
      if (growth > 0 && this.room.wouldExceedSize(growth)) {
        this.fail('document_too_large', 'document size limit reached', CloseCode.MessageTooLarge);
        return;
      }
      // The client keeps what it sent; if that had lone surrogates, the push corrects it.
      this.knownText = message.code;
      this.writes++;
      this.lastWrite = { text: next, afterVersion: this.nextVersion - 1 };
      if (this.sent.length > 1) this.sent = this.sent.slice(-1);
      let replaced = 0;
      for (const edit of edits) replaced += edit.deleteCount;
      if (replaced * 2 > this.room.currentText().length) this.room.events.emit('overwriting', this);
      const changed = this.room.applyTextEdits(edits, this);
      // A write that changed nothing schedules no push; the client must still get what others did.
      if (!changed) this.deliverText(this.room.currentText(), this.room.lastAuthorName);
    } catch (error) {
      this.log.error({ err: error }, 'LWW message failed');
      this.fail('malformed_message', 'message could not be applied', CloseCode.MalformedData);
    }
  }

  deliverText(text: string, from: string): void {
    if (text === this.knownText) return;
    this.knownText = text;
    this.send({ type: 'code', code: text, from, ...this.recordSent(text) });
  }

  private recordSent(text: string): { version: number; ack: number } {
    const entry = { version: this.nextVersion++, text, ack: this.writes };
    this.sent.push(entry);
    if (this.sent.length > MAX_SENT_TEXTS) this.sent.shift();
    return { version: entry.version, ack: entry.ack };
  }

  /** The text the client had when it made this write (see the class comment). */
  private baseFor(next: string, named: number | undefined): string {
    const lastWrite = this.lastWrite;
    if (named !== undefined) {
      // It wrote after applying `named`: its own write is newer than that text.
      if (lastWrite && lastWrite.afterVersion >= named) return lastWrite.text;
      const sent = this.sent.find((entry) => entry.version === named);
      if (sent) return sent.text;
    }
    const candidates: string[] = [];
    if (lastWrite) candidates.push(lastWrite.text);
    for (const entry of this.sent) if (!lastWrite || entry.version > lastWrite.afterVersion) candidates.push(entry.text);
    const recent = candidates.slice(-MAX_GUESSED_BASES);
    let best = recent.at(-1) ?? this.room.currentText();
    let bestCost = Infinity;
    for (let i = recent.length - 1; i >= 0; i--) {
      const candidate = recent[i]!;
      if (candidate === next) return candidate;
      // Linear, not a diff per candidate: a client without `base` must not cost several diffs a write.
      const cost = roughDistance(candidate, next);
      if (cost < bestCost) {
        best = candidate;
        bestCost = cost;
      }
    }
    return best;
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

  protected override onEnd(): void {
    this.leaveFanOut?.();
    this.leaveFanOut = null;
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
