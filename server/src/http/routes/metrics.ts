import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { ClusterNode } from '../../cluster/node';
import type { RoomRegistry } from '../../rooms/room-registry';

export interface MetricsRoutesDeps {
  registry: RoomRegistry;
  cluster: ClusterNode | null;
}

/**
 * `/metrics` in Prometheus's text format: what an operator watches (rooms, clients, unsaved
 * rooms, and in a cluster the rooms owned, forwarding and changes of owner), plus Node's own
 * process metrics. Values are read when scraped; nothing is counted on the hot path.
 */
export async function metricsRoutes(app: FastifyInstance, deps: MetricsRoutesDeps): Promise<void> {
  const { registry, cluster } = deps;
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics, prefix: 'pairpad_' });

  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [metrics],
      collect() {
        this.set(read());
      },
    });
  /** A total kept elsewhere (monotonic), exposed as a Prometheus counter. */
  const total = (name: string, help: string, read: () => number) => {
    let reported = 0;
    return new Counter({
      name,
      help,
      registers: [metrics],
      collect() {
        const now = read();
        if (now > reported) this.inc(now - reported);
        reported = now;
      },
    });
  };

  gauge('pairpad_rooms_loaded', 'Rooms in memory on this instance', () => registry.size);
  gauge('pairpad_clients', 'Connected clients of the rooms in memory here (including those other instances forward)', () =>
    registry.loadedRoomIds().reduce((sum, roomId) => sum + (registry.get(roomId)?.memberCount ?? 0), 0),
  );
  gauge('pairpad_rooms_unsaved', 'Rooms whose latest edits are not yet stored (persistence lag; grows while the database is down)', () =>
    registry.unsavedRoomCount(),
  );
  if (cluster) {
    gauge('pairpad_cluster_rooms_owned', 'Rooms this instance owns', () => cluster.ownership.ownedRoomIds.length);
    gauge('pairpad_cluster_forwarded_clients', "This instance's clients relayed to another instance that owns their room", () => cluster.stats.forwardedClients);
    gauge('pairpad_cluster_served_for_peers', "Other instances' clients this instance serves as their room's owner", () => cluster.stats.servedForPeers);
    total('pairpad_cluster_forwarded_frames_total', 'Frames relayed over links to and from other instances', () => cluster.stats.forwardedFrames);
    total('pairpad_cluster_room_claims_total', 'Rooms this instance became the owner of', () => cluster.ownership.claims);
    total('pairpad_cluster_rooms_lost_total', 'Rooms this instance gave up (lease lost, or another instance took over)', () => cluster.stats.roomsLost);
  }

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    void reply.header('content-type', metrics.contentType);
    return metrics.metrics();
  });
}
