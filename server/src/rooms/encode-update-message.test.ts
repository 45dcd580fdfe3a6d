import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import * as syncProtocol from 'y-protocols/sync';
import { encodeUpdateMessage } from './frames';

describe('encodeUpdateMessage', () => {
  it('produces exactly the bytes y-protocols would, for every length class of varint', () => {
    for (const size of [0, 1, 127, 128, 300, 16_383, 16_384, 70_000, 2_100_000]) {
      const update = new Uint8Array(size).map((_, i) => i % 251);
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, 0);
      syncProtocol.writeUpdate(encoder, update);
      const ours = Buffer.from(encodeUpdateMessage(update));
      const theirs = Buffer.from(encoding.toUint8Array(encoder));
      expect(ours.length).toBe(theirs.length);
      expect(ours.equals(theirs)).toBe(true);
    }
  });
});
