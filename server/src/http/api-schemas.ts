import {
  LanguageSchema,
  ROOM_ID_PATTERN,
  type AutocompleteResult,
  type CreatedRoom,
  type ErrorCode,
  type HealthStatus,
  type Blame,
  type ForkedRoom,
  type Replay,
  type RestoreResult,
  type Room,
  type RoomDetails,
  type VersionDetails,
  type VersionList,
  type VersionSummary,
  VERSION_KINDS,
} from '@pairpad/shared';
import { Type, type Static, type TSchema } from 'typebox';

/**
 * Response schemas of the REST routes, for the API reference (`/docs`). They describe what the
 * routes send and are not used to serialise it (see the api-docs plugin); the type checks at the
 * end keep them equal to the DTOs in shared/ that the routes and the web client use.
 */

const Id = Type.String({ pattern: ROOM_ID_PATTERN });
const Timestamp = Type.String({ format: 'date-time' });
const RoleSchema = Type.Union([Type.Literal('editor'), Type.Literal('viewer')]);

/** `:roomId` in a path takes either capability; a malformed id is a room that does not exist (404). */
export const RoomIdParamsSchema = Type.Object({
  roomId: Type.String({ description: 'a roomId (edit rights), or a viewId (watch only: GET answers as a viewer, PATCH and Save 403)' }),
});

const roomProperties = {
  roomId: Id,
  viewId: Id,
  name: Type.String(),
  language: LanguageSchema,
  limit: Type.Integer({ description: 'capacity: participants online at once, viewers included' }),
  createdAt: Timestamp,
  updatedAt: Type.String({ format: 'date-time', description: 'the last stored edit or settings change' }),
};

export const RoomSchema = Type.Object(roomProperties);

export const CreatedRoomSchema = Type.Object({
  ...roomProperties,
  editUrl: Type.String({ description: 'the web page that edits the room (grants editing)' }),
  viewUrl: Type.String({ description: 'the web page that watches the room (grants watching only)' }),
});

export const ParticipantSchema = Type.Object({
  name: Type.String(),
  color: Type.String(),
  role: RoleSchema,
  online: Type.Boolean(),
  typing: Type.Optional(Type.Boolean({ description: 'for a few seconds after this participant last typed' })),
});

const RoomParentSchema = Type.Object(
  {
    viewId: Id,
    name: Type.String(),
    version: Type.Union([Type.Integer(), Type.Null()], { description: "the parent's version it started from; null: the text of the moment" }),
  },
  { description: 'where a forked room came from (its view link only)' },
);

export const RoomDetailsSchema = Type.Object({
  ...roomProperties,
  roomId: Type.Optional(Type.String({ pattern: ROOM_ID_PATTERN, description: 'absent when asked by viewId' })),
  role: RoleSchema,
  code: Type.Optional(Type.String({ description: 'the current text; absent with ?code=false' })),
  participants: Type.Array(ParticipantSchema, { description: 'online and recently left people' }),
  online: Type.Integer({ description: 'connections online (extension)' }),
  parent: Type.Optional(RoomParentSchema),
});

const HistoryAuthorSchema = Type.Object({ name: Type.String(), color: Type.String() });

export const VersionSummarySchema = Type.Object({
  id: Type.Integer({ description: 'increasing per room' }),
  at: Timestamp,
  kind: Type.Enum([...VERSION_KINDS], {
    description: 'auto (after 30 s of quiet, at least every 10 min), named (Save), before_restore, before_overwrite (a whole-buffer write replacing over half the text)',
  }),
  name: Type.Union([Type.String(), Type.Null()]),
  by: Type.Union([Type.String(), Type.Null()], { description: 'who saved or restored; null for automatic versions' }),
  authors: Type.Array(HistoryAuthorSchema, { description: 'who edited since the previous version' }),
  inserted: Type.Integer({ description: 'UTF-16 units inserted since the previous version' }),
  deleted: Type.Integer({ description: 'UTF-16 units deleted since the previous version' }),
  length: Type.Integer(),
});

export const VersionListSchema = Type.Object({
  versions: Type.Array(VersionSummarySchema, { description: 'newest first' }),
  nextBefore: Type.Optional(Type.Integer({ description: 'pass as `before` for the next page' })),
});

export const VersionDetailsSchema = Type.Object({ ...VersionSummarySchema.properties, text: Type.String(), language: LanguageSchema });

export const RestoreResultSchema = Type.Object({
  restored: VersionSummarySchema,
  backup: { ...VersionSummarySchema, description: 'the text just before the restore; restore it to undo' },
});

export const ForkedRoomSchema = Type.Object({ ...CreatedRoomSchema.properties, parent: RoomParentSchema });

export const BlameSchema = Type.Object({
  version: Type.Union([Type.Integer(), Type.Null()]),
  length: Type.Integer(),
  ranges: Type.Array(
    Type.Object({
      start: Type.Integer(),
      end: Type.Integer({ description: 'exclusive; UTF-16 offsets' }),
      author: Type.Union([Type.String(), Type.Null()], { description: 'null: written by the server (starting code) or older than history' }),
      color: Type.Union([Type.String(), Type.Null()]),
      at: Type.Union([Timestamp, Type.Null()], { description: 'to the minute' }),
    }),
    { description: 'cover the text, in order' },
  ),
  authors: Type.Array(Type.Object({ name: Type.String(), color: Type.String(), chars: Type.Integer() })),
});

