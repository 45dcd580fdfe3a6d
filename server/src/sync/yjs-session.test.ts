import { AWARENESS_IDS_PER_CONNECTION, YMessageType } from '@pairpad/shared';
import * as encoding from 'lib0/encoding';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { encodeAwarenessEntries } from '../rooms/awareness-entries';
import { replayStored } from '../rooms/doc-store';
import { MemoryDocStore } from '../rooms/memory-doc-store';
import type { RoomSettings } from '../rooms/room';
import type { RoomRegistry } from '../rooms/room-registry';
import { createTestRegistry } from '../rooms/testing';
import { connect, YjsTestClient } from './test-clients';
import type { TestSocketPair } from './test-socket';

const settings: RoomSettings = { roomId: 'room_unit1', viewId: 'view_unit1', name: 'Unit', language: 'python', capacity: 20 };

function syncStep1(stateVector: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, YMessageType.Sync);
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint8Array(encoder, stateVector);
  return encoding.toUint8Array(encoder);
}

const isStep2 = (frame: Uint8Array | string) => typeof frame !== 'string' && frame[0] === YMessageType.Sync && frame[1] === 1;
/** Sync replies delivered to the client so far. */
const step2Count = (pair: TestSocketPair) => {
  pair.flushToClient();
  return pair.received.filter(isStep2).length;
};

/** Flushes every pair until no frame is in flight anywhere (one client's edit reaches the others). */
function flushAll(...pairs: TestSocketPair[]): void {
  for (let rounds = 0; pairs.some((pair) => pair.pending > 0); rounds++) {
    if (rounds > 1_000) throw new Error('frames keep flowing');
    for (const pair of pairs) pair.flush();
  }
}

const textState = (text: string) => {
  const doc = new Y.Doc();
  doc.getText('code').insert(0, text);
  return Y.encodeStateAsUpdate(doc);
};

let store: MemoryDocStore;
let registry: RoomRegistry;
const clients: YjsTestClient[] = [];
afterEach(async () => {
  await registry?.close();
  for (const client of clients.splice(0)) client.destroy();
  vi.useRealTimers();
});

function openRegistry(text = '', overrides: Parameters<typeof createTestRegistry>[1] = {}): void {
  store = new MemoryDocStore();
  store.createRoom(settings.roomId, { snapshot: textState(text) });
  registry = createTestRegistry(store, overrides);
}

let viewers = 0;
const joinViewer = () => connect(registry, settings, 'yjs', { name: `Viewer ${++viewers}`, role: 'viewer' });

async function joinClient(name: string, role: 'editor' | 'viewer' = 'editor', localState?: Record<string, unknown>): Promise<YjsTestClient> {
  const { pair } = await connect(registry, settings, 'yjs', { name, role });
  const client = new YjsTestClient(pair);
  clients.push(client);
  if (localState) client.awareness.setLocalState(localState);
  return client.open();
}

