import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../../config';
import { historyRepo } from '@pairpad/db';
import { createHistoryRetention } from '../../history/retention';
import { createRoomCleanup } from '../../storage/room-cleanup';
import { createVacuumSchedule } from '../../storage/vacuum';

/**
 * The background jobs over the database (deleting rooms idle past their TTL, thinning old
 * history, vacuuming the embedded database): started once the app is ready, stopped before the rooms and the database
 * close.
 */
export const scheduledJobsPlugin = fp(
  async (app: FastifyInstance, options: { config: Readonly<Config> }) => {
    const { config } = options;
    const cleanup = createRoomCleanup({ database: app.database, registry: app.registry, ttlDays: config.roomTtlDays, logger: app.log });
    const vacuum = createVacuumSchedule({ database: app.database, logger: app.log });
    const retention = createHistoryRetention({ store: historyRepo(app.database.db), policy: config.tuning.history, logger: app.log });
    app.addHook('onReady', async () => {
      cleanup.start(config.tuning.roomCleanupIntervalMs);
      vacuum.start(config.tuning.vacuumIntervalMs);
      retention.start(config.tuning.history.retentionIntervalMs);
    });
    app.addHook('onClose', async () => {
      cleanup.stop();
      vacuum.stop();
      await retention.stop();
    });
  },
  { name: 'scheduled-jobs', dependencies: ['database', 'rooms'] },
);