export const ReplaySchema = Type.Object({
  from: Type.Integer(),
  to: Type.Union([Type.Integer(), Type.Null()]),
  base: Type.String({ description: 'Yjs state of version `from`, base64' }),
  steps: Type.Array(
    Type.Object({ at: Timestamp, author: Type.Union([Type.String(), Type.Null()]), update: Type.String({ description: 'a Yjs update, base64' }) }),
    { description: 'in the order they were made; long spans merged into at most 600 steps' },
  ),
});

export const SuggestionSchema = Type.Object({
  label: Type.String({ description: 'the whole word or snippet name' }),
  insertText: Type.String({ description: 'what would be inserted at the cursor' }),
  kind: Type.Enum(['keyword', 'builtin', 'identifier', 'snippet', 'line', 'module', 'member']),
});

export const AutocompleteResultSchema = Type.Object({
  suggestion: Type.String({ description: 'the text to insert at the cursor; empty when nothing is worth offering' }),
  suggestions: Type.Array(SuggestionSchema),
  source: Type.Optional(Type.Union([Type.Literal('local'), Type.Literal('model')])),
});

const ClusterHealthSchema = Type.Object(
  {
    instanceId: Type.String(),
    ownedRooms: Type.Integer({ description: 'rooms this instance serves as their owner' }),
    forwardedClients: Type.Integer({ description: 'its clients whose rooms another instance serves' }),
    servedForPeers: Type.Integer({ description: "other instances' clients it serves as the owner" }),
    forwardedFrames: Type.Integer({ description: 'frames relayed over links since start' }),
    roomsLost: Type.Integer({ description: 'rooms given up since start (another instance took them over)' }),
  },
  { description: 'Present when the server runs as one of several instances (CLUSTER_SECRET)' },
);

export const HealthSchema = Type.Object({
  status: Type.Literal('ok'),
  db: Type.Literal('ok'),
  cluster: Type.Optional(ClusterHealthSchema),
});

export const SnapshotSavedSchema = Type.Object({ savedAt: Timestamp });

const ErrorCodeSchema = (codes: readonly ErrorCode[]) => Type.Enum([...codes]);

export const HealthDegradedSchema = Type.Object({
  status: Type.Literal('degraded'),
  db: Type.Literal('down'),
  rooms: Type.Integer({ description: 'rooms in memory' }),
  unsavedRooms: Type.Integer({ description: 'rooms with edits not yet stored' }),
  cluster: Type.Optional(ClusterHealthSchema),
  error: Type.Object({ code: ErrorCodeSchema(['db_unavailable']), message: Type.String() }),
});

const ERROR_STATUS_MEANINGS: Readonly<Record<number, string>> = {
  400: 'Malformed request',
  403: 'A view link may not do this',
  404: 'No such room',
  409: 'Conflicts with the room as it is',
  413: 'Too large',
  429: 'Over a rate limit; answered after RATE_LIMIT_DELAY_MS, with retry-after',
  500: 'Server failure (logged; the message is never the cause)',
  503: 'Database unavailable; with retry-after',
};

/** Every route may fail with 500; a route's own refusals come on top. */
export function errorResponses(byStatus: Readonly<Record<number, readonly ErrorCode[]>>): Record<number, TSchema> {
  const responses: Record<number, TSchema> = {};
  for (const [status, codes] of Object.entries({ ...byStatus, 500: ['internal_error'] as const })) {
    responses[Number(status)] = Type.Object(
      { error: Type.Object({ code: ErrorCodeSchema(codes), message: Type.String({ description: 'a human sentence' }) }) },
      { description: `${ERROR_STATUS_MEANINGS[Number(status)] ?? 'Refused'}: ${codes.map((code) => `\`${code}\``).join(', ')}` },
    );
  }
  return responses;
}

// The schemas and the DTOs must describe the same objects (both ways; a healthy answer is one
// of the HealthStatus values). A mismatch fails the type check.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
export type SchemasMatchDtos = [
  Holds<Same<Static<typeof RoomSchema>, Room>>,
  Holds<Same<Static<typeof CreatedRoomSchema>, CreatedRoom>>,
  Holds<Same<Static<typeof RoomDetailsSchema>, RoomDetails>>,
  Holds<Same<Static<typeof AutocompleteResultSchema>, AutocompleteResult>>,
  Holds<Same<Static<typeof VersionSummarySchema>, VersionSummary>>,
  Holds<Same<Static<typeof VersionListSchema>, VersionList>>,
  Holds<Same<Static<typeof VersionDetailsSchema>, VersionDetails>>,
  Holds<Same<Static<typeof RestoreResultSchema>, RestoreResult>>,
  Holds<Same<Static<typeof ForkedRoomSchema>, ForkedRoom>>,
  Holds<Same<Static<typeof BlameSchema>, Blame>>,
  Holds<Same<Static<typeof ReplaySchema>, Replay>>,
  Holds<Static<typeof HealthSchema> extends HealthStatus ? true : false>,
];
