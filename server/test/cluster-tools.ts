import { connect, createServer, type Server, type Socket } from 'node:net';
import { freePort, spawnServer, type ChildServer } from './child-server';

/**
 * A stand-in for the load balancer in front of a cluster: every new TCP connection goes to the
 * first instance in `order()` that accepts it (a dead one is skipped). Clients reconnecting after
 * their instance died thus land on a live one.
 */
export class Balancer {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  constructor(
    readonly port: number,
    /** Instance ports, most preferred first. */
    private readonly order: () => readonly number[],
  ) {}

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = createServer((client) => {
      client.pause();
      this.sockets.add(client);
      client.on('error', () => client.destroy());
      client.on('close', () => this.sockets.delete(client));
      const candidates = [...this.order()];
      const attempt = () => {
        const port = candidates.shift();
        if (port === undefined) {
          client.destroy();
          return;
        }
        const upstream = connect(port, '127.0.0.1');
        upstream.once('error', attempt);
        upstream.once('connect', () => {
          upstream.removeListener('error', attempt);
          this.sockets.add(upstream);
          const drop = () => {
            client.destroy();
            upstream.destroy();
            this.sockets.delete(upstream);
          };
          upstream.on('error', drop).on('close', drop);
          client.on('close', drop);
          client.pipe(upstream).pipe(client);
          client.resume();
        });
      };
      attempt();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export interface ClusterInstance extends ChildServer {
  instanceId: string;
}

/** Starts one cluster instance as a child process on loopback. */
export async function spawnInstance(
  instanceId: string,
  databaseUrl: string,
  env: Record<string, string> = {},
  port?: number,
): Promise<ClusterInstance> {
  const chosen = port ?? (await freePort());
  const child = await spawnServer({
    port: chosen,
    env: {
      DATABASE_URL: databaseUrl,
      CLUSTER_SECRET: 'cluster-test-secret-0123456789',
      INSTANCE_ID: instanceId,
      INTERNAL_URL: `http://127.0.0.1:${chosen}`,
      PERSIST_FLUSH_MS: '50',
      ...env,
    },
  });
  return Object.assign(child, { instanceId });
}
