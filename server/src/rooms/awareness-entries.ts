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

/** Whether a state's bytes are the JSON `null` that removes a client's state. */
export function isNullAwarenessState(state: Uint8Array): boolean {
  let start = 0;
  while (start < state.length && isJsonSpace(state[start]!)) start++;
  return NULL_LITERAL.every((byte, i) => state[start + i] === byte);
}

export type AwarenessStateProblem = 'too_large' | 'too_deep' | 'not_an_object';

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NULL_LITERAL = [0x6e, 0x75, 0x6c, 0x6c];

function isJsonSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/**
 * Checks an entry's state bytes (UTF-8 JSON) against the bounds before anything parses, keeps or
 * forwards it: at most `maxBytes`, nested at most `maxDepth` deep, and an object or `null` at the
 * top, as y-protocols' Awareness expects. One pass over the bytes, no allocation: a state a few
 * hundred bytes long is checked in well under a microsecond. JSON syntax itself is left to the
 * parser that follows.
 */
export function checkAwarenessState(state: Uint8Array, maxBytes: number, maxDepth: number): AwarenessStateProblem | null {
  if (state.byteLength > maxBytes) return 'too_large';
  let start = 0;
  while (start < state.length && isJsonSpace(state[start]!)) start++;
  if (state[start] !== OPEN_BRACE) return isNullAwarenessState(state) ? null : 'not_an_object';
  let depth = 0;
  let inString = false;
  for (let i = start; i < state.length; i++) {
    const byte = state[i]!;
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > maxDepth) return 'too_deep';
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
    }
  }
  return null;
}
