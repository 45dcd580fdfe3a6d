import { MAX_CODE_LENGTH, type Language } from './limits';
import type { ErrorCode } from './errors';
import type { Participant } from './api';

/** Client -> server messages on `/ws/:roomId` (JSON text frames). */
export type LwwClientMessage = { type: 'code'; code: string } | { type: 'typing' };

/** Server -> client messages on `/ws/:roomId`. */
export type LwwServerMessage =
  | { type: 'init'; code: string; language: Language; participants: Participant[]; name?: string; role?: 'editor' | 'viewer'; limit?: number }
  | { type: 'code'; code: string; from: string }
  | { type: 'presence'; participants: Participant[] }
  | { type: 'typing'; name: string }
  /** `limit` (the room's capacity) is an extension: present from servers that publish it live. */
  | { type: 'meta'; language: Language; name: string; limit?: number }
  | { type: 'error'; code: ErrorCode; message: string };

export type LwwParseResult =
  | { ok: true; message: LwwClientMessage }
  | { ok: false; code: 'malformed_message' | 'document_too_large'; message: string };

/** Parses one text frame from an LWW client; never throws. */
export function parseLwwMessage(raw: string): LwwParseResult {
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
    if (code.length > MAX_CODE_LENGTH) {
      return { ok: false, code: 'document_too_large', message: `code is longer than ${MAX_CODE_LENGTH} characters` };
    }
    return { ok: true, message: { type: 'code', code } };
  }
  return { ok: false, code: 'malformed_message', message: 'unknown message type' };
}
