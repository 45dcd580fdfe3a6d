import type { DatabaseHandle } from '@pairpad/db';
import type { ClusterHealth, HealthStatus } from '@pairpad/shared';
import type { ClusterNode } from '../../cluster/node';
import type { FastifyInstance } from 'fastify';
import type { RoomRegistry } from '../../rooms/room-registry';
import { HealthDegradedSchema, HealthSchema } from '../api-schemas';

export interface HealthRoutesDeps {
  database: DatabaseHandle;
  registry: RoomRegistry;
  /** A database that has not answered a ping within this is reported down. */
  timeoutMs: number;
  cluster: ClusterNode | null;
}

function clusterHealth(node: ClusterNode): ClusterHealth {
  return { instanceId: node.instanceId, ownedRooms: node.ownership.ownedRoomIds.length, ...node.stats };
}

export async function healthRoutes(app: FastifyInstance, deps: HealthRoutesDeps): Promise<void> {
  const schema = {
    tags: ['health'],
    summary: 'Whether the server and its database answer',
    response: {
      200: { ...HealthSchema, description: 'Serving, and the database answered a ping' },
      503: {
        ...HealthDegradedSchema,
        description: 'The database did not answer: live rooms keep working from memory, their edits are stored when it is back',
      },
    },
  };
  app.get('/healthz', { schema }, async (request, reply) => {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        deps.database.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${deps.timeoutMs} ms`)), deps.timeoutMs);
        }),
      ]);
      const body: HealthStatus = { status: 'ok', db: 'ok', ...(deps.cluster ? { cluster: clusterHealth(deps.cluster) } : {}) };
      return body;
    } catch (error) {
      request.log.warn({ err: error }, 'health check: database unreachable');
      return reply.status(503).send({
        status: 'degraded',
        db: 'down',
        rooms: deps.registry.size,
        unsavedRooms: deps.registry.unsavedRoomCount(),
        ...(deps.cluster ? { cluster: clusterHealth(deps.cluster) } : {}),
        error: { code: 'db_unavailable', message: 'the database is unreachable; edits are kept in memory and retried' },
      });
    } finally {
      clearTimeout(timer);
    }
  });
}
