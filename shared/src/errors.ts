/** Stable machine-readable error codes (CONTRACT.md). Clients switch on these, never on messages. */
export const ERROR_CODES = [
  'invalid_request',
  'room_not_found',
  'forbidden',
  'limit_below_online',
  'rate_limited',
  'payload_too_large',
  // Refused by the HTTP parser, before any route (408, 431).
  'request_timeout',
  'headers_too_large',
  'not_found',
  'internal_error',
  'db_unavailable',
  // WebSocket-level errors sent to LWW clients before a close.
  'name_taken',
  'room_full',
  'message_too_large',
  'malformed_message',
  'document_too_large',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ApiErrorBody {
  error: { code: ErrorCode; message: string };
}

export function isApiErrorBody(value: unknown): value is ApiErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const error = (value as { error?: unknown }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}
