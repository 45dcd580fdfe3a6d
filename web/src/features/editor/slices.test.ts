import { describe, expect, it } from 'vitest';
import { connectionReset, connectionSlice, editedWhileOffline, fatalClose, initialConnectionState, statusChanged, synced } from './connection-slice';
import { initialSuggestionState, suggestionCleared, suggestionRequested, suggestionShown, suggestionSlice } from './suggestion-slice';

describe('connection slice', () => {
  const reduce = connectionSlice.reducer;

  it('tracks status and sync', () => {
    let state = reduce(initialConnectionState, statusChanged('connected'));
    state = reduce(state, synced());
    expect(state).toMatchObject({ status: 'connected', synced: true });
    state = reduce(state, statusChanged('reconnecting'));
    expect(state).toMatchObject({ status: 'reconnecting', synced: false });
  });

  it('remembers edits made while offline until the next sync', () => {
    let state = reduce(initialConnectionState, statusChanged('offline'));
    state = reduce(state, editedWhileOffline());
    expect(state.offlineEdits).toBe(true);
    state = reduce(state, statusChanged('connected'));
    state = reduce(state, synced());
    expect(state.offlineEdits).toBe(false);
  });

  it('a fatal close is final', () => {
    let state = reduce(initialConnectionState, fatalClose({ code: 4409, reason: 'name taken' }));
    state = reduce(state, statusChanged('reconnecting'));
    expect(state).toMatchObject({ status: 'offline', fatal: { code: 4409 } });
    expect(reduce(state, connectionReset('lww'))).toEqual({ ...initialConnectionState, mode: 'lww' });
  });
});

describe('suggestion slice', () => {
  const reduce = suggestionSlice.reducer;

  it('waits, shows and clears', () => {
    let state = reduce(initialSuggestionState, suggestionRequested(10));
    expect(state).toMatchObject({ status: 'waiting', offset: 10 });
    state = reduce(state, suggestionShown({ text: 'ole', source: 'local', offset: 10 }));
    expect(state).toEqual({ status: 'shown', text: 'ole', source: 'local', offset: 10 });
    expect(reduce(state, suggestionCleared())).toEqual(initialSuggestionState);
  });
});
