import { SERVER_AWARENESS_KEY, type Participant } from '@pairpad/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { createRoom, getJson, restartableDatabase, startServer, waitFor, yClient } from './helpers';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('roster', () => {
  it('[ROSTER-kept] the people who left stay listed after the room unloads and after a restart', async () => {
    const database = await restartableDatabase(cleanups);
    const first = await startServer({ database });
    let firstClosed = false;
    cleanups.push(() => (firstClosed ? undefined : first.close()));
    const room = await createRoom(first);
    const alice = yClient(first, room.roomId, 'Alice');
    const vera = yClient(first, room.viewId, 'Vera');
    await Promise.all([alice.synced(), vera.synced()]);
    const colors = Object.fromEntries(((await getJson(`${first.httpUrl}/rooms/${room.roomId}?code=false`)).body.participants as Participant[]).map((p) => [p.name, p.color]));
    alice.destroy();
    vera.destroy();
    await waitFor(() => !first.app.registry.get(room.roomId), 5_000, 'the room to unload');

    const expected = [
      { name: 'Alice', color: colors.Alice, role: 'editor', online: false },
      { name: 'Vera', color: colors.Vera, role: 'viewer', online: false },
    ];
    const sortByName = (list: Participant[]) => [...list].sort((a, b) => a.name.localeCompare(b.name));
    expect(sortByName((await getJson(`${first.httpUrl}/rooms/${room.viewId}?code=false`)).body.participants)).toEqual(expected);

    await first.close();
    firstClosed = true;
    const second = await startServer({ database });
    cleanups.push(() => second.close());
    expect(sortByName((await getJson(`${second.httpUrl}/rooms/${room.roomId}?code=false`)).body.participants)).toEqual(expected);

    // A newcomer sees them in the server's roster too, offline, with their colours.
    const bob = yClient(second, room.roomId, 'Bob');
    cleanups.push(() => bob.destroy());
    await bob.synced();
    const roster = await waitFor(() => {
      for (const state of bob.provider.awareness.getStates().values()) {
        const published = (state as Record<string, { participants?: Participant[] }>)[SERVER_AWARENESS_KEY]?.participants;
        if (published?.some((p) => p.name === 'Alice')) return published;
      }
      return undefined;
    }, 5_000, 'the roster to list Alice');
    expect(roster!.find((p) => p.name === 'Alice')).toMatchObject({ online: false, color: colors.Alice, role: 'editor' });
    expect(roster!.find((p) => p.name === 'Bob')).toMatchObject({ online: true });
  });
});
