import { RUN_CONSOLE_MAX_BYTES, RUN_CONSOLE_MAX_RUNS, RUN_OUTPUT_MAX_BYTES, type RunChunk } from '@pairpad/shared';
import { utf8Bytes } from '../../lib/utf8';

/** What the console says where a run's output was cut. */
export const TRUNCATED_NOTICE = `\n… output truncated: a run keeps ${RUN_OUTPUT_MAX_BYTES / 1024} KiB\n`;

const encoder = new TextEncoder();

/** The longest prefix of `text` that fits in `maxBytes` of UTF-8, never splitting a surrogate pair. */
export function clipUtf8(text: string, maxBytes: number): string {
  if (maxBytes <= 0) return '';
  if (text.length * 3 <= maxBytes) return text;
  const encoded = encoder.encode(text);
  if (encoded.length <= maxBytes) return text;
  let end = maxBytes;
  // Back up to the start of a UTF-8 sequence.
  while (end > 0 && ((encoded[end] ?? 0) & 0xc0) === 0x80) end--;
  return new TextDecoder().decode(encoded.subarray(0, end));
}

/** Consecutive chunks of one stream become one (fewer Yjs items, one element per stream change). */
export function mergeChunks(chunks: readonly RunChunk[]): RunChunk[] {
  const merged: RunChunk[] = [];
  for (const chunk of chunks) {
    if (!chunk.t) continue;
    const last = merged[merged.length - 1];
    if (last && last.s === chunk.s) last.t += chunk.t;
    else merged.push({ s: chunk.s, t: chunk.t });
  }
  return merged;
}

export interface CappedOutput {
  /** What to append (merged; ends with the truncation notice when it cut). */
  chunks: RunChunk[];
  /** UTF-8 bytes of `chunks`, not counting the notice. */
  bytes: number;
  /** This batch reached the cap: nothing more is appended for the run. */
  truncated: boolean;
}

/**
 * Cuts a batch of output so a run with `used` bytes already stays within `max`; the batch that
 * crosses the cap ends with TRUNCATED_NOTICE.
 */
export function capOutput(used: number, chunks: readonly RunChunk[], max = RUN_OUTPUT_MAX_BYTES): CappedOutput {
  const out: RunChunk[] = [];
  let bytes = 0;
  for (const chunk of mergeChunks(chunks)) {
    const size = utf8Bytes(chunk.t);
    if (used + bytes + size <= max) {
      out.push(chunk);
      bytes += size;
      continue;
    }
    const rest = clipUtf8(chunk.t, max - used - bytes);
    if (rest) out.push({ s: chunk.s, t: rest });
    bytes += utf8Bytes(rest);
    out.push({ s: 'sys', t: TRUNCATED_NOTICE });
    return { chunks: mergeChunks(out), bytes, truncated: true };
  }
  return { chunks: out, bytes, truncated: false };
}

/**
 * How many of the oldest runs to delete before starting a new one, so the console keeps at most
 * `maxRuns` runs and, with a full RUN_OUTPUT_MAX_BYTES reserved for the new run, at most
 * `maxBytes` of output. `sizes` are the existing runs' bytes, oldest first. Running entries are
 * counted like the others (a runner that left mid-run cannot hold the console forever).
 */
export function runsToTrim(sizes: readonly number[], maxRuns = RUN_CONSOLE_MAX_RUNS, maxBytes = RUN_CONSOLE_MAX_BYTES, reserve = RUN_OUTPUT_MAX_BYTES): number {
  let total = sizes.reduce((sum, size) => sum + size, 0) + reserve;
  let remove = 0;
  while (remove < sizes.length && (sizes.length - remove + 1 > maxRuns || total > maxBytes)) {
    total -= sizes[remove] ?? 0;
    remove++;
  }
  return remove;
}
