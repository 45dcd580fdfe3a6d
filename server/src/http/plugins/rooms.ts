import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../../config';
import { RoomRegistry } from '../../rooms/room-registry';
import { createDbDocStore } from '../../storage/db-doc-store';

declare module 'fastify' {
  interface FastifyInstance {
    /** The live rooms and their batched log appends (the persist queue is the registry's own). */
    registry: RoomRegistry;
  }
}

/**
 * The room registry over the database, closed before the database: closing it tells every socket
 * to come back later (1001), then stores and compacts every room.
 */
export const roomsPlugin = fp(
  async (app: FastifyInstance, options: { config: Readonly<Config> }) => {
    const { config } = options;
    const { tuning } = config;
    const registry = new RoomRegistry({
      store: createDbDocStore(app.database),
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
    // Started in preClose, so sockets hear 1001 before the websocket plugin's own preClose closes
    // them without a code (this plugin is registered before it, and preClose hooks run in order).
    app.addHook('preClose', async () => {
      await registry.close();
    });
    // Awaited again here (close() is idempotent) so the database's onClose, registered earlier
    // and so run later, never starts before every room is stored.
    app.addHook('onClose', async () => {
      await registry.close();
    });
  },
  { name: 'rooms', dependencies: ['database'] },
);
