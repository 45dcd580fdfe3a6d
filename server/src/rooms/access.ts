import type { Role } from '@pairpad/shared';
import { isRoomId } from '@pairpad/shared';
import type { RoomSettings } from './room';
import type { RoomRegistry } from './room-registry';

/** Looks rooms up in storage; implemented over the rooms repo in http/. */
export interface RoomDirectory {
  byRoomId(roomId: string): Promise<RoomSettings | undefined>;
  byViewId(viewId: string): Promise<RoomSettings | undefined>;
  /** Records that someone opened the room now: idle-room clean-up counts visits, not only edits. */
  touch(roomId: string): Promise<void>;
}

export interface Access {
  settings: RoomSettings;
  role: Role;
  /** True when the caller presented the view capability: nothing may reveal the roomId to them. */
  viaViewId: boolean;
}

/**
 * The single read-only rule: a viewId only ever grants watching; a roomId grants editing unless
 * the caller asks to watch. Returns undefined for ids that exist nowhere.
 */
export async function resolveAccess(
  id: string,
  requestedRole: Role | undefined,
  registry: RoomRegistry,
  directory: RoomDirectory,
): Promise<Access | undefined> {
  if (!isRoomId(id)) return undefined;
  const live = registry.get(id);
  if (live) return { settings: live.settings, role: requestedRole === 'viewer' ? 'viewer' : 'editor', viaViewId: false };
  const liveByView = registry.getByViewId(id);
  if (liveByView) return { settings: liveByView.settings, role: 'viewer', viaViewId: true };
  const byRoom = await directory.byRoomId(id);
  if (byRoom) return { settings: byRoom, role: requestedRole === 'viewer' ? 'viewer' : 'editor', viaViewId: false };
  const byView = await directory.byViewId(id);
  if (byView) return { settings: byView, role: 'viewer', viaViewId: true };
  return undefined;
}
