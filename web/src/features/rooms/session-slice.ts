import { createSlice, type PayloadAction } from '@reduxjs/toolkit';

export interface SessionState {
  /** Display name as typed (trimmed on use); remembered in localStorage. */
  displayName: string;
  /** Random id kept per browser tab, so a reconnect replaces the old socket on the server. */
  sessionId: string;
}

export const initialSessionState: SessionState = { displayName: '', sessionId: '' };

export const sessionSlice = createSlice({
  name: 'session',
  initialState: initialSessionState,
  reducers: {
    displayNameChanged(state, action: PayloadAction<string>) {
      state.displayName = action.payload;
    },
    sessionStarted(state, action: PayloadAction<string>) {
      state.sessionId = action.payload;
    },
  },
});

export const { displayNameChanged, sessionStarted } = sessionSlice.actions;
