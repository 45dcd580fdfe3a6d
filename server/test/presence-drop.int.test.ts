import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlackholeProxy } from './blackhole-proxy';
import { createRoom, startServer, waitFor, yClient, type TestServer, type YClient } from './helpers';

let server: TestServer;
const clients: YClient[] = [];
const proxies: BlackholeProxy[] = [];

beforeAll(async () => {
  // The default PING_INTERVAL_MS: the bound below is about what users get.
  server = await startServer();
});
afterAll(async () => {
  for (const client of clients) client.destroy();
  for (const proxy of proxies) await proxy.close();
  await server.close();
});

const awarenessNames = (client: YClient): string[] =>
  [...client.provider.awareness.getStates().values()].map((state) => (state as { user?: { name?: string } }).user?.name ?? '').filter(Boolean);

describe('a partner whose network drops', () => {
  it('[PRESENCE-drop] is shown offline (cursor gone, roster offline) within 10 s, without any close from it', async () => {
    const proxy = new BlackholeProxy(server.port);
    proxies.push(proxy);
    await proxy.start();
    const room = await createRoom(server, { code: 'x' });
    const watcher = yClient(server, room.roomId, 'Watcher');
    const dropped = yClient({ wsUrl: proxy.wsUrl }, room.roomId, 'Dropper');
    clients.push(watcher, dropped);
    await Promise.all([watcher.synced(), dropped.synced()]);
    dropped.provider.awareness.setLocalStateField('cursor', { anchor: 0 });
    await waitFor(() => awarenessNames(watcher).includes('Dropper'), 5_000, 'the watcher to see the partner');

    proxy.freeze();
    const frozenAt = Date.now();
    await waitFor(() => !awarenessNames(watcher).includes('Dropper'), 12_000, 'the dropped partner to leave');
    const seconds = (Date.now() - frozenAt) / 1000;
    const roster = server.app.registry.get(room.roomId)?.participants().find((p) => p.name === 'Dropper');
    expect(roster?.online).toBe(false);
    console.info(`[PRESENCE-drop] dropped partner shown offline after ${seconds.toFixed(1)} s`);
    expect(seconds).toBeLessThan(10);
  }, 20_000);
});
