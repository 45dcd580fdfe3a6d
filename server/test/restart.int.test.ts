import type { DatabaseConfig } from '@pairpad/db';
import { createTestDatabase } from '@pairpad/db/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL, createRoom, getJson, lwwClient, startServer, tempDataDir, waitFor, yClient } from './helpers';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function restartKeepsText(database: DatabaseConfig): Promise<void> {
  const first = await startServer({ database, env: { ROOM_UNLOAD_DELAY_MS: '60000', COMPACT_INTERVAL_MS: '600000' } });
  cleanups.push(() => first.close());
  const room = await createRoom(first, { code: 'line 1\n', language: 'go' });
  const a = yClient(first, room.roomId, 'Before');
  const l = lwwClient(first, room.roomId, 'Lww Before');
  await Promise.all([a.synced(), l.next('init')]);
  for (let i = 2; i <= 30; i++) a.text.insert(a.text.length, `line ${i}\n`);
  await l.next('code', (m) => m.code.endsWith('line 30\n'));
  l.send({ type: 'code', code: `${a.text.toString()}// lww\n` });
  await waitFor(() => a.text.toString().endsWith('// lww\n'));
  // Graceful stop with clients still connected: sockets close, rooms flush and compact, db closes.
  await first.close();
  a.destroy();

  const second = await startServer({ database });
  cleanups.push(() => second.close());
  const b = yClient(second, room.roomId, 'After');
  cleanups.push(async () => b.destroy());
  await b.synced();
  const expected = `${Array.from({ length: 30 }, (_, i) => `line ${i + 1}\n`).join('')}// lww\n`;
  expect(b.text.toString()).toBe(expected);
  expect(b.doc.getMap('meta').get('language')).toBe('go');
  expect((await getJson(`${second.httpUrl}/rooms/${room.viewId}`)).body.code).toBe(expected);
}

describe('restart', () => {
  it('[PERSIST-restart] PGlite: a graceful restart on the same data directory keeps the text', async () => {
    const data = await tempDataDir();
    cleanups.push(data.remove);
    await restartKeepsText({ kind: 'pglite', dataDir: data.dir });
  });

  it.runIf(TEST_DATABASE_URL)('[PERSIST-restart] PostgreSQL: a graceful restart keeps the text', async () => {
    const db = await createTestDatabase(TEST_DATABASE_URL);
    cleanups.push(db.drop);
    await restartKeepsText(db.config);
  });
});
