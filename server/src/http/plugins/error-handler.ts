import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, toApiError } from '../../errors';

/**
 * One place that turns anything thrown into `{error:{code,message}}`: AppErrors keep their
 * status and code, schema failures become 400 invalid_request, everything else a 500 whose
 * message is logged but never echoed.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      return reply.status(error.statusCode).send(toApiError(error.code, error.message));
    }
    if ('validation' in error && error.validation) {
      const where = error.validationContext ?? 'request';
      return reply.status(400).send(toApiError('invalid_request', `${where}: ${error.message}`));
    }
    const status = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status === 413) {
      return reply.status(413).send(toApiError('payload_too_large', 'request body is too large'));
    }
    if (status === 429) {
      return reply.status(429).send(toApiError('rate_limited', error.message || 'too many requests'));
    }
    if (status >= 400 && status < 500) {
      return reply.status(400).send(toApiError('invalid_request', error.message));
    }
    request.log.error({ err: error, method: request.method, url: request.url, params: request.params }, 'request failed');
    return reply.status(500).send(toApiError('internal_error', 'internal server error'));
  });
}
