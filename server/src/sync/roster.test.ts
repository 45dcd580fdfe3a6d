import { colorForName, PARTICIPANT_COLORS, type Participant } from '@pairpad/shared';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryDocStore } from '../rooms/memory-doc-store';
import type { RoomSettings } from '../rooms/room';
import type { RoomRegistry } from '../rooms/room-registry';
import { createTestRegistry } from '../rooms/testing';
import { connect, LwwTestClient } from './test-clients';

const settings: RoomSettings = { roomId: 'room_roster1', viewId: 'view_roster1', name: 'Roster', language: 'python', capacity: 10 };

let store: MemoryDocStore;
let registry: RoomRegistry;
beforeEach(() => {
  store = new MemoryDocStore();
  store.createRoom(settings.roomId);
  registry = createTestRegistry(store);
});
afterEach(async () => {
  await registry.close();
});

async function join(name: string, roomSettings = settings): Promise<LwwTestClient> {
  const { pair } = await connect(registry, roomSettings, 'lww', { name });
  const client = new LwwTestClient(pair);
  pair.flush();
  return client;
}

/** The roster as a client last saw it (init, then presence). */
function rosterSeenBy(client: LwwTestClient): Participant[] {
  client.pair.flush();
  const latest = client.messages.findLast((message) => message.type === 'presence' || message.type === 'init');
  return latest && 'participants' in latest ? latest.participants : [];
}

const colorsSeenBy = (client: LwwTestClient) => Object.fromEntries(rosterSeenBy(client).map((p) => [p.name, p.color]));

/** Names whose colours collide: what the hash alone would give two people. */
function namesSharingAColor(count: number): string[] {
  const byColor = new Map<string, string[]>();
  for (let i = 0; ; i++) {
    const name = `Dev ${i}`;
    const names = byColor.get(colorForName(name)) ?? [];
    names.push(name);
    byColor.set(colorForName(name), names);
    if (names.length === count) return names;
  }
}

function leave(client: LwwTestClient): void {
  client.pair.clientClose();
  client.pair.flush();
}

describe('room roster colours, through sessions', () => {
  it('people online never share a colour, even when their names hash to the same one', async () => {
    const names = namesSharingAColor(3);
    const clients = [];
    for (const name of names) clients.push(await join(name));
    const colors = colorsSeenBy(clients[0]!);
    expect(Object.keys(colors).sort()).toEqual([...names].sort());
    expect(new Set(Object.values(colors)).size).toBe(3);
    // The first comer keeps the colour its name asks for; the others get free ones.
    expect(colors[names[0]!]).toBe(colorForName(names[0]!));
    for (const color of Object.values(colors)) expect(PARTICIPANT_COLORS).toContain(color);
    // Everyone sees the same assignment.
    for (const client of clients) expect(colorsSeenBy(client)).toEqual(colors);
  });

  it('a returning name gets its colour back: after leaving, and after the room was stored and loaded again', async () => {
    const [first, second] = namesSharingAColor(2);
    const a = await join(first!);
    const b = await join(second!);
    const colors = colorsSeenBy(a);
    expect(colors[first!]).not.toBe(colors[second!]);

    // B leaves and comes back while A holds the colour B's name hashes to: B gets its old one.
    leave(b);
    expect(rosterSeenBy(a).find((p) => p.name === second)).toMatchObject({ online: false, color: colors[second!] });
    const back = await join(second!);
    expect(colorsSeenBy(back)).toEqual(colors);

    // Everyone leaves; the room is stored and unloaded, then loaded with the roster storage kept.
    leave(a);
    leave(back);
    await vi.waitFor(() => expect(registry.size).toBe(0));
    const roster = store.roomRecord(settings.roomId)?.roster;
    expect(roster).toEqual(expect.arrayContaining([expect.objectContaining({ name: first, color: colors[first!] })]));
    const again = await join(second!, { ...settings, roster });
    expect(colorsSeenBy(again)[second!]).toBe(colors[second!]);
    expect(rosterSeenBy(again).find((p) => p.name === first)).toMatchObject({ online: false, color: colors[first!] });
  });
});