describe('YjsSession sync budget', () => {
  it('paces the room’s encoding: a request over the room’s budget waits for it instead of being refused, and every request gets its reply, in order', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    // 2,000 bytes a second for the whole room; the document is about 10 KB.
    openRegistry('z'.repeat(10_000), { syncEncodeBytesPerSecond: 2_000 });
    const first = await joinViewer();
    const second = await joinViewer();

    first.pair.clientSend(syncStep1(Y.encodeStateVector(new Map([[1, 1]]))));
    first.pair.flushToServer();
    expect(step2Count(first.pair)).toBe(1);

    // The room is now about 8 KB in debt: four seconds at 2,000 bytes a second.
    second.pair.clientSend(syncStep1(Y.encodeStateVector(new Map([[2, 1]]))));
    second.pair.clientSend(syncStep1(Y.encodeStateVector(new Map([[3, 1]]))));
    second.pair.flushToServer();
    expect(step2Count(second.pair)).toBe(0);
    vi.advanceTimersByTime(3_000);
    expect(step2Count(second.pair)).toBe(0);
    vi.advanceTimersByTime(2_000);
    expect(step2Count(second.pair)).toBe(1);
    vi.advanceTimersByTime(6_000);
    // Both requests answered, one after the other, and nobody was closed.
    expect(step2Count(second.pair)).toBe(2);
    expect(second.pair.closed).toBeNull();

    // A cached reply costs the room nothing: the empty state vector's reply is sent at once.
    const third = await joinViewer();
    third.pair.clientSend(syncStep1(new Uint8Array([0])));
    third.pair.flushToServer();
    vi.advanceTimersByTime(1);
    const fourth = await joinViewer();
    fourth.pair.clientSend(syncStep1(new Uint8Array([0])));
    fourth.pair.flushToServer();
    expect(step2Count(fourth.pair)).toBe(step2Count(third.pair));
  });

  it('a socket that piles up more sync requests than it waits for is closed (4429)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    openRegistry('w'.repeat(10_000), { syncEncodeBytesPerSecond: 1_000 });
    const first = await joinViewer();
    first.pair.clientSend(syncStep1(Y.encodeStateVector(new Map([[5, 1]]))));
    first.pair.flushToServer();
    const greedy = await joinViewer();
    for (let i = 0; i < 20; i++) greedy.pair.clientSend(syncStep1(Y.encodeStateVector(new Map([[100 + i, 1]]))));
    greedy.pair.flushToServer();
    expect(greedy.pair.closed?.code).toBe(4429);
    expect(step2Count(greedy.pair)).toBe(0);
  });

  it('a session that ends while its request waits sends nothing and leaves no timer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    openRegistry('q'.repeat(10_000), { syncEncodeBytesPerSecond: 1_000 });
    const first = await joinViewer();
    first.pair.clientSend(syncStep1(Y.encodeStateVector(new Map([[7, 1]]))));
    first.pair.flushToServer();
    const waiting = await joinViewer();
    waiting.pair.clientSend(syncStep1(Y.encodeStateVector(new Map([[8, 1]]))));
    waiting.pair.flushToServer();
    const timers = vi.getTimerCount();
    waiting.pair.clientClose();
    waiting.pair.flushToServer();
    expect(vi.getTimerCount()).toBe(timers - 1);
    vi.advanceTimersByTime(60_000);
    expect(step2Count(waiting.pair)).toBe(0);
  });
});

