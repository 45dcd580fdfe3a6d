import { MAX_CODE_LENGTH, type Language } from './limits';
import type { ErrorCode } from './errors';
import type { Participant } from './api';

/**
 * Client -> server messages on `/ws/:roomId` (JSON text frames). `base` (an extension of the
 * contract, optional) is the `version` of the last `init` or `code` the client applied: the
 * write is then merged against exactly that text (or against the client's own later write).
 */
export type LwwClientMessage = { type: 'code'; code: string; base?: number } | { type: 'typing' };

/**
 * Extension fields on `init` and `code`: `version` numbers the texts the server sent on this
 * socket, `ack` counts the client's `code` writes the text already includes (a client that has
 * sent more can ignore it: a newer text follows).
 */
export interface LwwTextVersion {
  version?: number;
  ack?: number;
}

/** Server -> client messages on `/ws/:roomId`. */
export type LwwServerMessage =
  | ({ type: 'init'; code: string; language: Language; participants: Participant[]; name?: string; role?: 'editor' | 'viewer'; limit?: number } & LwwTextVersion)
  | ({ type: 'code'; code: string; from: string } & LwwTextVersion)
  | { type: 'presence'; participants: Participant[] }
  | { type: 'typing'; name: string }
  /** `limit` (the room's capacity) is an extension: present from servers that publish it live. */
  | { type: 'meta'; language: Language; name: string; limit?: number }
  | { type: 'error'; code: ErrorCode; message: string };

export type LwwParseResult =
  | { ok: true; message: LwwClientMessage }
  | { ok: false; code: 'malformed_message' | 'document_too_large'; message: string };

/**
 * Parses one text frame from an LWW client; never throws. A server whose document may be longer
 * than MAX_CODE_LENGTH passes its own bound.
 */
export function parseLwwMessage(raw: string, maxCodeLength: number = MAX_CODE_LENGTH): LwwParseResult {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, code: 'malformed_message', message: 'frame is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: 'malformed_message', message: 'frame must be a JSON object' };
  }
  const { type } = value as { type?: unknown };
  if (type === 'typing') return { ok: true, message: { type: 'typing' } };
  if (type === 'code') {
    const { code } = value as { code?: unknown };
    if (typeof code !== 'string') {
      return { ok: false, code: 'malformed_message', message: '"code" must be a string' };
    }
    if (code.length > maxCodeLength) {
      return { ok: false, code: 'document_too_large', message: `code is longer than ${maxCodeLength} characters` };
    }
    const { base } = value as { base?: unknown };
    if (base !== undefined && !(typeof base === 'number' && Number.isSafeInteger(base) && base >= 0)) {
      return { ok: false, code: 'malformed_message', message: '"base" must be a whole number' };
    }
    return { ok: true, message: base === undefined ? { type: 'code', code } : { type: 'code', code, base } };
  }
  return { ok: false, code: 'malformed_message', message: 'unknown message type' };
}
