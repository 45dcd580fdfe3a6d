import { createHash } from 'node:crypto';

/**
 * The pino-compatible subset non-HTTP code logs through. Fastify's `app.log.child({ roomId })`
 * satisfies it, so rooms and sessions log into the same structured stream without knowing Fastify.
 */
export interface LogFn {
  (obj: object, msg?: string): void;
  (msg: string): void;
}

export interface Logger {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

const noop = (): void => {};

/** A logger that drops everything; for unit tests. */
export const silentLogger: Logger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  fatal: noop,
  child: () => silentLogger,
};

/**
 * How logs name a room: a short hash of its id. A room id is an edit capability, so anyone who
 * reads logs must not learn it; an operator who has the id can still find its lines.
 */
export function roomRef(roomId: string): string {
  return createHash('sha256').update(roomId).digest('base64url').slice(0, 12);
}

const CAPABILITY_PATH = /^\/(yjs|ws|rooms|room|watch)\/([^/?#]+)/;

/**
 * A request URL fit for logs: the room or view id in the path becomes its `roomRef`, and the
 * `session` and `person` query values (they let a socket replace another, or share a name) are
 * dropped.
 */
export function redactUrl(url: string): string {
  const queryAt = url.indexOf('?');
  const path = (queryAt === -1 ? url : url.slice(0, queryAt)).replace(CAPABILITY_PATH, (_match, prefix: string, id: string) => `/${prefix}/~${roomRef(id)}`);
  if (queryAt === -1) return path;
  const query = new URLSearchParams(url.slice(queryAt + 1));
  for (const secret of ['session', 'person']) if (query.has(secret)) query.set(secret, '~');
  return `${path}?${query.toString()}`;
}
