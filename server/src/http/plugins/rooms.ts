import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { historyRepo } from '@pairpad/db';
import type { Config } from '../../config';
import { HistoryService } from '../../history/history-service';
import { RoomRegistry } from '../../rooms/room-registry';
import { createDbDocStore } from '../../storage/db-doc-store';

declare module 'fastify' {
  interface FastifyInstance {
    /** The live rooms and their batched log appends (the persist queue is the registry's own). */
    registry: RoomRegistry;
    /** Versions, replay, authorship, restore and fork, beside the live rooms. */
    history: HistoryService;
  }
}

/**
 * The room registry over the database, and history beside it, closed before the database: closing
 * it tells every socket to come back later (1001), then stores and compacts every room.
 */
export const roomsPlugin = fp(
  async (app: FastifyInstance, options: { config: Readonly<Config> }) => {
    const { config } = options;
    const { tuning } = config;
    const { cluster } = app;
    // Rooms the registry must let go: another instance owns them now, or they were deleted.
    let evict: (roomIds: readonly string[], reason: 'owner_moved' | 'room_deleted') => void = () => {};
    const registry = new RoomRegistry({
      store: createDbDocStore(app.database, {
        fencing: cluster?.ownership,
        onRoomsGone: (roomIds) => evict(roomIds, 'room_deleted'),
      }),
      // Several instances: a room stored and unloaded here may be owned by another next.
      onUnloaded: cluster ? (roomId) => void cluster.ownership.release(roomId).catch(() => {}) : undefined,
      logger: app.log,
      persistFlushMs: config.persistFlushMs,
      compactIntervalMs: config.compactIntervalMs,
      compactMaxLogRows: config.compactMaxLogRows,
      maxDocBytes: config.maxDocumentBytes,
      typingMs: tuning.typingMs,
      // A retry sooner than the next flush would only race it.
      retryMinMs: Math.max(config.persistFlushMs, tuning.retryMinMs),
      retryMaxMs: tuning.retryMaxMs,
      syncEncodeBytesPerSecond: config.roomSyncBytesPerSecond,
      maxRoomsInMemory: config.maxRoomsInMemory,
      unloadDelayMs: config.unloadDelayMs,
      nameProbeMs: tuning.nameProbeMs,
    });
    app.decorate('registry', registry);
    const history = new HistoryService({ store: historyRepo(app.database.db), registry, logger: app.log, tuning: tuning.history });
    app.decorate('history', history);
    evict = (roomIds, reason) => registry.evict(roomIds, reason);
    cluster?.onRoomsLost((roomIds) => registry.evict(roomIds, 'owner_moved'));
    // Started in preClose, so sockets hear 1001 before the websocket plugin's own preClose closes
    // them without a code (this plugin is registered before it, and preClose hooks run in order).
    app.addHook('preClose', async () => {
      await registry.close();
    });
    // Awaited again here (close() is idempotent) so the database's onClose, registered earlier
    // and so run later, never starts before every room is stored.
    app.addHook('onClose', async () => {
      await registry.close();
      // Versions the closing rooms took are written before the database goes.
      await history.close();
    });
  },
  { name: 'rooms', dependencies: ['database', 'cluster'] },
);
