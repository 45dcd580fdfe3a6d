import type { DatabaseHandle } from '@pairpad/db';
import { roomsRepo } from '@pairpad/db';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  BlameQuerySchema,
  CreateVersionBodySchema,
  ForkBodySchema,
  ReplayQuerySchema,
  RestoreBodySchema,
  VersionListQuerySchema,
  VersionParamsSchema,
  checkDisplayName,
  type ForkedRoom,
} from '@pairpad/shared';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ClusterNode } from '../../cluster/node';
import type { Config } from '../../config';
import { AppError, forbidden, roomNotFound } from '../../errors';
import type { HistoryService } from '../../history/history-service';
import type { RoomRegistry } from '../../rooms/room-registry';
import {
  BlameSchema,
  ForkedRoomSchema,
  ReplaySchema,
  RestoreResultSchema,
  RoomIdParamsSchema,
  VersionDetailsSchema,
  VersionListSchema,
  VersionSummarySchema,
  errorResponses,
} from '../api-schemas';
import { answeredByOwner } from '../cluster-forwarding';
import { createRoom, createRoomFinder, type FoundRoom } from '../room-lookup';

export interface HistoryRoutesDeps {
  config: Readonly<Config>;
  database: DatabaseHandle;
  registry: RoomRegistry;
  history: HistoryService;
  cluster: ClusterNode | null;
}

const VERSION_PAGE_DEFAULT = 50;

const optionalNumber = (text: string | undefined): number | undefined => (text === undefined ? undefined : Number(text));

/** `by` is a display name: the same rule as joining a room. */
function actorName(raw: string): string {
  const checked = checkDisplayName(raw);
  if (!checked.ok) throw new AppError(400, 'invalid_request', `by: ${checked.message}`);
  return checked.name;
}

/**
 * History REST: versions, replay and authorship for anyone holding a link; save, restore and
 * fork for editors only. Thin: the work is the HistoryService's.
 */
