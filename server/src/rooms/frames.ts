import { YMessageType } from '@pairpad/shared';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';

/**
 * `[Sync, Update, varUint8Array(update)]` in one allocation: this runs for every edit, and the
 * generic encoder would allocate a scratch buffer and then copy it.
 */
export function encodeUpdateMessage(update: Uint8Array): Uint8Array {
  let lengthBytes = 1;
  for (let rest = update.byteLength >>> 7; rest > 0; rest >>>= 7) lengthBytes++;
  const message = new Uint8Array(2 + lengthBytes + update.byteLength);
  message[0] = YMessageType.Sync;
  message[1] = syncProtocol.messageYjsUpdate;
  let offset = 2;
  let length = update.byteLength;
  while (length > 0x7f) {
    message[offset++] = (length & 0x7f) | 0x80;
    length >>>= 7;
  }
  message[offset++] = length;
  message.set(update, offset);
  return message;
}

/** `[Awareness, varUint8Array(body)]`, for a body from `encodeAwarenessUpdate`. */
export function encodeAwarenessMessage(body: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, YMessageType.Awareness);
  encoding.writeVarUint8Array(encoder, body);
  return encoding.toUint8Array(encoder);
}
