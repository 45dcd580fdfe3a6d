import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ClusterNode } from '../../cluster/node';
import type { Config } from '../../config';

declare module 'fastify' {
  interface FastifyInstance {
    /** This instance's part in a cluster (CLUSTER_SECRET), or null when it runs alone. */
    cluster: ClusterNode | null;
  }
}

/**
 * Several instances on one PostgreSQL: room leases and the links to the other instances.
 * Registered before the rooms plugin, so it closes after it: rooms are stored before their
 * leases go, and the next owner loads everything.
 */
export const clusterPlugin = fp(
  async (app: FastifyInstance, options: { config: Readonly<Config> }) => {
    const { cluster } = options.config;
    const { database } = options.config;
    if (!cluster || database.kind !== 'postgres') {
      app.decorate('cluster', null);
      return;
    }
    const node = new ClusterNode(cluster, app.database, database.url, app.log.child({ component: 'cluster', instance: cluster.instanceId }));
    app.decorate('cluster', node);
    app.addHook('onClose', async () => {
      await node.close();
    });
  },
  { name: 'cluster', dependencies: ['database'] },
);
