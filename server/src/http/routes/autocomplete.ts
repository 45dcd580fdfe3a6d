import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AutocompleteBodySchema } from '@pairpad/shared';
import type { FastifyInstance } from 'fastify';
import type { AutocompleteService } from '../../autocomplete/service';
import { AppError } from '../../errors';
import { AutocompleteResultSchema, errorResponses } from '../api-schemas';

const schema = {
  tags: ['autocomplete'],
  summary: 'Suggest what to type at the cursor',
  description:
    '`cursorPosition` is a UTF-16 offset into `code` (0..code.length). Answered by the local engine, or by a configured model with the local engine as fallback.',
  body: AutocompleteBodySchema,
  response: {
    200: { ...AutocompleteResultSchema, description: 'Suggestions, best first' },
    ...errorResponses({ 400: ['invalid_request'], 413: ['payload_too_large'] }),
  },
};

export async function autocompleteRoutes(app: FastifyInstance, deps: { autocomplete: AutocompleteService }): Promise<void> {
  app.withTypeProvider<TypeBoxTypeProvider>().post('/autocomplete', { schema }, async (request) => {
    const { code, cursorPosition } = request.body;
    if (cursorPosition > code.length) {
      throw new AppError(400, 'invalid_request', `cursorPosition must be between 0 and code.length (${code.length})`);
    }
    // A client that asks again closes the previous request; stop the model call with it.
    const abort = new AbortController();
    const onClose = () => {
      if (!request.raw.complete || request.raw.destroyed) abort.abort();
    };
    request.raw.socket?.once('close', onClose);
    try {
      return await deps.autocomplete.complete(request.body, abort.signal);
    } finally {
      request.raw.socket?.off('close', onClose);
    }
  });
}
