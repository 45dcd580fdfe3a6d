/**
 * Wire framing for the load generator: y-websocket (y-protocols sync + awareness)
 * and Hocuspocus (the same payloads, each prefixed by the document name).
 */
import * as encoding from 'lib0/encoding';

export type Dialect = 'yws' | 'hocuspocus';

export const MSG_SYNC = 0;
export const MSG_AWARENESS = 1;
export const MSG_AUTH = 2;
export const MSG_QUERY_AWARENESS = 3;
export const HP_SYNC_STATUS = 8;
export const HP_PING = 9;
export const HP_PONG = 10;

export const SYNC_STEP1 = 0;
export const SYNC_STEP2 = 1;
export const SYNC_UPDATE = 2;

/** Bytes written before every message: nothing for y-websocket, varString(docName) for Hocuspocus. */
export function framePrefix(dialect: Dialect, docName: string): Uint8Array {
  if (dialect === 'yws') return new Uint8Array(0);
  const e = encoding.createEncoder();
  encoding.writeVarString(e, docName);
  return encoding.toUint8Array(e);
}

function withPrefix(prefix: Uint8Array, write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  if (prefix.length > 0) encoding.writeUint8Array(e, prefix);
  write(e);
  return encoding.toUint8Array(e);
}

export function encodeSync(prefix: Uint8Array, step: number, payload: Uint8Array): Uint8Array {
  return withPrefix(prefix, (e) => {
    encoding.writeVarUint(e, MSG_SYNC);
    encoding.writeVarUint(e, step);
    encoding.writeVarUint8Array(e, payload);
  });
}

/** One-client awareness update (y-protocols format) without an Awareness instance and its timers. */
export function encodeAwareness(prefix: Uint8Array, clientId: number, clock: number, stateJson: string): Uint8Array {
  const inner = encoding.createEncoder();
  encoding.writeVarUint(inner, 1);
  encoding.writeVarUint(inner, clientId);
  encoding.writeVarUint(inner, clock);
  encoding.writeVarString(inner, stateJson);
  const body = encoding.toUint8Array(inner);
  return withPrefix(prefix, (e) => {
    encoding.writeVarUint(e, MSG_AWARENESS);
    encoding.writeVarUint8Array(e, body);
  });
}

/**
 * Several awareness entries in one message (y-protocols encodeAwarenessUpdate framing: varUint
 * count, then per entry varUint clientID, varUint clock, varString JSON state).
 */
export function encodeAwarenessEntries(prefix: Uint8Array, entries: readonly { clientId: number; clock: number; stateJson: string }[]): Uint8Array {
  const inner = encoding.createEncoder();
  encoding.writeVarUint(inner, entries.length);
  for (const entry of entries) {
    encoding.writeVarUint(inner, entry.clientId);
    encoding.writeVarUint(inner, entry.clock);
    encoding.writeVarString(inner, entry.stateJson);
  }
  const body = encoding.toUint8Array(inner);
  return withPrefix(prefix, (e) => {
    encoding.writeVarUint(e, MSG_AWARENESS);
    encoding.writeVarUint8Array(e, body);
  });
}

/** Hocuspocus: the first frame for a document must be Auth/Token (empty token, no onAuthenticate hook). */
export function encodeHocuspocusAuth(prefix: Uint8Array): Uint8Array {
  return withPrefix(prefix, (e) => {
    encoding.writeVarUint(e, MSG_AUTH);
    encoding.writeVarUint(e, 0);
    encoding.writeVarString(e, '');
  });
}

export function encodeHocuspocusPong(prefix: Uint8Array): Uint8Array {
  return withPrefix(prefix, (e) => {
    encoding.writeVarUint(e, HP_PONG);
  });
}

/**
 * Each inserted edit is `@` + 2-digit sender index (within its room) + 16-digit send time in
 * µs since the epoch + `;`. Receivers find the stamps in the raw update bytes (Yjs v1 writes
 * string content verbatim), so fan-out latency needs no send-time table and no decoding beyond
 * what applying the update costs. The sender index lets a client ignore its own edits echoed
 * back by servers that broadcast to every connection (the reference and Hocuspocus do).
 */
export const STAMP_LEN = 20;
const AT = 0x40;
const SEMI = 0x3b;

export function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

export function makeStamp(sender: number, us: number): string {
  return '@' + String(sender % 100).padStart(2, '0') + String(us).padStart(16, '0') + ';';
}

/**
 * Calls `onStamp(sendTimeUs)` for every stamp in `buf[from..to)` not sent by `self`;
 * returns how many were found.
 */
export function scanStamps(buf: Uint8Array, from: number, to: number, self: number, onStamp: (us: number) => void): number {
  let found = 0;
  const last = to - STAMP_LEN;
  for (let i = from; i <= last; i++) {
    if (buf[i] !== AT || buf[i + STAMP_LEN - 1] !== SEMI) continue;
    let v = 0;
    let ok = true;
    // Digits 1-2: sender; 3-18: time (16 digits stay exact in a double).
    for (let j = i + 1; j < i + STAMP_LEN - 1; j++) {
      const d = (buf[j] ?? 0) - 0x30;
      if (d < 0 || d > 9) {
        ok = false;
        break;
      }
      if (j === i + 3) v = 0;
      v = v * 10 + d;
    }
    if (!ok) continue;
    const sender = ((buf[i + 1] ?? 0) - 0x30) * 10 + ((buf[i + 2] ?? 0) - 0x30);
    i += STAMP_LEN - 1;
    if (sender === self) continue;
    onStamp(v);
    found++;
  }
  return found;
}
