/**
 * Recognises "the database cannot be reached right now" as opposed to a bug or a refused
 * statement, so REST answers 503 `db_unavailable` for the former and 500 for the latter.
 *
 * What counts: postgres.js's own connection codes (and the db layer's ConnectionLostError,
 * which uses CONNECTION_CLOSED), PostgreSQL SQLSTATE classes 08 (connection exception), 57P
 * (server shutting down, cannot connect now) and 53 (out of connections, disk or memory), and
 * Node's socket errnos from the driver's TCP connection. The error, its `cause` chain and an
 * AggregateError's members are inspected, since drivers and callers wrap. Anything else (a
 * constraint violation, a syntax error, a TypeError) is not an outage.
 */
const DRIVER_CODES = new Set(['CONNECTION_CLOSED', 'CONNECTION_DESTROYED', 'CONNECTION_ENDED', 'CONNECT_TIMEOUT']);

const SOCKET_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** SQLSTATE: 08xxx connection exception, 57P01-57P05 shutdown / cannot connect now, 53xxx insufficient resources. */
const SQLSTATE_UNAVAILABLE = /^(08[0-9A-Z]{3}|57P0[1-5]|53[0-9A-Z]{3})$/;

const MAX_DEPTH = 5;

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > MAX_DEPTH) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (DRIVER_CODES.has(code) || SOCKET_ERRNOS.has(code) || SQLSTATE_UNAVAILABLE.test(code))) {
    return true;
  }
  if (error instanceof AggregateError && error.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))) return true;
  return isDatabaseUnavailable((error as { cause?: unknown }).cause, depth + 1);
}
