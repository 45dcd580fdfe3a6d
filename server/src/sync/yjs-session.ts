import { CloseCode, YMessageType } from '@pairpad/shared';
import * as decoding from 'lib0/decoding';
import type { AwarenessStateProblem } from '../rooms/awareness-entries';
import type { RoomMember } from '../rooms/room';
import { TokenBucket } from '../rooms/token-bucket';
import { SessionBase } from './session-base';
import type { IncomingFrame } from './socket';

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
  readonly kind = 'yjs' as const;
  /** Bytes of sync replies this socket took; see SessionLimits.syncBytesPerSecond. */
  private readonly syncBudget = new TokenBucket(this.deps.limits.syncBytesPerSecond, this.deps.limits.syncBurstBytes);
  /** The latest state vector still waiting for its reply while the room's budget refills. */
  private waitingStateVector: Uint8Array | null = null;
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
      if (!this.syncBudget.available) {
        this.close(CloseCode.RoomFullOrRateLimited, 'too many sync requests');
        return;
      }
      this.waitingStateVector = payload;
      this.answerSyncStep1();
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
   * Replies to the latest sync step 1 once the room's encoding budget allows: a request that
   * arrives while the room is over budget waits (a newer one from the same socket replaces it),
   * so honest joins are slowed, never refused, and abusers cannot take time from other rooms.
   */
  private readonly answerSyncStep1 = (): void => {
    this.syncTimer = null;
    if (this.ended || !this.waitingStateVector) return;
    const wait = this.room.syncBudget.msUntilAvailable();
    if (wait > 0) {
      this.syncTimer ??= setTimeout(this.answerSyncStep1, wait);
      return;
    }
    const { message, cost } = this.room.syncStep2For(this.waitingStateVector);
    this.waitingStateVector = null;
    this.room.syncBudget.spend(cost);
    this.syncBudget.spend(message.byteLength);
    this.sendBinary(message);
  };

  private refuseAwareness(problem: AwarenessStateProblem): void {
    this.log.info({ problem }, 'awareness state refused');
    if (problem === 'too_large') this.close(CloseCode.MessageTooLarge, 'awareness state too large');
    else this.close(CloseCode.MalformedData, problem === 'too_deep' ? 'awareness state nested too deeply' : 'awareness state must be an object');
  }

  protected override onEnd(): void {
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = null;
    this.waitingStateVector = null;
  }
}
