import type { FastifyInstance } from 'fastify';

/**
 * A JSON content type with no body reads as no body (the routes then apply their defaults), as
 * many HTTP clients send `POST /rooms` with the header and nothing else; anything else goes to
 * Fastify's own parser, which keeps its prototype-poisoning protection.
 */
export function acceptEmptyJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    // Callback-style: Fastify's default parser answers through `done`; its type also allows a promise.
    void parseJson(request, text, done);
  });
}
