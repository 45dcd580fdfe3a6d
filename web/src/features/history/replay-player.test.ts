import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DOC_TEXT_KEY, type Replay } from '@pairpad/shared';
import { ReplayPlayer } from './replay-player';

const b64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));

/** A replay as the server builds it: the state at `from`, then each edit as an update. */
function recordReplay(): Replay {
  const doc = new Y.Doc();
  const text = doc.getText(DOC_TEXT_KEY);
  text.insert(0, 'ab');
  const base = b64(Y.encodeStateAsUpdate(doc));
  const steps: Replay['steps'] = [];
  doc.on('update', (update: Uint8Array) => steps.push({ at: '2026-01-01T10:00:00Z', author: 'Alice', update: b64(update) }));
  text.insert(2, 'c');
  text.insert(3, 'd');
  text.delete(0, 1);
  doc.destroy();
  return { from: 1, to: null, base, steps };
}

describe('ReplayPlayer', () => {
  it('shows the version at 0 and the text after each step, forwards and backwards', () => {
    const player = new ReplayPlayer(recordReplay());
    expect(player.end).toBe(3);
    expect(player.textAt(0)).toBe('ab');
    expect(player.stepAt(0)).toBeNull();
    expect(player.textAt(1)).toBe('abc');
    expect(player.textAt(3)).toBe('bcd');
    expect(player.stepAt(3)?.author).toBe('Alice');
    expect(player.textAt(2)).toBe('abcd');
    expect(player.textAt(99)).toBe('bcd');
    expect(player.textAt(0)).toBe('ab');
    player.destroy();
  });
});