export async function historyRoutes(app: FastifyInstance, deps: HistoryRoutesDeps): Promise<void> {
  const { config, registry, history, cluster, database } = deps;
  const findRoom = createRoomFinder(registry, roomsRepo(database.db));
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const readLimit = { rateLimit: { max: config.roomReadsPerIpPerMinute, timeWindow: '1 minute' } };

  /** The room, or 404; a view link gets 403 when `editOnly` says why. */
  const room = async (id: string, editOnly?: string): Promise<FoundRoom> => {
    const found = await findRoom(id);
    if (!found) throw roomNotFound();
    if (editOnly && found.viaViewId) throw forbidden(editOnly);
    return found;
  };

  /** Several instances: a room live on another instance is answered there (it holds the newest edits). */
  const ownerAnswered = (request: FastifyRequest, reply: FastifyReply, found: FoundRoom) =>
    !found.live && answeredByOwner(request, reply, found.settings.roomId, cluster, database);

  /**
   * Several instances, before a write to the live document: this instance must own the room (a
   * claim fences its writes), or the owner answers.
   */
  const servedElsewhere = async (request: FastifyRequest, reply: FastifyReply, found: FoundRoom): Promise<boolean> => {
    if (await ownerAnswered(request, reply, found)) return true;
    if (!cluster || found.live) return false;
    const placement = await cluster.ownership.place(found.settings.roomId);
    if (placement.kind === 'local') return false;
    if (placement.kind === 'remote' && (await ownerAnswered(request, reply, found))) return true;
    void reply.header('retry-after', 1);
    throw new AppError(503, 'db_unavailable', 'the room is changing hands between instances; try again in a moment');
  };

  typed.get(
    '/rooms/:roomId/versions',
    {
      schema: {
        tags: ['history'],
        summary: "List a room's versions, newest first",
        description: `Automatic versions (after 30 s of quiet, at least every 10 minutes of editing), named ones (Save), and the text before each restore or whole-buffer overwrite. \`limit\` defaults to ${VERSION_PAGE_DEFAULT}; pass \`nextBefore\` as \`before\` for older ones.`,
        params: RoomIdParamsSchema,
        querystring: VersionListQuerySchema,
        response: { 200: VersionListSchema, ...errorResponses({ 400: ['invalid_request'], 404: ['room_not_found'], 503: ['db_unavailable'] }) },
      },
    },
    async (request) => {
      const found = await room(request.params.roomId);
      const { limit, before } = request.query;
      return history.list(found.settings, { limit: limit === undefined ? VERSION_PAGE_DEFAULT : Number(limit), ...(before !== undefined && { before: Number(before) }) });
    },
  );

  typed.get(
    '/rooms/:roomId/versions/:version',
    {
      schema: {
        tags: ['history'],
        summary: 'Read one version: its text, language and authors',
        params: VersionParamsSchema,
        response: {
          200: VersionDetailsSchema,
          ...errorResponses({ 400: ['invalid_request'], 404: ['room_not_found', 'not_found'], 429: ['rate_limited'], 503: ['db_unavailable'] }),
        },
      },
      config: readLimit,
    },
    async (request) => {
      const found = await room(request.params.roomId);
      return history.details(found.settings, Number(request.params.version));
    },
  );

  typed.post(
    '/rooms/:roomId/versions',
    {
      schema: {
        tags: ['history'],
        summary: 'Save a named version of the text now (Save / Ctrl+S)',
        description: '`by` is the display name of the person saving. A view link is refused (403).',
        params: RoomIdParamsSchema,
        body: CreateVersionBodySchema,
        response: {
          201: VersionSummarySchema,
          ...errorResponses({ 400: ['invalid_request'], 403: ['forbidden'], 404: ['room_not_found'], 503: ['db_unavailable'] }),
        },
      },
    },
    async (request, reply) => {
      const found = await room(request.params.roomId, 'a view link cannot save versions');
      if (await ownerAnswered(request, reply, found)) return reply;
      const by = actorName(request.body.by);
      const saved = await history.save(found.settings, { by, ...(request.body.name !== undefined && { name: request.body.name.trim() }) });
      return reply.status(201).send(saved);
    },
  );

  typed.post(
    '/rooms/:roomId/restore',
    {
      schema: {
        tags: ['history'],
        summary: 'Restore a version',
        description:
          'Applied as one ordinary edit by `by` (the smallest change from the text now), so everyone keeps their cursors; the text before it is kept as a `before_restore` version (restore that to undo), and every client sees a notice in the document. A view link is refused (403).',
        params: RoomIdParamsSchema,
        body: RestoreBodySchema,
        response: {
          200: RestoreResultSchema,
          ...errorResponses({ 400: ['invalid_request'], 403: ['forbidden'], 404: ['room_not_found', 'not_found'], 503: ['db_unavailable'] }),
        },
      },
    },
    async (request, reply) => {
      const found = await room(request.params.roomId, 'a view link cannot restore versions');
      if (await servedElsewhere(request, reply, found)) return reply;
      return history.restore(found.settings, request.body.version, actorName(request.body.by));
    },
  );

  typed.post(
    '/rooms/:roomId/fork',
    {
      schema: {
        tags: ['history'],
        summary: 'Fork: a new room starting from a version (or the text now)',
        description:
          "The new room has the version's text and language, the parent's name with \" (fork)\" unless `name` is given, and a link back to the parent's view link. Editors only: a view link is refused (403), so a watcher cannot mint edit rights to a copy of the code.",
        params: RoomIdParamsSchema,
        body: ForkBodySchema,
        response: {
          201: ForkedRoomSchema,
          ...errorResponses({ 400: ['invalid_request'], 403: ['forbidden'], 404: ['room_not_found', 'not_found'], 413: ['document_too_large'], 429: ['rate_limited'], 503: ['db_unavailable'] }),
        },
      },
      config: { rateLimit: { max: config.roomsPerIpPerMinute, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const found = await room(request.params.roomId, 'a view link cannot fork a room');
      if (await ownerAnswered(request, reply, found)) return reply;
      actorName(request.body.by);
      const { settings } = found;
      const source = await history.forkSource(settings, request.body.version);
      const parent = { viewId: settings.viewId, name: settings.name, version: source.version };
      const created = await createRoom(roomsRepo(database.db), config, request, reply, {
        name: request.body.name?.trim() ?? `${settings.name} (fork)`.slice(0, 100),
        language: source.language,
        capacity: settings.capacity,
        code: source.text,
        parent,
      });
      const forked: ForkedRoom = { ...created, parent };
      return reply.send(forked);
    },
  );

  typed.get(
    '/rooms/:roomId/blame',
    {
      schema: {
        tags: ['history'],
        summary: 'Who wrote each character (authorship)',
        description:
          'Ranges covering the text now (or `?version=`), each with its author, their colour and the minute it was written. Authorship is decided by the server from the connection that sent each edit.',
        params: RoomIdParamsSchema,
        querystring: BlameQuerySchema,
        response: {
          200: BlameSchema,
          ...errorResponses({ 400: ['invalid_request'], 404: ['room_not_found', 'not_found'], 429: ['rate_limited'], 503: ['db_unavailable'] }),
        },
      },
      config: readLimit,
    },
    async (request, reply) => {
      const found = await room(request.params.roomId);
      if (await ownerAnswered(request, reply, found)) return reply;
      return history.blame(found.settings, optionalNumber(request.query.version));
    },
  );

  typed.get(
    '/rooms/:roomId/replay',
    {
      schema: {
        tags: ['history'],
        summary: 'Replay the session between two versions',
        description: 'The Yjs state of version `from` and the updates made after it, up to version `to` (or now), merged into at most 600 steps.',
        params: RoomIdParamsSchema,
        querystring: ReplayQuerySchema,
        response: {
          200: ReplaySchema,
          ...errorResponses({ 400: ['invalid_request'], 404: ['room_not_found', 'not_found'], 429: ['rate_limited'], 503: ['db_unavailable'] }),
        },
      },
      config: readLimit,
    },
    async (request, reply) => {
      const found = await room(request.params.roomId);
      if (await ownerAnswered(request, reply, found)) return reply;
      return history.replay(found.settings, Number(request.query.from), optionalNumber(request.query.to));
    },
  );
}
