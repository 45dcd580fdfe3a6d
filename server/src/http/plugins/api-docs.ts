import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema } from 'fastify';
import fp from 'fastify-plugin';
import { Type } from 'typebox';
import { RoomIdParamsSchema } from '../api-schemas';

export const DOCS_PREFIX = '/docs';

const DESCRIPTION = `Rooms for real-time pair programming: create one, share its edit or view link, and edit
its text together over a WebSocket.

Every JSON error has one shape, \`{"error": {"code": "room_not_found", "message": "a human sentence"}}\`,
with a stable \`code\`; each response below lists the codes it may carry.

\`:roomId\` takes a room's \`roomId\` (edit rights) or its \`viewId\` (watch only): \`GET\` then answers
as a viewer and without \`roomId\`, and changes are refused with 403 \`forbidden\`.

The two WebSocket endpoints (\`/yjs/:roomId\`, the y-websocket protocol; \`/ws/:roomId\`, JSON whole
buffers) are listed below with their query parameters; their frames and close codes are described
in \`docs/protocol.md\` in the repository.`;

const SocketQuerySchema = Type.Object({
  name: Type.String({ description: 'display name, 3-32 characters, no control or invisible characters; unique among those online' }),
  session: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: "a tab's random id: a reconnect with it replaces its old socket" })),
  person: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: "a browser's random id: its tabs may share a name" })),
  role: Type.Optional(Type.Literal('viewer', { description: 'join as a viewer even with a roomId' })),
});

const socketResponses = (frames: string) => ({
  101: {
    description: `Switching protocols: ${frames}. Refusals and errors are WebSocket close codes (1001, 1003, 1007, 1008, 1009, 1011, 4404, 4409, 4429), see docs/protocol.md.`,
    type: 'null',
  },
});

/**
 * The WebSocket upgrades, for the reference only: given to their routes these schemas would
 * validate the upgrade request, and a bad name would be a 400 instead of the contract's close 1008.
 */
const SOCKET_ENDPOINTS: Readonly<Record<string, FastifySchema & Record<string, unknown>>> = {
  '/yjs/:roomId': {
    tags: ['websocket'],
    summary: 'Edit or watch a room with y-websocket (the main path)',
    description:
      "Binary y-protocols sync and awareness frames; a stock y-websocket WebsocketProvider works unchanged: `new WebsocketProvider('ws://HOST:PORT/yjs', roomId, ydoc, { params: { name } })`. The text is `ydoc.getText('code')`, live settings are in `ydoc.getMap('meta')`. A viewer's updates are dropped.",
    params: RoomIdParamsSchema,
    querystring: SocketQuerySchema,
    response: socketResponses('binary y-websocket frames'),
  },
  '/ws/:roomId': {
    tags: ['websocket'],
    summary: 'Edit or watch a room by whole buffers (JSON, last write wins per change)',
    description:
      'JSON text frames: `init`, `code`, `presence`, `typing`, `meta`, `error` from the server; `code` (the whole buffer, merged three ways) and `typing` from the client.',
    params: RoomIdParamsSchema,
    querystring: SocketQuerySchema,
    response: socketResponses('JSON text frames'),
  },
};

/**
 * The API reference: OpenAPI generated from the route schemas at `/docs/json` (and `/docs/yaml`),
 * and Swagger UI at `/docs`, its assets served from node_modules (nothing from a CDN). Registered
 * before the routes, which it collects as they are added.
 *
 * Response schemas are documentation: routes keep answering with plain JSON.stringify, as they did
 * before they had them. Fastify would otherwise serialise through them and silently drop every
 * field they do not list.
 */
export const apiDocsPlugin = fp(
  async (app: FastifyInstance) => {
    app.setSerializerCompiler(() => (data) => JSON.stringify(data));
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: { title: 'pairpad API', version: '1', description: DESCRIPTION },
        tags: [
          { name: 'rooms', description: 'Create, read and change rooms' },
          { name: 'history', description: 'Versions, replay, authorship, restore and fork' },
          { name: 'autocomplete', description: 'Code completion' },
          { name: 'health', description: 'For load balancers and operators' },
          { name: 'websocket', description: 'Upgrades to the two sync protocols (docs/protocol.md)' },
        ],
      },
      transform: ({ schema, url }) => ({ schema: SOCKET_ENDPOINTS[url] ?? schema, url }),
    });
    await app.register(swaggerUi, { routePrefix: DOCS_PREFIX });
  },
  { name: 'api-docs' },
);
