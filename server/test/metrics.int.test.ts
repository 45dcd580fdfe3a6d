import { afterEach, expect, it } from 'vitest';
import { createRoom, startServer, waitFor, yClient, type TestServer } from './helpers';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** One sample's value from Prometheus's text format. */
function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

async function scrape(server: TestServer): Promise<{ contentType: string | null; text: string }> {
  const response = await fetch(`${server.httpUrl}/metrics`);
  expect(response.status).toBe(200);
  return { contentType: response.headers.get('content-type'), text: await response.text() };
}

it('[OPS-metrics] /metrics shows rooms, clients and unsaved rooms as they are, plus the process', async () => {
  const server = await startServer();
  cleanups.push(() => server.close());
  const before = await scrape(server);
  expect(before.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  expect(sample(before.text, 'pairpad_rooms_loaded')).toBe(0);
  expect(sample(before.text, 'pairpad_clients')).toBe(0);
  expect(sample(before.text, 'pairpad_rooms_unsaved')).toBe(0);
  expect(sample(before.text, 'pairpad_process_resident_memory_bytes')).toBeGreaterThan(0);
  // One process alone has no cluster metrics.
  expect(before.text).not.toContain('pairpad_cluster_');

  const room = await createRoom(server);
  const ada = yClient(server, room.roomId, 'Ada');
  const bo = yClient(server, room.roomId, 'Bob');
  cleanups.push(() => ada.destroy(), () => bo.destroy());
  await Promise.all([ada.synced(), bo.synced()]);
  const during = await scrape(server);
  expect(sample(during.text, 'pairpad_rooms_loaded')).toBe(1);
  expect(sample(during.text, 'pairpad_clients')).toBe(2);

  bo.destroy();
  await waitFor(async () => sample((await scrape(server)).text, 'pairpad_clients') === 1, 5_000, 'one client left');
});
