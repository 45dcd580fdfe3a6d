import { Type, type Static } from 'typebox';
import {
  LANGUAGES,
  MAX_CODE_LENGTH,
  ROOM_LIMIT_MAX,
  ROOM_LIMIT_MIN,
  ROOM_NAME_MAX_LENGTH,
  ROOM_NAME_PATTERN,
  type Language,
} from './limits';

/**
 * REST request schemas (TypeBox = JSON Schema + static types). The server validates
 * with them; the web client checks forms with the same limits.
 */
export const LanguageSchema = Type.Enum(LANGUAGES);
/** 1-100 characters with something visible; no control, invisible or text-direction characters. */
export const RoomNameSchema = Type.String({ minLength: 1, maxLength: ROOM_NAME_MAX_LENGTH, pattern: ROOM_NAME_PATTERN });
export const RoomLimitSchema = Type.Integer({ minimum: ROOM_LIMIT_MIN, maximum: ROOM_LIMIT_MAX });

export const CreateRoomBodySchema = Type.Object({
  name: Type.Optional(RoomNameSchema),
  language: Type.Optional(LanguageSchema),
  limit: Type.Optional(RoomLimitSchema),
  code: Type.Optional(Type.String({ maxLength: MAX_CODE_LENGTH })),
});

export const PatchRoomBodySchema = Type.Object({
  name: Type.Optional(RoomNameSchema),
  language: Type.Optional(LanguageSchema),
  limit: Type.Optional(RoomLimitSchema),
});

/** `GET /rooms/:id?code=false` leaves out the text (the web client syncs it over the socket). */
export const GetRoomQuerySchema = Type.Object({
  code: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
});

export const AutocompleteBodySchema = Type.Object({
  code: Type.String({ maxLength: MAX_CODE_LENGTH }),
  cursorPosition: Type.Integer({ minimum: 0 }),
  language: LanguageSchema,
});
export type AutocompleteBody = Static<typeof AutocompleteBodySchema>;

/** What a connection may do: an editor writes, a viewer only watches. */
export type Role = 'editor' | 'viewer';

export type SuggestionKind = 'keyword' | 'builtin' | 'identifier' | 'snippet' | 'line' | 'module' | 'member';

export interface Suggestion {
  /** The whole word or snippet name, for a list. */
  label: string;
  /** What would be inserted at the cursor (the part not typed yet). */
  insertText: string;
  kind: SuggestionKind;
}

export interface AutocompleteResult {
  /** Best text to insert at the cursor; empty when nothing is worth offering. */
  suggestion: string;
  suggestions: Suggestion[];
  /** Where the suggestion came from (`local` engine or a configured `model`). */
  source?: 'local' | 'model';
}

export interface Participant {
  name: string;
  color: string;
  role: Role;
  online: boolean;
  /** True for a few seconds after this participant last typed. */
  typing?: boolean;
}

/** A room as an editor sees it. */
export interface Room {
  roomId: string;
  viewId: string;
  name: string;
  language: Language;
  limit: number;
  createdAt: string;
  updatedAt: string;
}

/** POST /rooms answer. */
export interface CreatedRoom extends Room {
  editUrl: string;
  viewUrl: string;
}

/** GET /rooms/:id answer: for a viewer `roomId` is absent and `role` is "viewer". */
export interface RoomDetails extends Omit<Room, 'roomId'> {
  roomId?: string;
  role: Role;
  /** The current text; absent only when asked for with `?code=false`. */
  code?: string;
  participants: Participant[];
  online: number;
  /** Present on a room forked from another (POST /rooms/:id/fork). */
  parent?: RoomParent;
}

/** Where a forked room came from. Names the parent's view link only: a fork never leads to edit rights. */
export interface RoomParent {
  viewId: string;
  name: string;
  /** The parent's version it started from; null when forked from the text of the moment. */
  version: number | null;
}


export interface HealthStatus {
  status: 'ok' | 'degraded';
  db: 'ok' | 'down';
  /** Present when the server runs as one of several instances. */
  cluster?: ClusterHealth;
}

/** One instance's part in a cluster, as `/healthz` reports it. */
export interface ClusterHealth {
  instanceId: string;
  /** Rooms this instance serves as their owner. */
  ownedRooms: number;
  /** Its clients whose rooms another instance serves. */
  forwardedClients: number;
  /** Other instances' clients it serves as the owner. */
  servedForPeers: number;
  /** Frames relayed over links since start. */
  forwardedFrames: number;
  /** Rooms it gave up since start (another instance took them over). */
  roomsLost: number;
}

/** Web paths the server answers with the app; REST and sockets share the host. */
export const editPath = (roomId: string): string => `/room/${roomId}`;
export const watchPath = (viewId: string): string => `/watch/${viewId}`;
