import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { ErrorCode } from '@pairpad/shared';
import { AppError, toApiError } from '../../errors';
import { isDatabaseUnavailable } from '../../storage/db-errors';
import { redactUrl } from '../../log';

/**
 * One place that turns anything thrown into `{error:{code,message}}`: AppErrors keep their
 * status and code, schema failures become 400 invalid_request, a lost or refused database
 * connection (on any route, however deep it was thrown) becomes 503 db_unavailable, and
 * everything else a 500 whose message is logged but never echoed.
 */
export function installErrorHandler(app: FastifyInstance, options: { refusalDelayMs: number }): void {
  app.setErrorHandler(async (error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      // A request refused for its rate is answered after a pause: a client that loops on
      // refusals then waits instead of spinning, and the server's time goes to everyone else.
      if (error.statusCode === 429 && options.refusalDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, options.refusalDelayMs));
      return reply.status(error.statusCode).send(toApiError(error.code, error.message));
    }
    if ('validation' in error && error.validation) {
      const where = error.validationContext ?? 'request';
      return reply.status(400).send(toApiError('invalid_request', `${where}: ${error.message}`));
    }
    const status = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
    // A client's own socket error (a reset while its body was read) carries a 4xx: not ours.
    if (status >= 500 && isDatabaseUnavailable(error)) {
      request.log.warn({ err: error, method: request.method, url: redactUrl(request.url) }, 'request failed: database unavailable');
      return reply
        .status(503)
        .header('retry-after', '5')
        .send(toApiError('db_unavailable', 'the database is unavailable; try again shortly'));
    }
    if (status === 413) {
      return reply.status(413).send(toApiError('payload_too_large', 'request body is too large'));
    }
    if (status === 429) {
      return reply.status(429).send(toApiError('rate_limited', error.message || 'too many requests'));
    }
    if (status >= 400 && status < 500) {
      return reply.status(400).send(toApiError('invalid_request', error.message));
    }
    // The URL, not the params: its room id is replaced by a hash (a room id grants editing).
    request.log.error({ err: error, method: request.method, url: redactUrl(request.url) }, 'request failed');
    return reply.status(500).send(toApiError('internal_error', 'internal server error'));
  });
}

/**
 * Node's HTTP parser refuses some requests before Fastify sees them: a malformed request line,
 * headers over Node's limit, a request that took longer than the timeout to arrive. Fastify's
 * own answer to those has another shape; this one keeps the contract's (given to Fastify as
 * `clientErrorHandler`). The connection is closed after it, as Node does.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message]: [number, ErrorCode, string] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'request_timeout', 'the request did not arrive in time']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'headers_too_large', 'the request headers are too large']
        : [400, 'invalid_request', 'malformed HTTP request'];
  if (socket.writable) {
    const body = JSON.stringify(toApiError(code, message));
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
