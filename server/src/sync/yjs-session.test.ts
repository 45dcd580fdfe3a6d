import { YMessageType } from '@pairpad/shared';
import * as encoding from 'lib0/encoding';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { silentLogger } from '../log';
import { MemoryDocStore } from '../rooms/memory-doc-store';
import { PersistQueue } from '../rooms/persist-queue';
import { Room, type RoomOptions } from '../rooms/room';
import { ROOM_TEST_TUNABLES } from '../rooms/testing';
import type { SessionLimits } from './session-options';
import type { SocketLike } from './socket';
import { YjsSession } from './yjs-session';

/** A socket that records what the session sends and how it was closed. */
function fakeSocket(): SocketLike & { sent: Uint8Array[]; closedWith: number | null } {
  const socket = {
    sent: [] as Uint8Array[],
    closedWith: null as number | null,
    bufferedAmount: 0,
    get isOpen() {
      return socket.closedWith === null;
    },
    send: (data: Uint8Array | string) => void socket.sent.push(data as Uint8Array),
    close: (code: number) => {
      socket.closedWith = code;
    },
  };
  return socket;
}

const limits: SessionLimits = {
  maxMessagesPerSecond: 1_000,
  messageBurst: 1_000,
  maxBufferedBytes: 16 * 1024 * 1024,
  syncBytesPerSecond: 1024 * 1024,
  syncBurstBytes: 16 * 1024 * 1024,
};

function syncStep1(stateVector: Uint8Array): { data: Uint8Array; isBinary: true } {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, YMessageType.Sync);
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint8Array(encoder, stateVector);
  return { data: encoding.toUint8Array(encoder), isBinary: true };
}

const isStep2 = (message: Uint8Array) => message[0] === YMessageType.Sync && message[1] === 1;

let counter = 0;
const rooms: Room[] = [];
afterEach(() => {
  for (const room of rooms.splice(0)) room.destroy();
  vi.useRealTimers();
});

async function roomWithText(text: string, syncEncodeBytesPerSecond: number): Promise<Room> {
  const store = new MemoryDocStore();
  const options: Omit<RoomOptions, 'queue'> = {
    store,
    logger: silentLogger,
    ...ROOM_TEST_TUNABLES,
    syncEncodeBytesPerSecond,
  };
  const queue = new PersistQueue(store, { flushMs: 100, retryMinMs: 200, retryMaxMs: 5_000 }, silentLogger);
  const room = await Room.load({ roomId: 'room_unit1', viewId: 'view_unit1', name: 'Unit', language: 'python', capacity: 20 }, { ...options, queue });
  room.text.insert(0, text);
  rooms.push(room);
  return room;
}

function join(room: Room, role: 'editor' | 'viewer' = 'viewer') {
  const socket = fakeSocket();
  const name = `Viewer ${++counter}`;
  let session: YjsSession | null = null;
  session = new YjsSession(socket, room, { connectionId: `c${counter}`, name, role, sessionId: null, viaViewId: role === 'viewer' }, { logger: silentLogger, limits, onLeave: () => room.leave(session!) });
  room.join(session, null);
  session.start();
  return { socket, session };
}

describe('YjsSession sync budget', () => {
  it('paces the room’s encoding: a request over the room’s budget waits for it instead of being refused, and every request gets its reply, in order', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    // 2,000 bytes a second for the whole room; the document is about 10 KB.
    const room = await roomWithText('z'.repeat(10_000), 2_000);
    const first = join(room);
    const second = join(room);

    first.session.handleFrame(syncStep1(Y.encodeStateVector(new Map([[1, 1]]))));
    expect(first.socket.sent.filter(isStep2)).toHaveLength(1);

    // The room is now about 8 KB in debt: four seconds at 2,000 bytes a second.
    second.session.handleFrame(syncStep1(Y.encodeStateVector(new Map([[2, 1]]))));
    second.session.handleFrame(syncStep1(Y.encodeStateVector(new Map([[3, 1]]))));
    expect(second.socket.sent.filter(isStep2)).toHaveLength(0);
    vi.advanceTimersByTime(3_000);
    expect(second.socket.sent.filter(isStep2)).toHaveLength(0);
    vi.advanceTimersByTime(2_000);
    expect(second.socket.sent.filter(isStep2)).toHaveLength(1);
    vi.advanceTimersByTime(6_000);
    // Both requests answered, one after the other, and nobody was closed.
    expect(second.socket.sent.filter(isStep2)).toHaveLength(2);
    expect(second.socket.closedWith).toBeNull();

    // A cached reply costs the room nothing: the empty state vector's reply is sent at once.
    const third = join(room);
    third.session.handleFrame(syncStep1(new Uint8Array([0])));
    vi.advanceTimersByTime(1);
    const fourth = join(room);
    fourth.session.handleFrame(syncStep1(new Uint8Array([0])));
    expect(fourth.socket.sent.filter(isStep2)).toHaveLength(third.socket.sent.filter(isStep2).length);
  });

  it('a socket that piles up more sync requests than it waits for is closed (4429)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const room = await roomWithText('w'.repeat(10_000), 1_000);
    join(room).session.handleFrame(syncStep1(Y.encodeStateVector(new Map([[5, 1]]))));
    const greedy = join(room);
    for (let i = 0; i < 20 && greedy.socket.closedWith === null; i++) greedy.session.handleFrame(syncStep1(Y.encodeStateVector(new Map([[100 + i, 1]]))));
    expect(greedy.socket.closedWith).toBe(4429);
    expect(greedy.socket.sent.filter(isStep2)).toHaveLength(0);
  });

  it('a session that ends while its request waits sends nothing and leaves no timer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const room = await roomWithText('q'.repeat(10_000), 1_000);
    join(room).session.handleFrame(syncStep1(Y.encodeStateVector(new Map([[7, 1]]))));
    const waiting = join(room);
    waiting.session.handleFrame(syncStep1(Y.encodeStateVector(new Map([[8, 1]]))));
    const timers = vi.getTimerCount();
    waiting.session.handleClose();
    expect(vi.getTimerCount()).toBe(timers - 1);
    vi.advanceTimersByTime(60_000);
    expect(waiting.socket.sent.filter(isStep2)).toHaveLength(0);
  });
});
