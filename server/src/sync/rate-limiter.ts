/**
 * Token bucket per socket: `ratePerSecond` sustained, bursts up to `burst`. Typing produces a
 * steady trickle; a paste or reconnect produces a burst; a runaway client exhausts the bucket.
 */
export class RateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes one token; false when the caller is over the limit. */
  take(): boolean {
    const now = this.now();
    const refill = ((now - this.last) / 1000) * this.ratePerSecond;
    this.last = now;
    this.tokens = Math.min(this.burst, this.tokens + refill);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
