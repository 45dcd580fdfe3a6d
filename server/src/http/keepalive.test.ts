import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createKeepalive, type Keepalive } from './keepalive';

/** What the keepalive uses of a ws socket: ping, terminate, bufferedAmount and its events. */
class FakeSocket extends EventEmitter {
  pings = 0;
  terminated = false;
  bufferedAmount = 0;
  /** Answers every ping at once, like a live peer. */
  answers = true;
  ping(): void {
    this.pings++;
    if (this.answers) queueMicrotask(() => this.emit('pong'));
  }
  terminate(): void {
    this.terminated = true;
  }
}

const INTERVAL = 4_000;
let keepalive: Keepalive;
const watch = (socket: FakeSocket) => keepalive.watch(socket as unknown as WebSocket);

beforeEach(() => {
  vi.useFakeTimers();
  keepalive = createKeepalive({ intervalMs: INTERVAL, slices: 4 });
});
afterEach(() => {
  keepalive.stop();
  vi.useRealTimers();
});

describe('keepalive', () => {
  it('pings every socket once per interval, and keeps those that answer', async () => {
    const sockets = Array.from({ length: 8 }, () => new FakeSocket());
    for (const socket of sockets) watch(socket);
    await vi.advanceTimersByTimeAsync(3 * INTERVAL);
    expect(sockets.map((socket) => socket.pings)).toEqual(sockets.map(() => 3));
    expect(sockets.some((socket) => socket.terminated)).toBe(false);
  });

  it('drops a socket that answered neither a ping nor with a frame, within two intervals', async () => {
    const silent = new FakeSocket();
    silent.answers = false;
    const chatty = new FakeSocket();
    chatty.answers = false;
    watch(silent);
    watch(chatty);
    const frames = setInterval(() => chatty.emit('message'), INTERVAL / 2);
    await vi.advanceTimersByTimeAsync(2 * INTERVAL);
    clearInterval(frames);
    expect(silent.terminated).toBe(true);
    expect(chatty.terminated).toBe(false);
  });

  it('keeps a silent socket while a big reply is still leaving for it, and drops it when that stalls', async () => {
    const busy = new FakeSocket();
    busy.answers = false;
    busy.bufferedAmount = 10_000_000;
    watch(busy);
    for (let round = 0; round < 3; round++) {
      await vi.advanceTimersByTimeAsync(INTERVAL);
      busy.bufferedAmount -= 1_000_000;
    }
    expect(busy.terminated).toBe(false);
    // The backlog stops shrinking: one more ping sees the last progress, the next one none.
    await vi.advanceTimersByTimeAsync(2 * INTERVAL);
    expect(busy.terminated).toBe(true);
  });

  it('stops pinging a socket once unwatched, and every socket once stopped', async () => {
    const left = new FakeSocket();
    const stays = new FakeSocket();
    const unwatch = watch(left);
    watch(stays);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    unwatch();
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect([left.pings, stays.pings]).toEqual([1, 2]);
    keepalive.stop();
    await vi.advanceTimersByTimeAsync(3 * INTERVAL);
    expect(stays.pings).toBe(2);
  });
});
