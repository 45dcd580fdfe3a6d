import { randomBytes } from 'node:crypto';
import type { RoomsRepo } from '@pairpad/db';
import { GENERATED_ID_LENGTH, editPath, isRoomId, watchPath, type CreatedRoom, type Language, type Room as ApiRoom, type RoomParent } from '@pairpad/shared';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config';
import { AppError } from '../errors';
import { initialDocument } from '../rooms/initial-document';
import type { Room, RoomSettings } from '../rooms/room';
import type { RoomRegistry } from '../rooms/room-registry';
import { rowToSettings } from '../storage/room-directory';

/** 16 base64url characters from 12 random bytes: 96 bits, above the contract's 72. */
export function generateId(): string {
  return randomBytes((GENERATED_ID_LENGTH * 3) / 4).toString('base64url');
}

export interface FoundRoom {
  settings: RoomSettings;
  viaViewId: boolean;
  /** The room in memory, if it is live. */
  live: Room | undefined;
}

/** Settings read from the rooms table carry its times; only those can describe a room without it. */
function hasTimes(settings: RoomSettings): settings is RoomSettings & { createdAt: string; updatedAt: string } {
  return settings.createdAt !== undefined && settings.updatedAt !== undefined;
}

export function settingsToRoom(settings: RoomSettings): ApiRoom {
  return {
    roomId: settings.roomId,
    viewId: settings.viewId,
    name: settings.name,
    language: settings.language,
    limit: settings.capacity,
    createdAt: settings.createdAt ?? '',
    updatedAt: settings.updatedAt ?? '',
  };
}

/**
 * Finds a room by either capability; `viaViewId` says which one was presented. A room live in
 * memory is answered from there without a query, so it keeps serving while the database is
 * down (its settings are kept current by PATCH and the meta map).
 */
export function createRoomFinder(registry: RoomRegistry, rooms: RoomsRepo) {
  return async (id: string): Promise<FoundRoom | undefined> => {
    if (!isRoomId(id)) return undefined;
    const live = registry.get(id);
    if (live && hasTimes(live.settings)) return { settings: live.settings, viaViewId: false, live };
    const liveByView = registry.getByViewId(id);
    if (liveByView && hasTimes(liveByView.settings)) return { settings: liveByView.settings, viaViewId: true, live: liveByView };
    const byRoom = await rooms.get(id);
    if (byRoom) return { settings: rowToSettings(byRoom), viaViewId: false, live: registry.get(byRoom.room_id) };
    const byView = await rooms.getByViewId(id);
    return byView ? { settings: rowToSettings(byView), viaViewId: true, live: registry.get(byView.room_id) } : undefined;
  };
}

export interface NewRoom {
  name: string;
  language: Language;
  capacity: number;
  code: string;
  parent?: RoomParent;
}

/** Stores a new room with its first document; answers what POST /rooms (and a fork) send back. */
export async function createRoom(
  rooms: RoomsRepo,
  config: Readonly<Config>,
  request: FastifyRequest,
  reply: FastifyReply,
  room: NewRoom,
): Promise<CreatedRoom> {
  const { name, language, capacity, parent } = room;
  const state = initialDocument({ name, language }, room.code);
  // A room born over the cap would refuse every edit (its sockets closed with 1009).
  if (state.byteLength > config.maxDocumentBytes) {
    throw new AppError(413, 'document_too_large', `the starting code is ${state.byteLength} bytes as a document; the limit is ${config.maxDocumentBytes}`);
  }
  const parentColumns = parent ? { parent_view_id: parent.viewId, parent_name: parent.name, parent_version: parent.version } : {};
  let row;
  for (let attempt = 0; !row; attempt++) {
    try {
      // Room and first snapshot in one transaction: never a room without its document.
      row = await rooms.createWithDocument({ room_id: generateId(), view_id: generateId(), name, language, capacity, ...parentColumns }, state);
    } catch (error) {
      // 96-bit ids practically never collide; retry once or twice rather than fail.
      if (attempt >= 2) throw error;
    }
  }
  const base = config.publicUrl ?? `${request.protocol}://${request.host}`;
  void reply.status(201).header('location', `/rooms/${row.room_id}`);
  return {
    ...settingsToRoom(rowToSettings(row)),
    editUrl: `${base}${editPath(row.room_id)}`,
    viewUrl: `${base}${watchPath(row.view_id)}`,
  };
}
