import { describe, expect, it } from 'vitest';
import type { IncomingFrame } from '../sync/socket';
import { PreloadBuffer } from './preload-buffer';

const frame = (bytes: number): IncomingFrame => ({ data: new Uint8Array(bytes), isBinary: true });

describe('PreloadBuffer', () => {
  it('hands back what it held, in order, once', () => {
    const buffer = new PreloadBuffer(10, 1_000);
    const frames = [frame(1), frame(2), frame(3)];
    for (const held of frames) expect(buffer.add(held, held.data.length)).toBe(true);
    expect(buffer.take()).toEqual(frames);
    expect(buffer.take()).toEqual([]);
  });

  it('refuses the frame past its count', () => {
    const buffer = new PreloadBuffer(3, 1_000);
    for (let i = 0; i < 3; i++) expect(buffer.add(frame(1), 1)).toBe(true);
    expect(buffer.add(frame(1), 1)).toBe(false);
    expect(buffer.take()).toHaveLength(3);
  });

  it('holds one frame of any size besides its byte bound, not two', () => {
    const buffer = new PreloadBuffer(100, 1_000);
    // An offline paste far over the bound, then the usual small frames up to it.
    expect(buffer.add(frame(50_000), 50_000)).toBe(true);
    expect(buffer.add(frame(600), 600)).toBe(true);
    expect(buffer.add(frame(400), 400)).toBe(true);
    expect(buffer.add(frame(1), 1)).toBe(false);

    const big = new PreloadBuffer(100, 1_000);
    expect(big.add(frame(50_000), 50_000)).toBe(true);
    expect(big.add(frame(50_000), 50_000)).toBe(false);
  });
});
