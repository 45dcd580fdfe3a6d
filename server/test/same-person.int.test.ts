import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlackholeProxy } from './blackhole-proxy';
import { createRoom, startServer, waitFor, yClient, type TestServer, type YClient } from './helpers';

let server: TestServer;
const clients: YClient[] = [];
const proxies: BlackholeProxy[] = [];
const y = (...args: Parameters<typeof yClient>) => {
  const client = yClient(...args);
  clients.push(client);
  return client;
};

beforeAll(async () => {
  // A slow keepalive, so only the join-time probe can notice a dead socket within the test.
  server = await startServer({ env: { PING_INTERVAL_MS: '60000' } });
});
afterAll(async () => {
  for (const client of clients) client.destroy();
  for (const proxy of proxies) await proxy.close();
  await server.close();
});

describe('the same person twice', () => {
  it('[WS-4409-person] a second tab of the same browser (same person id) joins as the same person; someone else with that name is still refused', async () => {
    const room = await createRoom(server);
    const tab1 = y(server, room.roomId, 'Ada', { session: 'tab-one', person: 'browser-1' });
    const tab2 = y(server, room.roomId, 'Ada', { session: 'tab-two', person: 'browser-1' });
    await Promise.all([tab1.synced(), tab2.synced()]);
    tab1.text.insert(0, 'from tab one');
    await waitFor(() => tab2.text.toString() === 'from tab one', 5_000, 'the tabs to share edits');
    expect(tab1.closes).toEqual([]);
    expect(tab2.closes).toEqual([]);
    const live = server.app.registry.get(room.roomId)!;
    expect(live.memberCount).toBe(2);
    expect(live.participants().filter((p) => p.name === 'Ada')).toMatchObject([{ online: true }]);

    // Another browser under the same name: both tabs answer the probe, so 4409 stands.
    const impostor = y(server, room.roomId, 'Ada', { session: 'other', person: 'browser-2' });
    await waitFor(() => impostor.closes.includes(4409), 5_000, 'the impostor to be refused');
    impostor.provider.disconnect();
    // A tab leaving does not take the person offline while the other tab is there.
    tab2.destroy();
    await waitFor(() => live.memberCount === 1, 5_000, 'the tab to leave');
    expect(live.participants().find((p) => p.name === 'Ada')?.online).toBe(true);
  });

  it('[WS-4409-probe] a stock y-websocket client that reconnects before the server noticed its old socket died is not locked out', async () => {
    const proxy = new BlackholeProxy(server.port);
    proxies.push(proxy);
    await proxy.start();
    const room = await createRoom(server, { code: 'kept' });
    const watcher = y(server, room.roomId, 'Watcher');
    const old = y({ wsUrl: proxy.wsUrl }, room.roomId, 'Grace');
    await Promise.all([watcher.synced(), old.synced()]);
    proxy.freeze();
    old.provider.disconnect();

    // The same person's new connection (no session id, as a stock client would send).
    const started = Date.now();
    const again = y(server, room.roomId, 'Grace');
    await again.synced();
    const seconds = (Date.now() - started) / 1000;
    expect(again.closes).toEqual([]);
    expect(again.text.toString()).toBe('kept');
    const live = server.app.registry.get(room.roomId)!;
    expect(live.participants().filter((p) => p.name === 'Grace' && p.online)).toHaveLength(1);
    expect(live.memberCount).toBe(2);
    // Admitted once the old socket failed its ping (2 s), long before the 60 s keepalive.
    expect(seconds).toBeLessThan(5);
  });
});