describe('YjsSession in a room, without a network', () => {
  it('[YJS-converge] two editors typing at once converge, and the store holds what they see', async () => {
    openRegistry('shared\n');
    const ada = await joinClient('Ada');
    const ben = await joinClient('Ben');
    flushAll(ada.pair, ben.pair);
    expect(ada.text.toString()).toBe('shared\n');
    // Both type before either hears of the other.
    ada.text.insert(0, 'ada ');
    ben.text.insert(ben.text.length, 'ben');
    flushAll(ada.pair, ben.pair);
    expect(ada.text.toString()).toBe(ben.text.toString());
    expect(ada.text.toString()).toBe('ada shared\nben');
    await registry.close();
    expect(store.storedText(settings.roomId)).toBe('ada shared\nben');
  });

  it('[RUN-console] a change to another part of the document (a run’s output) is relayed and stored, but is no edit of the code: nobody is typing, the text has not changed', async () => {
    openRegistry('print(1)\n');
    const ada = await joinClient('Ada');
    const ben = await joinClient('Ben');
    flushAll(ada.pair, ben.pair);
    const room = registry.get(settings.roomId)!;
    let textChanges = 0;
    room.events.on('changed', () => textChanges++);
    const typing = () => room.participants().filter((person) => person.typing).map((person) => person.name);

    ada.doc.getArray<string>('runs').push(['1\n']);
    flushAll(ada.pair, ben.pair);
    expect(ben.doc.getArray<string>('runs').toArray()).toEqual(['1\n']);
    expect(textChanges).toBe(0);
    expect(typing()).toEqual([]);

    ada.text.insert(0, '# run it\n');
    flushAll(ada.pair, ben.pair);
    expect(textChanges).toBe(1);
    expect(typing()).toEqual(['Ada']);
    await registry.close();
    const stored = replayStored(await store.load(settings.roomId));
    expect(stored.getArray('runs').toArray()).toEqual(['1\n']);
    stored.destroy();
  });

  it('[YJS-viewer] a viewer’s edits are dropped: not applied, not sent to anyone, not stored; the viewer stays and still receives edits', async () => {
    openRegistry('original');
    const editor = await joinClient('Editor');
    const viewer = await joinClient('Watcher', 'viewer');
    flushAll(editor.pair, viewer.pair);
    const heardByEditor = editor.pair.received.length;

    viewer.text.insert(0, 'vandalised ');
    flushAll(editor.pair, viewer.pair);
    expect(editor.pair.received).toHaveLength(heardByEditor);
    expect(editor.text.toString()).toBe('original');
    expect(viewer.pair.closed).toBeNull();

    editor.text.insert(editor.text.length, '!');
    flushAll(editor.pair, viewer.pair);
    expect(viewer.text.toString()).toContain('original!');
    await registry.close();
    expect(store.storedText(settings.roomId)).toBe('original!');
  });

  it('a connection speaks only for the awareness ids it introduced, under the name the server knows', async () => {
    openRegistry();
    const ada = await joinClient('Ada', 'editor', { cursor: 1 });
    const mallory = await joinClient('Mallory', 'editor', { cursor: 2 });
    const watcher = await joinClient('Watcher', 'viewer');
    const pairs = [ada.pair, mallory.pair, watcher.pair];
    flushAll(...pairs);
    const adaId = ada.doc.clientID;
    const malloryId = mallory.doc.clientID;
    expect(watcher.states().get(adaId)).toMatchObject({ cursor: 1, user: { name: 'Ada', role: 'editor' } });

    // Mallory moves Ada's cursor, then removes her, with clocks far ahead; and poses as Ada.
    const state = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
    mallory.sendAwareness(encodeAwarenessEntries([{ clientID: adaId, clock: 1_000, state: state({ cursor: 666 }) }]));
    mallory.sendAwareness(encodeAwarenessEntries([{ clientID: adaId, clock: 2_000, state: state(null) }]));
    mallory.awareness.setLocalState({ cursor: 3, user: { name: 'Ada', role: 'editor' } });
    // More ids than one connection may introduce: only the first few are taken.
    const extraIds = Array.from({ length: AWARENESS_IDS_PER_CONNECTION + 3 }, (_, i) => 900_000 + i);
    mallory.sendAwareness(encodeAwarenessEntries(extraIds.map((clientID) => ({ clientID, clock: 1, state: state({ cursor: 0 }) }))));
    flushAll(...pairs);

    expect(watcher.states().get(adaId)).toMatchObject({ cursor: 1, user: { name: 'Ada' } });
    expect(ada.states().get(adaId)).toMatchObject({ cursor: 1 });
    expect(watcher.states().get(malloryId)).toMatchObject({ cursor: 3, user: { name: 'Mallory', role: 'editor' } });
    const introduced = extraIds.filter((id) => watcher.states().has(id));
    expect(introduced).toHaveLength(AWARENESS_IDS_PER_CONNECTION - 1);
    expect(mallory.pair.closed).toBeNull();

    // When Mallory leaves, the states she spoke for go with her; Ada's stay.
    mallory.pair.clientClose();
    flushAll(...pairs);
    expect(watcher.states().has(malloryId)).toBe(false);
    for (const id of extraIds) expect(watcher.states().has(id)).toBe(false);
    expect(watcher.states().get(adaId)).toMatchObject({ cursor: 1 });
  });
});
