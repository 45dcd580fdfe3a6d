import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AutocompleteBodySchema } from '@pairpad/shared';
import type { FastifyInstance } from 'fastify';
import type { AutocompleteService } from '../../autocomplete/service';
import { AppError } from '../../errors';

export async function autocompleteRoutes(app: FastifyInstance, deps: { autocomplete: AutocompleteService }): Promise<void> {
  app.withTypeProvider<TypeBoxTypeProvider>().post('/autocomplete', { schema: { body: AutocompleteBodySchema } }, async (request) => {
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
