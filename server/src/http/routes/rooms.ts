import { randomBytes } from 'node:crypto';
import type { DatabaseHandle } from '@pairpad/db';
import { roomsRepo } from '@pairpad/db';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  CreateRoomBodySchema,
  DEFAULT_LANGUAGE,
  GENERATED_ID_LENGTH,
  PatchRoomBodySchema,
  ROOM_LIMIT_DEFAULT,
  editPath,
  isRoomId,
  watchPath,
  type CreatedRoom,
  type RoomDetails,
} from '@pairpad/shared';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../config';
import { AppError, forbidden, roomNotFound } from '../../errors';
import type { DocStore } from '../../rooms/doc-store';
import { initialDocument } from '../../rooms/initial-document';
import type { RoomRegistry } from '../../rooms/room-registry';
import { rowToRoom, rowToSettings } from '../../storage/room-directory';

export interface RoomRoutesDeps {
  config: Readonly<Config>;
  database: DatabaseHandle;
  registry: RoomRegistry;
  store: DocStore;
}

/** 16 base64url characters from 12 random bytes: 96 bits, above the contract's 72. */
export function generateId(): string {
  return randomBytes((GENERATED_ID_LENGTH * 3) / 4).toString('base64url');
}

const DEFAULT_ROOM_NAME = 'Untitled room';

export async function roomRoutes(app: FastifyInstance, deps: RoomRoutesDeps): Promise<void> {
  const { config, registry, store } = deps;
  const rooms = roomsRepo(deps.database.db);
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  const baseUrl = (request: FastifyRequest): string => config.publicUrl ?? `${request.protocol}://${request.host}`;

  /** Finds a room by either capability; the role says which one was presented. */
  const findRoom = async (id: string) => {
    if (!isRoomId(id)) return undefined;
    const byRoom = await rooms.get(id);
    if (byRoom) return { row: byRoom, viaViewId: false };
    const byView = await rooms.getByViewId(id);
    return byView ? { row: byView, viaViewId: true } : undefined;
  };

  typed.post(
    '/rooms',
    {
      schema: { body: CreateRoomBodySchema },
      config: { rateLimit: { max: config.roomsPerIpPerMinute, timeWindow: '1 minute' } },
      // An empty POST creates a room with defaults.
      preValidation: async (request) => {
        if (request.body === undefined) request.body = {};
      },
    },
    async (request, reply) => {
      const body = request.body;
      const name = body.name?.trim() || DEFAULT_ROOM_NAME;
      const language = body.language ?? DEFAULT_LANGUAGE;
      const capacity = body.limit ?? ROOM_LIMIT_DEFAULT;
      const { state, text } = initialDocument({ name, language }, body.code ?? '');
      // A room born over the cap would refuse every edit (its sockets closed with 1009).
      if (state.byteLength > config.maxDocumentBytes) {
        throw new AppError(413, 'document_too_large', `the starting code is ${state.byteLength} bytes as a document; the limit is ${config.maxDocumentBytes}`);
      }
      let row;
      for (let attempt = 0; !row; attempt++) {
        try {
          row = await rooms.create({ room_id: generateId(), view_id: generateId(), name, language, capacity });
        } catch (error) {
          // 96-bit ids practically never collide; retry once or twice rather than fail.
          if (attempt >= 2) throw error;
        }
      }
      await store.compact(row.room_id, { state, text, through: 0 });
      const base = baseUrl(request);
      const created: CreatedRoom = {
        ...rowToRoom(row),
        editUrl: `${base}${editPath(row.room_id)}`,
        viewUrl: `${base}${watchPath(row.view_id)}`,
      };
      return reply.status(201).header('location', `/rooms/${row.room_id}`).send(created);
    },
  );

  app.get<{ Params: { roomId: string } }>('/rooms/:roomId', async (request) => {
    const found = await findRoom(request.params.roomId);
    if (!found) throw roomNotFound();
    const room = rowToRoom(found.row);
    const live = registry.get(room.roomId);
    if (live) {
      room.name = live.settings.name;
      room.language = live.settings.language;
    }
    const code = await registry.readText(room.roomId);
    const participants = live?.participants() ?? [];
    const details: RoomDetails = {
      ...room,
      role: found.viaViewId ? 'viewer' : 'editor',
      code,
      participants,
      online: live?.memberCount ?? 0,
    };
    // The view capability must never lead back to the edit capability.
    if (found.viaViewId) delete details.roomId;
    return details;
  });

  const patchTargets = new WeakMap<FastifyRequest, NonNullable<Awaited<ReturnType<typeof findRoom>>>>();
  typed.patch(
    '/rooms/:roomId',
    {
      schema: { body: PatchRoomBodySchema },
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
    async (request) => {
      const found = patchTargets.get(request);
      if (!found) throw roomNotFound();
      const body = request.body;
      const live = registry.get(found.row.room_id);
      const online = live?.memberCount ?? 0;
      if (body.limit !== undefined && body.limit < online) {
        throw new AppError(409, 'limit_below_online', `${online} participants are online; the limit cannot go below that`);
      }
      const patch = {
        ...(body.name !== undefined && { name: body.name.trim() }),
        ...(body.language !== undefined && { language: body.language }),
        ...(body.limit !== undefined && { capacity: body.limit }),
      };
      const row = Object.keys(patch).length > 0 ? await rooms.update(found.row.room_id, patch) : found.row;
      if (!row) throw roomNotFound();
      registry.updateSettings(row.room_id, rowToSettings(row));
      return rowToRoom(row);
    },
  );

  app.post<{ Params: { roomId: string } }>('/rooms/:roomId/snapshot', async (request) => {
    const found = await findRoom(request.params.roomId);
    if (!found) throw roomNotFound();
    if (found.viaViewId) throw forbidden('a view link cannot save');
    try {
      await registry.saveNow(found.row.room_id);
    } catch {
      throw new AppError(503, 'db_unavailable', 'the document could not be saved now; it is kept in memory and retried');
    }
    return { savedAt: new Date().toISOString() };
  });
}
