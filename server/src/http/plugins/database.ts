import type { DatabaseHandle } from '@pairpad/db';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's database, opened and migrated before the app was built; closed with it. */
    database: DatabaseHandle;
  }
}

/**
 * Hands the database to the app and closes it with the app. Registered before every plugin that
 * uses it: onClose hooks run in reverse order of registration, so the database closes last,
 * after the rooms have stored what they hold.
 */
export const databasePlugin = fp(
  async (app: FastifyInstance, options: { database: DatabaseHandle }) => {
    app.decorate('database', options.database);
    app.addHook('onClose', async () => {
      await options.database.close();
    });
  },
  { name: 'database' },
);
