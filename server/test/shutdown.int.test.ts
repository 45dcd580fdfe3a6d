import { afterEach, expect, it } from 'vitest';
import { freePort, killAllChildServers, spawnServer } from './child-server';
import { createRoom, tempDataDir, waitFor, yClient } from './helpers';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
  await killAllChildServers();
});

it('[OPS-signal] Ctrl+C under npm start (the signal twice at once) still stores every room before exiting', async () => {
  const data = await tempDataDir();
  cleanups.push(data.remove);
  // A long flush interval: only the shutdown's own flush can store the edits in time.
  const env = { DATA_DIR: data.dir, PERSIST_FLUSH_MS: '60000', COMPACT_INTERVAL_MS: '600000', ROOM_UNLOAD_DELAY_MS: '600000' };
  const first = await spawnServer({ port: await freePort(), env });
  const room = await createRoom(first, { code: 'start\n' });
  const writer = yClient(first, room.roomId, 'Signal Writer');
  cleanups.push(() => writer.destroy());
  await writer.synced();
  for (let i = 0; i < 20; i++) writer.text.insert(writer.text.length, `edit ${i}\n`);
  const observer = yClient(first, room.roomId, 'Signal Observer');
  cleanups.push(() => observer.destroy());
  await waitFor(() => observer.text.toString() === writer.text.toString(), 10_000, 'server received every edit');
  const expected = writer.text.toString();

  first.process.kill('SIGINT');
  first.process.kill('SIGINT');
  const exit = await first.exited;
  expect(exit.code).toBe(0);
  // Told to come back later (1001), not dropped without a code.
  await waitFor(() => writer.closes.length > 0 && observer.closes.length > 0, 5_000, 'close events');
  expect([writer.closes[0], observer.closes[0]]).toEqual([1001, 1001]);
  writer.provider.disconnect();
  observer.provider.disconnect();

  const second = await spawnServer({ port: await freePort(), env });
  cleanups.push(() => second.kill9());
  const reader = yClient(second, room.roomId, 'Signal Reader');
  cleanups.push(() => reader.destroy());
  await reader.synced();
  expect(reader.text.toString()).toBe(expected);
});
