import { CloseCode, YMessageType } from '@pairpad/shared';
import * as decoding from 'lib0/decoding';
import type { AwarenessStateProblem } from '../rooms/awareness-entries';
import type { RoomMember } from '../rooms/member';
import { TokenBucket } from '../rooms/token-bucket';
import { SessionBase } from './session-base';
import type { IncomingFrame } from './socket';

/** Sync requests one socket may have waiting for replies; more close it (4429). */
const MAX_WAITING_SYNC_REQUESTS = 8;

const SYNC_STEP_1 = 0;
const SYNC_STEP_2 = 1;
const SYNC_UPDATE = 2;

/**
 * The y-websocket protocol for one socket (sync step 1/2, updates, awareness, query-awareness),
 * so a stock WebsocketProvider works unchanged. A viewer's sync step 1 is answered, its document
 * updates are dropped here and never reach the room. A message handler never throws out: a bad
 * frame closes this socket only.
 */
export class YjsSession extends SessionBase implements RoomMember {
  /** Bytes of sync replies this socket took; see SessionLimits.syncBytesPerSecond. */
  private readonly syncBudget = new TokenBucket(this.deps.limits.syncBytesPerSecond, this.deps.limits.syncBurstBytes);
  /** State vectors of sync requests waiting for their replies, oldest first. */
  private readonly waitingStateVectors: Uint8Array[] = [];
  private syncTimer: NodeJS.Timeout | null = null;

  /** Sends our sync step 1 and the known awareness states, as the reference server does. */
  protected greet(): void {
    for (const message of this.room.greeting()) this.write(message);
  }

  sendBinary(message: Uint8Array): void {
    this.write(message);
  }

  handleFrame(frame: IncomingFrame): void {
    if (this.ended) return;
    if (!frame.isBinary) {
      this.close(CloseCode.UnsupportedData, 'y-websocket frames are binary');
      return;
    }
    if (!this.limiter.take()) {
      this.close(CloseCode.RoomFullOrRateLimited, 'rate limit exceeded');
      return;
    }
    try {
      this.handleMessage(frame.data);
    } catch (error) {
      this.log.info({ err: error }, 'malformed y-websocket frame');
      this.close(CloseCode.MalformedData, 'malformed message');
    }
  }

  private handleMessage(data: Uint8Array): void {
    const decoder = decoding.createDecoder(data);
    // One frame may carry several messages back to back; y-websocket sends one, others may batch.
    do {
      const messageType = decoding.readVarUint(decoder);
      switch (messageType) {
        case YMessageType.Sync:
          this.handleSync(decoder);
          break;
        case YMessageType.Awareness: {
          const problem = this.room.applyAwareness(decoding.readVarUint8Array(decoder), this);
          if (problem) {
            this.refuseAwareness(problem);
            return;
          }
          break;
        }
        case YMessageType.QueryAwareness: {
          const snapshot = this.room.awarenessSnapshot();
          this.syncBudget.spend(snapshot.byteLength);
          this.sendBinary(snapshot);
          break;
        }
        case YMessageType.Auth:
          // Permissions are decided at connect time from the capability in the URL.
          decoding.readVarString(decoder);
          break;
        default:
          this.close(CloseCode.UnsupportedData, `unknown message type ${messageType}`);
          return;
      }
    } while (!this.ended && decoding.hasContent(decoder));
  }

  private handleSync(decoder: decoding.Decoder): void {
    const step = decoding.readVarUint(decoder);
    const payload = decoding.readVarUint8Array(decoder);
    if (step === SYNC_STEP_1) {
      // Each request gets its own reply, in order (clients match replies to requests that way);
      // a socket that piles up more than a few is not waiting for them.
      if (this.waitingStateVectors.length >= MAX_WAITING_SYNC_REQUESTS) {
        this.close(CloseCode.RoomFullOrRateLimited, 'too many sync requests');
        return;
      }
      this.waitingStateVectors.push(payload);
      // While a timer waits for the budget, it answers this one too, in turn.
      if (!this.syncTimer) this.answerSyncStep1();
      return;
    }
    if (step !== SYNC_STEP_2 && step !== SYNC_UPDATE) {
      this.close(CloseCode.UnsupportedData, `unknown sync step ${step}`);
      return;
    }
    if (this.role === 'viewer') return;
    if (this.room.wouldExceedSize(payload.byteLength)) {
      this.close(CloseCode.MessageTooLarge, 'document size limit reached');
      return;
    }
    if (this.room.applyUpdate(payload, this) === 'unintegrable') {
      this.log.info('update refers to changes the room does not have; refused');
      this.close(CloseCode.MalformedData, 'update refers to changes this room does not have');
    }
  }

  /**
   * Replies to waiting sync requests, oldest first, as this socket's and the room's budgets
   * allow: a request over budget waits, so honest joins are slowed, never refused, and an abuser
   * cannot take time from other rooms. A client asks once per connection (the web client also
   * once per pause in typing, to learn that its edits arrived), so only an abuser waits long.
   */
  private answerSyncStep1(): void {
    while (!this.ended && this.waitingStateVectors.length > 0) {
      const wait = Math.max(this.syncBudget.msUntilAvailable(), this.room.syncBudget.msUntilAvailable());
      if (wait > 0) {
        this.syncTimer = setTimeout(() => {
          this.syncTimer = null;
          this.answerSyncStep1();
        }, wait);
        return;
      }
      const { message, cost } = this.room.syncStep2For(this.waitingStateVectors.shift()!);
      this.room.syncBudget.spend(cost);
      this.syncBudget.spend(message.byteLength);
      this.sendBinary(message);
    }
  }

  private refuseAwareness(problem: AwarenessStateProblem): void {
    this.log.info({ problem }, 'awareness state refused');
    if (problem === 'too_large') this.close(CloseCode.MessageTooLarge, 'awareness state too large');
    else this.close(CloseCode.MalformedData, problem === 'too_deep' ? 'awareness state nested too deeply' : 'awareness state must be an object');
  }

  protected override onEnd(): void {
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = null;
    this.waitingStateVectors.length = 0;
  }
}
