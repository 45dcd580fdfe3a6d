import type { DatabaseHandle, RoomRow } from '@pairpad/db';
import { roomsRepo } from '@pairpad/db';
import { DEFAULT_LANGUAGE, isLanguage } from '@pairpad/shared';
import type { RoomDirectory } from '../rooms/access';
import type { RosterRecord } from '../rooms/doc-store';
import type { RoomSettings } from '../rooms/room';

export function rowToSettings(row: RoomRow): RoomSettings {
  return {
    roomId: row.room_id,
    viewId: row.view_id,
    name: row.name,
    language: isLanguage(row.language) ? row.language : DEFAULT_LANGUAGE,
    capacity: row.capacity,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    roster: parseRoster(row.roster),
    ...(row.parent_view_id !== null && {
      parent: { viewId: row.parent_view_id, name: row.parent_name ?? '', version: row.parent_version === null ? null : Number(row.parent_version) },
    }),
  };
}

/** The stored roster; entries that are not well formed are skipped rather than trusted. */
function parseRoster(json: string): RosterRecord[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.filter(
    (entry): entry is RosterRecord =>
      typeof entry === 'object' &&
      entry !== null &&
      typeof entry.name === 'string' &&
      typeof entry.color === 'string' &&
      (entry.role === 'editor' || entry.role === 'viewer'),
  );
}

export function createRoomDirectory(database: DatabaseHandle): RoomDirectory {
  const rooms = roomsRepo(database.db);
  return {
    byRoomId: async (roomId) => {
      const row = await rooms.get(roomId);
      return row && rowToSettings(row);
    },
    byViewId: async (viewId) => {
      const row = await rooms.getByViewId(viewId);
      return row && rowToSettings(row);
    },
    touch: (roomId) => rooms.touch(roomId),
  };
}
