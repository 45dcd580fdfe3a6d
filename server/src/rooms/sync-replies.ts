import { YMessageType } from '@pairpad/shared';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import type * as Y from 'yjs';

/** Sync replies cached per state vector while the document is unchanged. */
const SYNC_REPLY_CACHE_SIZE = 8;
const SYNC_REPLY_CACHE_MAX_KEY_BYTES = 1024;

/**
 * Sync step 2 replies by state vector, valid until the document changes (the room clears it on
 * every change). Repeated cold joins (the empty state vector) and repeated identical requests of
 * an unchanged document cost no re-encoding.
 */
export class SyncReplyCache {
  /** Keyed by the state vector's bytes as latin1. */
  private readonly replies = new Map<string, Uint8Array>();

  constructor(private readonly doc: Y.Doc) {}

  /** The reply, and what it cost to encode (0 when it came from the cache). */
  replyFor(stateVector: Uint8Array): { message: Uint8Array; cost: number } {
    const key = stateVector.byteLength <= SYNC_REPLY_CACHE_MAX_KEY_BYTES ? latin1(stateVector) : null;
    const cached = key === null ? undefined : this.replies.get(key);
    if (cached) return { message: cached, cost: 0 };
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, YMessageType.Sync);
    syncProtocol.writeSyncStep2(encoder, this.doc, stateVector);
    const message = encoding.toUint8Array(encoder);
    if (key !== null) {
      if (this.replies.size >= SYNC_REPLY_CACHE_SIZE) this.replies.delete(this.replies.keys().next().value!);
      this.replies.set(key, message);
    }
    return { message, cost: message.byteLength };
  }

  clear(): void {
    this.replies.clear();
  }
}

/** A byte string as a map key without decoding it (one char per byte). */
function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}
