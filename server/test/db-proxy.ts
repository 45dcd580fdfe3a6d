import { createServer, connect, type Server, type Socket } from 'node:net';
import { createTestDatabase } from '@pairpad/db/testing';
import { freePort } from './child-server';

/**
 * A TCP proxy between the server and PostgreSQL, so a test can "stop the database" without
 * touching the shared cluster: stop() closes the listener and cuts every connection; start()
 * listens again on the same port.
 */
export class DbProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  async start(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      this.sockets.add(client).add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/**
 * A fresh PostgreSQL test database reached through a DbProxy: `direct` bypasses the proxy (to
 * check what was stored), `viaProxy` is what the server under test connects to. Cleanups (the
 * proxy's stop, the database's drop) go on `cleanups`.
 */
export async function proxiedTestDatabase(
  url: string,
  cleanups: (() => Promise<void> | void)[],
): Promise<{ direct: URL; viaProxy: URL; proxy: DbProxy }> {
  const testDb = await createTestDatabase(url);
  cleanups.push(testDb.drop);
  if (testDb.config.kind !== 'postgres') throw new Error('expected PostgreSQL');
  const direct = new URL(testDb.config.url);
  const proxy = new DbProxy(await freePort(), { host: direct.hostname, port: Number(direct.port || 5432) });
  await proxy.start();
  cleanups.push(() => proxy.stop());
  const viaProxy = new URL(direct);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port);
  return { direct, viaProxy, proxy };
}
