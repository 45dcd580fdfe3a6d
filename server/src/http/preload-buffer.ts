import type { IncomingFrame } from '../sync/socket';

/**
 * Frames a client sends while its room loads, held to be handled in order once it has. Bounded
 * by count and by bytes, the largest frame not counted: one edit of any deliverable size (an
 * offline paste) fits besides the usual small frames (a sync step 1, awareness).
 */
export class PreloadBuffer {
  private frames: IncomingFrame[] = [];
  private bytes = 0;
  private largest = 0;

  constructor(
    private readonly maxFrames: number,
    private readonly maxBytes: number,
  ) {}

  /** Holds the frame; false, without holding it, when it would pass a bound (the client is not waiting for sync). */
  add(frame: IncomingFrame, size: number): boolean {
    this.bytes += size;
    this.largest = Math.max(this.largest, size);
    if (this.frames.length >= this.maxFrames || this.bytes - this.largest > this.maxBytes) return false;
    this.frames.push(frame);
    return true;
  }

  /** Everything held, in order; the buffer is then empty. */
  take(): IncomingFrame[] {
    const frames = this.frames;
    this.frames = [];
    return frames;
  }
}
