import type { DatabaseHandle } from '@pairpad/db';
import { roomsRepo } from '@pairpad/db';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  CreateRoomBodySchema,
  GetRoomQuerySchema,
  DEFAULT_LANGUAGE,
  PatchRoomBodySchema,
  ROOM_LIMIT_DEFAULT,
  type RoomDetails,
} from '@pairpad/shared';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ClusterNode } from '../../cluster/node';
import { answeredByOwner } from '../cluster-forwarding';
import type { Config } from '../../config';
import { AppError, forbidden, roomNotFound } from '../../errors';
import type { RoomRegistry } from '../../rooms/room-registry';
import { TokenBucket } from '../../rooms/token-bucket';
import { rowToSettings } from '../../storage/room-directory';
import { CreatedRoomSchema, RoomDetailsSchema, RoomIdParamsSchema, RoomSchema, SnapshotSavedSchema, errorResponses } from '../api-schemas';
import { createRoom, createRoomFinder, settingsToRoom, type FoundRoom } from '../room-lookup';

export interface RoomRoutesDeps {
  config: Readonly<Config>;
  database: DatabaseHandle;
  registry: RoomRegistry;
  cluster: ClusterNode | null;
}

const DEFAULT_ROOM_NAME = 'Untitled room';

export async function roomRoutes(app: FastifyInstance, deps: RoomRoutesDeps): Promise<void> {
  const { config, registry, cluster, database } = deps;
  /** Several instances: the room's owner answers for a room it serves (see answeredByOwner). */
  const ownerAnswered = (request: FastifyRequest, reply: FastifyReply, found: FoundRoom) =>
    !found.live && answeredByOwner(request, reply, found.settings.roomId, cluster, database);
  const rooms = roomsRepo(deps.database.db);
  const findRoom = createRoomFinder(registry, rooms);
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  typed.post(
    '/rooms',
    {
      schema: {
        tags: ['rooms'],
        summary: 'Create a room',
        description: 'An empty body (or none) makes a room with the defaults: "Untitled room", plaintext, limit 5, no code.',
        body: CreateRoomBodySchema,
        response: {
          201: { ...CreatedRoomSchema, description: 'Created; `location` is `/rooms/{roomId}`' },
          ...errorResponses({
            400: ['invalid_request'],
            413: ['payload_too_large', 'document_too_large'],
            429: ['rate_limited'],
            503: ['db_unavailable'],
          }),
        },
      },
      config: { rateLimit: { max: config.roomsPerIpPerMinute, timeWindow: '1 minute' } },
      // An empty POST creates a room with defaults.
      preValidation: async (request) => {
        if (request.body === undefined) request.body = {};
      },
    },
    async (request, reply) => {
      const body = request.body;
      const created = await createRoom(rooms, config, request, reply, {
        name: body.name?.trim() || DEFAULT_ROOM_NAME,
        language: body.language ?? DEFAULT_LANGUAGE,
        capacity: body.limit ?? ROOM_LIMIT_DEFAULT,
        code: body.code ?? '',
      });
      return reply.send(created);
    },
  );

  // Text served per room id, by bytes: a read of a big room costs the server milliseconds to
  // serialise and send, and a few clients reading it back to back would otherwise take that time
  // from every other room. Keyed by the id presented, so a refused read costs no lookup. Buckets
  // of rooms nobody read lately are forgotten first.
  const readBudgets = new Map<string, TokenBucket>();
  const readBudget = (roomId: string): TokenBucket => {
    let bucket = readBudgets.get(roomId);
    if (bucket) readBudgets.delete(roomId);
    else {
      bucket = new TokenBucket(config.roomReadBytesPerSecond, Math.max(config.roomReadBytesPerSecond, config.maxDocumentBytes * 2));
      if (readBudgets.size >= config.tuning.maxReadBudgets) readBudgets.delete(readBudgets.keys().next().value!);
    }
    readBudgets.set(roomId, bucket);
    return bucket;
  };

  typed.get(
    '/rooms/:roomId',
    {
      // The params schema takes any string: an id of the wrong shape is a room that does not exist (404), not a 400.
      schema: {
        tags: ['rooms'],
        summary: 'Read a room: settings, current text and participants',
        description: "Asked by viewId, it answers as a viewer (`role: \"viewer\"`) and without `roomId`. Each room's text is served at ROOM_READ_BYTES_PER_SECOND for all callers together; `?code=false` leaves the text out and is always answered.",
        params: RoomIdParamsSchema,
        querystring: GetRoomQuerySchema,
        response: {
          200: { ...RoomDetailsSchema, description: 'The room' },
          ...errorResponses({ 400: ['invalid_request'], 404: ['room_not_found'], 429: ['rate_limited'], 503: ['db_unavailable'] }),
        },
      },
      config: { rateLimit: { max: config.roomReadsPerIpPerMinute, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const id = request.params.roomId;
      const budget = request.query.code === 'false' ? null : readBudget(id);
      const wait = budget?.msUntilAvailable() ?? 0;
      if (wait > 0) {
        void reply.header('retry-after', Math.ceil(wait / 1000));
        throw new AppError(429, 'rate_limited', `this room's text was read too often; try again in ${Math.ceil(wait / 1000)} s, or ask with ?code=false`);
      }
      const found = await findRoom(id);
      if (!found) throw roomNotFound();
      if (await ownerAnswered(request, reply, found)) return reply;
      const { settings, live } = found;
      let code: string | undefined;
      if (budget) {
        // From memory when the room is live (also if it loaded since findRoom), else from storage.
        code = await registry.readText(settings.roomId);
        budget.spend(code.length);
      }
      const details: RoomDetails = {
        ...settingsToRoom(settings),
        role: found.viaViewId ? 'viewer' : 'editor',
        ...(code !== undefined && { code }),
        // A room not in memory lists who was there when it was last stored, all offline.
        participants: live?.participants() ?? (settings.roster ?? []).map((person) => ({ ...person, online: false })),
        online: live?.memberCount ?? 0,
        ...(settings.parent && { parent: settings.parent }),
      };
      // The view capability must never lead back to the edit capability.
      if (found.viaViewId) delete details.roomId;
      return details;
    },
  );

  const patchTargets = new WeakMap<FastifyRequest, FoundRoom>();
  typed.patch(
    '/rooms/:roomId',
    {
      schema: {
        tags: ['rooms'],
        summary: "Change a room's name, language or limit",
        description: 'Every open client sees the change at once. A view link is refused (403) before its body is read.',
        params: RoomIdParamsSchema,
        body: PatchRoomBodySchema,
        response: {
          200: { ...RoomSchema, description: 'The room as changed' },
          ...errorResponses({
            400: ['invalid_request'],
            403: ['forbidden'],
            404: ['room_not_found'],
            409: ['limit_below_online'],
            413: ['payload_too_large'],
            503: ['db_unavailable'],
          }),
        },
      },
      // Which room and which capability come before the body is even read: a view link is
      // refused with 403 whatever it sends, as the contract says.
      onRequest: async (request) => {
        const found = await findRoom((request.params as { roomId: string }).roomId);
        if (!found) throw roomNotFound();
        if (found.viaViewId) throw forbidden('a view link cannot change room settings');
        patchTargets.set(request, found);
      },
      preValidation: async (request) => {
        if (request.body === undefined) request.body = {};
      },
    },
    async (request, reply) => {
      const found = patchTargets.get(request);
      if (!found) throw roomNotFound();
      if (await ownerAnswered(request, reply, found)) return reply;
      const body = request.body;
      const roomId = found.settings.roomId;
      const live = registry.get(roomId);
      const online = live?.memberCount ?? 0;
      if (body.limit !== undefined && body.limit < online) {
        throw new AppError(409, 'limit_below_online', `${online} participants are online; the limit cannot go below that`);
      }
      const patch = {
        ...(body.name !== undefined && { name: body.name.trim() }),
        ...(body.language !== undefined && { language: body.language }),
        ...(body.limit !== undefined && { capacity: body.limit }),
      };
      if (Object.keys(patch).length === 0) return settingsToRoom(live?.settings ?? found.settings);
      // Settings are stored before anyone sees them: while the database is down this throws a
      // connection error, which the error handler answers with 503 db_unavailable.
      const row = await rooms.update(roomId, patch);
      if (!row) throw roomNotFound();
      const stored = rowToSettings(row);
      // Only what this request changed: a rename made through the document a moment ago, which
      // the database may not hold yet, must not be undone by the rest of this row.
      registry.updateSettings(roomId, { ...patch, updatedAt: stored.updatedAt });
      const current = registry.get(roomId)?.settings;
      return settingsToRoom(current ? { ...stored, name: current.name, language: current.language, capacity: current.capacity } : stored);
    },
  );

  typed.post(
    '/rooms/:roomId/snapshot',
    {
      schema: {
        tags: ['rooms'],
        summary: 'Store a snapshot of the document now (the Save button)',
        description: 'Edits are stored continuously anyway; this also folds the update log into a snapshot and says when.',
        params: RoomIdParamsSchema,
        response: {
          200: { ...SnapshotSavedSchema, description: 'Stored' },
          ...errorResponses({ 403: ['forbidden'], 404: ['room_not_found'], 503: ['db_unavailable'] }),
        },
      },
    },
    async (request, reply) => {
      const found = await findRoom(request.params.roomId);
      if (!found) throw roomNotFound();
      if (found.viaViewId) throw forbidden('a view link cannot save');
      if (await ownerAnswered(request, reply, found)) return reply;
      try {
        await registry.saveNow(found.settings.roomId);
      } catch {
        throw new AppError(503, 'db_unavailable', 'the document could not be saved now; it is kept in memory and retried');
      }
      return { savedAt: new Date().toISOString() };
    },
  );
}
