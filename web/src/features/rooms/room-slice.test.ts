import { describe, expect, it } from 'vitest';
import type { RoomDetails } from '@pairpad/shared';
import {
  initialRoomState,
  metaChanged,
  roomClosed,
  roomFailed,
  roomLoaded,
  roomOpened,
  roomSlice,
  roomUnavailable,
  saveFinished,
  saveStarted,
  serverHealthChanged,
} from './room-slice';
import { displayNameChanged, initialSessionState, sessionSlice, sessionStarted } from './session-slice';

const reduce = roomSlice.reducer;

describe('live limit', () => {
  it('a meta change carries the room limit into the state', () => {
    const loaded = reduce(reduce(initialRoomState, roomOpened({ id: 'room123456', role: 'editor' })), roomLoaded(details));
    expect(loaded.limit).toBe(4);
    expect(reduce(loaded, metaChanged({ limit: 2 })).limit).toBe(2);
    expect(reduce(loaded, metaChanged({ name: 'x' })).limit).toBe(4);
  });
});
const details: RoomDetails = {
  roomId: 'room123456',
  viewId: 'view123456',
  name: 'Kata',
  language: 'python',
  limit: 4,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  role: 'editor',
  code: '',
  participants: [],
  online: 0,
};

describe('room slice', () => {
  it('a room the server cannot load while its database is down stays loading, degraded, with the next retry', () => {
    let state = reduce(initialRoomState, roomOpened({ id: 'room123456', role: 'editor' }));
    state = reduce(state, roomUnavailable({ retryInMs: 2000 }));
    expect(state).toMatchObject({ status: 'loading', degraded: true, retryInMs: 2000, error: null });
    state = reduce(state, roomLoaded(details));
    expect(state).toMatchObject({ status: 'ready', retryInMs: null });
    state = reduce(state, serverHealthChanged({ dbDown: false }));
    expect(state.degraded).toBe(false);
    expect(reduce(state, serverHealthChanged({ dbDown: true })).degraded).toBe(true);
    // Reopening starts from a clean slate.
    expect(reduce(reduce(state, serverHealthChanged({ dbDown: true })), roomOpened({ id: 'x', role: 'editor' })).degraded).toBe(false);
  });

  it('opens, loads and closes a room', () => {
    let state = reduce(initialRoomState, roomOpened({ id: 'room123456', role: 'editor' }));
    expect(state.status).toBe('loading');
    state = reduce(state, roomLoaded(details));
    expect(state).toMatchObject({ status: 'ready', roomId: 'room123456', viewId: 'view123456', name: 'Kata', language: 'python', limit: 4 });
    expect(reduce(state, roomClosed())).toEqual(initialRoomState);
  });

  it('a viewer stays a viewer and never learns the room id', () => {
    let state = reduce(initialRoomState, roomOpened({ id: 'view123456', role: 'viewer' }));
    const { roomId: _omit, ...viewer } = details;
    state = reduce(state, roomLoaded({ ...viewer, role: 'viewer' }));
    expect(state.role).toBe('viewer');
    expect(state.roomId).toBeNull();
  });

  it('remembers the parent of a forked room (view link only)', () => {
    let state = reduce(initialRoomState, roomOpened({ id: 'room123456', role: 'editor' }));
    state = reduce(state, roomLoaded({ ...details, parent: { viewId: 'parentview1', name: 'Kata', version: 3 } }));
    expect(state.parent).toEqual({ viewId: 'parentview1', name: 'Kata', version: 3 });
    state = reduce(state, roomLoaded(details));
    expect(state.parent).toBeNull();
  });

  it('applies live meta and save results', () => {
    let state = reduce(initialRoomState, metaChanged({ language: 'go' }));
    state = reduce(state, metaChanged({ name: 'Renamed' }));
    expect(state).toMatchObject({ language: 'go', name: 'Renamed' });
    state = reduce(state, saveStarted());
    expect(state.saving).toBe(true);
    state = reduce(state, saveFinished('2026-01-01T12:03:04Z'));
    expect(state).toMatchObject({ saving: false, savedAt: '2026-01-01T12:03:04Z' });
    state = reduce(state, saveFinished(null));
    expect(state.savedAt).toBe('2026-01-01T12:03:04Z');
  });

  it('records a friendly error', () => {
    const state = reduce(initialRoomState, roomFailed({ code: 'room_not_found', title: 'Room not found', message: 'x', retryable: false, nameTaken: false }));
    expect(state).toMatchObject({ status: 'error', error: { code: 'room_not_found' } });
  });
});

describe('session slice', () => {
  it('holds the display name and session id', () => {
    let state = sessionSlice.reducer(initialSessionState, displayNameChanged('Ada'));
    state = sessionSlice.reducer(state, sessionStarted('abc'));
    expect(state).toEqual({ displayName: 'Ada', sessionId: 'abc' });
  });
});
