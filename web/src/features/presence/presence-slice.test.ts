import { describe, expect, it } from 'vitest';
import {
  followStopped,
  followToggled,
  initialPresenceState,
  knownParticipantsLoaded,
  onlineCount,
  peersChanged,
  presenceSlice,
  selfConnectionChanged,
  type PresenceEntry,
} from './presence-slice';

const reduce = presenceSlice.reducer;
const entry = (name: string, clientId: number | null, extra: Partial<PresenceEntry> = {}): PresenceEntry => ({
  clientId,
  name,
  color: '#ff6b6b',
  role: 'editor',
  online: true,
  typing: false,
  self: false,
  ...extra,
});

describe('presence slice', () => {
  it('never lists yourself as online while your own socket is down (issue 14, defect 4)', () => {
    // Awareness keeps our own state through a drop; the others' states are removed.
    let state = reduce(initialPresenceState, peersChanged([entry('ann', 1, { self: true, typing: true }), entry('bob', 3)]));
    state = reduce(state, selfConnectionChanged(false));
    state = reduce(state, peersChanged([entry('ann', 1, { self: true, typing: true })]));
    const ann = state.participants.find((p) => p.name === 'ann');
    expect(ann).toMatchObject({ self: true, online: false, typing: false });
    expect(onlineCount(state)).toBe(0);
    state = reduce(state, selfConnectionChanged(true));
    expect(state.participants.find((p) => p.name === 'ann')?.online).toBe(true);
    expect(onlineCount(state)).toBe(1);
  });

  it('lists everyone online, self first', () => {
    const state = reduce(initialPresenceState, peersChanged([entry('zoe', 2), entry('ann', 1, { self: true }), entry('bob', 3)]));
    expect(state.participants.map((p) => p.name)).toEqual(['ann', 'bob', 'zoe']);
    expect(onlineCount(state)).toBe(3);
  });

  it('keeps people who left as offline', () => {
    let state = reduce(initialPresenceState, peersChanged([entry('ann', 1, { self: true }), entry('bob', 3, { typing: true })]));
    state = reduce(state, peersChanged([entry('ann', 1, { self: true })]));
    expect(state.participants).toEqual([
      entry('ann', 1, { self: true }),
      entry('bob', null, { online: false, typing: false }),
    ]);
    expect(onlineCount(state)).toBe(1);
  });

  it('shows one row per name while a reconnect replaces an old socket', () => {
    const state = reduce(initialPresenceState, peersChanged([entry('bob', 3), entry('bob', 7)]));
    expect(state.participants).toEqual([entry('bob', 7)]);
  });

  it('adds offline participants known to the server', () => {
    let state = reduce(initialPresenceState, peersChanged([entry('ann', 1, { self: true })]));
    state = reduce(
      state,
      knownParticipantsLoaded({
        self: 'ann',
        participants: [
          { name: 'ann', color: '#fff000', role: 'editor', online: true },
          { name: 'carl', color: '#00ff00', role: 'viewer', online: false },
        ],
      }),
    );
    expect(state.participants.map((p) => [p.name, p.online, p.role])).toEqual([
      ['ann', true, 'editor'],
      ['carl', false, 'viewer'],
    ]);
  });

  it('follow toggles, and stops when the followed person leaves', () => {
    let state = reduce(initialPresenceState, peersChanged([entry('bob', 3)]));
    state = reduce(state, followToggled(3));
    expect(state.following).toBe(3);
    state = reduce(state, followToggled(3));
    expect(state.following).toBeNull();
    state = reduce(state, followToggled(3));
    state = reduce(state, peersChanged([]));
    expect(state.following).toBeNull();
    state = reduce(state, followToggled(9));
    expect(reduce(state, followStopped()).following).toBeNull();
  });
});
