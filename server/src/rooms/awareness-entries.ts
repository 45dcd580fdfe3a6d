import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

/** One entry of a y-protocols awareness update, its state kept as the encoded JSON bytes. */
export interface AwarenessEntry {
  clientID: number;
  clock: number;
  state: Uint8Array;
}

/**
 * Reads the entries of an awareness update without decoding or parsing states (a varString is a
 * length-prefixed UTF-8 byte run, so it can be carried as bytes); throws on truncated input.
 */
export function decodeAwarenessEntries(update: Uint8Array): AwarenessEntry[] {
  const decoder = decoding.createDecoder(update);
  const count = decoding.readVarUint(decoder);
  const entries: AwarenessEntry[] = [];
  for (let i = 0; i < count; i++) {
    entries.push({
      clientID: decoding.readVarUint(decoder),
      clock: decoding.readVarUint(decoder),
      state: decoding.readVarUint8Array(decoder),
    });
  }
  return entries;
}

export function encodeAwarenessEntries(entries: readonly AwarenessEntry[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entries.length);
  for (const entry of entries) {
    encoding.writeVarUint(encoder, entry.clientID);
    encoding.writeVarUint(encoder, entry.clock);
    encoding.writeVarUint8Array(encoder, entry.state);
  }
  return encoding.toUint8Array(encoder);
}
