import type { DatabaseHandle } from '@pairpad/db';
import { roomsRepo } from '@pairpad/db';
import type { Logger } from '../log';
import type { RoomRegistry } from '../rooms/room-registry';

const DAY_MS = 86_400_000;

/**
 * Deletes rooms nobody has used for `ttlDays`, with their snapshots and logs (cascade).
 * Rooms live in memory are never deleted under their members.
 */
export function createRoomCleanup(deps: { database: DatabaseHandle; registry: RoomRegistry; ttlDays: number; logger: Logger }) {
  const rooms = roomsRepo(deps.database.db);
  let timer: NodeJS.Timeout | null = null;
  const runOnce = async (now = new Date()): Promise<string[]> => {
    const cutoff = new Date(now.getTime() - deps.ttlDays * DAY_MS);
    const loaded = deps.registry.loadedRoomIds();
    // Rooms open here count as used now: with several instances, another one's clean-up (which
    // sees only its own rooms in memory) must not delete them under their members.
    await rooms.touchMany(loaded, now);
    const deleted = await rooms.deleteIdleBefore(cutoff, loaded);
    if (deleted.length > 0) deps.logger.info({ count: deleted.length, ttlDays: deps.ttlDays }, 'deleted idle rooms');
    return deleted;
  };
  return {
    runOnce,
    start(intervalMs: number): void {
      timer ??= setInterval(() => {
        runOnce().catch((error: unknown) => deps.logger.warn({ err: error }, 'idle room clean-up failed; will retry'));
      }, intervalMs);
      timer.unref();
    },
    stop(): void {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
