/**
 * Latency histogram with ~1% relative precision, mergeable across worker
 * processes (bucket counts travel over IPC instead of raw samples).
 */
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
/** Buckets cover 1 µs .. ~ 1.01^2400 µs (hours); anything above lands in the last one. */
export const BUCKETS = 2400;

export class LatencyHistogram {
  readonly counts = new Uint32Array(BUCKETS);
  count = 0;
  maxUs = 0;
  sumUs = 0;

  record(us: number): void {
    const v = us < 1 ? 1 : us;
    let b = Math.ceil(Math.log(v) / LOG_GROWTH);
    if (b >= BUCKETS) b = BUCKETS - 1;
    this.counts[b] = (this.counts[b] ?? 0) + 1;
    this.count++;
    this.sumUs += v;
    if (v > this.maxUs) this.maxUs = v;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.maxUs = 0;
    this.sumUs = 0;
  }

  toJSON(): HistogramData {
    const nz: [number, number][] = [];
    for (let i = 0; i < BUCKETS; i++) {
      const c = this.counts[i] ?? 0;
      if (c > 0) nz.push([i, c]);
    }
    return { buckets: nz, count: this.count, maxUs: this.maxUs, sumUs: this.sumUs };
  }
}

export interface HistogramData {
  buckets: [number, number][];
  count: number;
  maxUs: number;
  sumUs: number;
}

export function mergeHistograms(parts: HistogramData[]): HistogramData {
  const m = new Map<number, number>();
  let count = 0;
  let maxUs = 0;
  let sumUs = 0;
  for (const p of parts) {
    for (const [b, c] of p.buckets) m.set(b, (m.get(b) ?? 0) + c);
    count += p.count;
    sumUs += p.sumUs;
    if (p.maxUs > maxUs) maxUs = p.maxUs;
  }
  const buckets = [...m.entries()].sort((a, b) => a[0] - b[0]);
  return { buckets, count, maxUs, sumUs };
}

export interface LatencySummary {
  samples: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

/** Percentiles in milliseconds (bucket upper bound, so never optimistic by more than 1%). */
export function summarize(h: HistogramData): LatencySummary {
  if (h.count === 0) return { samples: 0, p50: null, p95: null, p99: null, max: null, mean: null };
  const pick = (q: number): number => {
    const target = Math.ceil(q * h.count);
    let acc = 0;
    for (const [b, c] of h.buckets) {
      acc += c;
      if (acc >= target) return Math.min(GROWTH ** b, h.maxUs) / 1000;
    }
    return h.maxUs / 1000;
  };
  return {
    samples: h.count,
    p50: pick(0.5),
    p95: pick(0.95),
    p99: pick(0.99),
    max: h.maxUs / 1000,
    mean: h.sumUs / h.count / 1000,
  };
}
