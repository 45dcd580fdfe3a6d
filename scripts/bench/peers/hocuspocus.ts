/**
 * Hocuspocus v4 server with no extensions (documents in memory), as the
 * benchmark's second peer. Env: PORT, HOST.
 */
import { Server } from '@hocuspocus/server';

const server = new Server({
  port: Number(process.env.PORT ?? 4000),
  address: process.env.HOST ?? '127.0.0.1',
  quiet: true,
});
await server.listen();
