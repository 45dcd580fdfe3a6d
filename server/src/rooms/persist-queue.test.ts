import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log';
import { MemoryDocStore } from './memory-doc-store';
import { PersistQueue } from './persist-queue';

describe('PersistQueue.encodeTurn', () => {
  it('lets other work run between rooms that compact at the same moment', async () => {
    const queue = new PersistQueue(new MemoryDocStore(), { flushMs: 100, retryMinMs: 100, retryMaxMs: 1_000 }, silentLogger);
    const order: string[] = [];
    const rooms = [1, 2, 3].map((room) =>
      queue.encodeTurn().then(() => {
        order.push(`encode ${room}`);
        // Stands for socket I/O that became ready while this room was encoding.
        setImmediate(() => order.push(`io after ${room}`));
      }),
    );
    await Promise.all(rooms);
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['encode 1', 'io after 1', 'encode 2', 'io after 2', 'encode 3', 'io after 3']);
  });
});
