import { CloseCode } from '@pairpad/shared';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { MemoryDocStore } from '../rooms/memory-doc-store';
import type { RoomSettings } from '../rooms/room';
import type { RoomRegistry } from '../rooms/room-registry';
import { createTestRegistry } from '../rooms/testing';
import { connect, LwwTestClient, SESSION_TEST_LIMITS, YjsTestClient } from './test-clients';
import type { TestSocketPair } from './test-socket';

const settings: RoomSettings = { roomId: 'room_lww001', viewId: 'view_lww001', name: 'Simple', language: 'python', capacity: 5 };

let store: MemoryDocStore;
let registry: RoomRegistry;
const yjsClients: YjsTestClient[] = [];

function seed(text: string): void {
  const doc = new Y.Doc();
  doc.getText('code').insert(0, text);
  store.createRoom(settings.roomId, { snapshot: Y.encodeStateAsUpdate(doc) });
  doc.destroy();
}

beforeEach(() => {
  // Timers only: the room yields event-loop turns with setImmediate, which stays real.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  store = new MemoryDocStore();
  registry = createTestRegistry(store);
});
afterEach(async () => {
  await registry.close();
  for (const client of yjsClients.splice(0)) client.destroy();
  vi.useRealTimers();
});

async function joinLww(name: string, role: 'editor' | 'viewer' = 'editor'): Promise<LwwTestClient> {
  const { pair } = await connect(registry, settings, 'lww', { name, role });
  const client = new LwwTestClient(pair);
  pair.flush();
  return client;
}

async function joinYjs(name: string): Promise<YjsTestClient> {
  const { pair } = await connect(registry, settings, 'yjs', { name });
  const client = new YjsTestClient(pair);
  yjsClients.push(client);
  client.open();
  pair.flush();
  return client;
}

/** Delivers every frame in flight, then lets the room's coalesced full-text push go out. */
function settle(...pairs: TestSocketPair[]): void {
  for (const pair of pairs) pair.flush();
  vi.advanceTimersByTime(SESSION_TEST_LIMITS.lwwCoalesceMs);
  for (const pair of pairs) pair.flush();
}

describe('LwwSession (whole-buffer JSON) in a room, without a network', () => {
  it('[WS-1008] a viewer that writes is told it is forbidden and closed with 1008; nothing changes', async () => {
    seed('read only');
    const viewer = await joinLww('Vera', 'viewer');
    expect(viewer.last('init')).toMatchObject({ code: 'read only', role: 'viewer' });
    viewer.write('defaced');
    viewer.pair.flush();
    expect(viewer.last('error')).toMatchObject({ code: 'forbidden' });
    expect(viewer.pair.closed?.code).toBe(CloseCode.Policy);
    await registry.close();
    expect(store.storedText(settings.roomId)).toBe('read only');
  });

  it('replacing an emoji never splits its surrogate pair: Yjs clients and the store hold the new one', async () => {
    // U+1F600 and U+1F601 share their high surrogate.
    seed('a😀b');
    const simple = await joinLww('Sam');
    const rich = await joinYjs('Rita');
    expect(rich.text.toString()).toBe('a😀b');
    simple.write('a😁b');
    settle(simple.pair, rich.pair);
    expect(rich.text.toString()).toBe('a😁b');
    // What a restart would load: Yjs stores UTF-8, where a split pair would become U+FFFD.
    await registry.close();
    expect(store.storedText(settings.roomId)).toBe('a😁b');
  });

  it('a lone surrogate written is stored as U+FFFD, and the writer is sent the text everyone else has', async () => {
    seed('');
    const simple = await joinLww('Sam');
    const rich = await joinYjs('Rita');
    simple.write('x\ud83d');
    settle(simple.pair, rich.pair);
    expect(rich.text.toString()).toBe('x\ufffd');
    expect(simple.text).toBe('x\ufffd');
  });

  it('[LWW-merge] a whole-buffer write and a concurrent Yjs edit both survive, and both clients converge', async () => {
    seed('hello');
    const simple = await joinLww('Sam');
    const rich = await joinYjs('Rita');
    // Rita types; before Sam hears of it, Sam sends his whole buffer with his own change.
    rich.text.insert(5, ' world');
    rich.pair.flushToServer();
    simple.write('Hello');
    settle(simple.pair, rich.pair);
    expect(rich.text.toString()).toBe('Hello world');
    expect(simple.text).toBe('Hello world');
    expect(simple.last('code')).toMatchObject({ code: 'Hello world' });
  });
});
