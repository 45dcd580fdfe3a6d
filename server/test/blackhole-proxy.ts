import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of the server that can go silent: after `freeze()` it keeps every
 * connection open but forwards nothing either way, the way a dropped Wi-Fi or a closed laptop
 * looks to the server (no FIN, no RST, just no answers).
 */
export class BlackholeProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private frozen = false;
  port = 0;

  constructor(private readonly targetPort: number) {}

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = createServer((client) => {
      // A path that is cut reaches nothing: a connection made after the freeze is held, silent,
      // and never opened to the target (which would otherwise hold a slot for it, as PostgreSQL
      // does for every connection still in its startup).
      if (this.frozen) {
        this.sockets.add(client);
        client.on('error', () => client.destroy());
        return;
      }
      const upstream = connect(this.targetPort, '127.0.0.1');
      this.sockets.add(client).add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.on('data', (chunk) => {
        if (!this.frozen) upstream.write(chunk);
      });
      upstream.on('data', (chunk) => {
        if (!this.frozen) client.write(chunk);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    this.server = server;
  }

  /** Stops forwarding, without closing anything. */
  freeze(): void {
    this.frozen = true;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
