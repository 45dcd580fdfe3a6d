import { CloseCode, YMessageType } from '@pairpad/shared';
import * as decoding from 'lib0/decoding';
import type { RoomMember } from '../rooms/room';
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
        case YMessageType.Awareness:
          this.room.applyAwareness(decoding.readVarUint8Array(decoder), this);
          break;
        case YMessageType.QueryAwareness:
          this.sendBinary(this.room.awarenessSnapshot());
          break;
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
      this.sendBinary(this.room.syncStep2For(payload));
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
    this.room.applyUpdate(payload, this);
  }
}
