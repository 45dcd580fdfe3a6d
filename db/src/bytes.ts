// postgres.js hands back Buffers; callers compare and decode plain Uint8Arrays.
export const toBytes = (value: Uint8Array): Uint8Array =>
  value.constructor === Uint8Array ? value : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);

/**
 * Chunk size for big states (snapshots, checkpoints): on PGlite each chunk's insert holds the one
 * connection for a few milliseconds (about 25-60 ms per MB bound), which is as long as a log
 * append may wait.
 */
export const SNAPSHOT_CHUNK_BYTES = 64 * 1024;

export const chunkCount = (state: Uint8Array): number => Math.max(1, Math.ceil(state.byteLength / SNAPSHOT_CHUNK_BYTES));

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const whole = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    whole.set(part, offset);
    offset += part.byteLength;
  }
  return whole;
}
