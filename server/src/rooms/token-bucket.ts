/**
 * A token bucket: `ratePerSecond` sustained, bursts up to `burst`. Used by count (one token per
 * message: typing is a steady trickle, a paste or reconnect a burst, a runaway client empties it)
 * and by cost (bytes a reply took to encode, so a cheap request that makes the server do a lot of
 * work is paced by the work, not by the number of requests).
 */
export class TokenBucket {
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

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
  }

  /** Takes `cost` tokens if there are that many; false (and nothing taken) when over the limit. */
  take(cost = 1): boolean {
    this.refill();
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }

  /**
   * Charges work already done, possibly into debt: the cost of encoding a reply is only known
   * once it is encoded. While in debt, `available` is false.
   */
  spend(cost: number): void {
    this.refill();
    this.tokens -= cost;
  }

  get available(): boolean {
    this.refill();
    return this.tokens >= 0;
  }

  /** How long until the bucket is out of debt (0 when it is not in debt). */
  msUntilAvailable(): number {
    this.refill();
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.ratePerSecond) * 1000);
  }
}
