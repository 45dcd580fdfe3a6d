import { createSlice, type PayloadAction } from '@reduxjs/toolkit';

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'offline';
export type SyncMode = 'yjs' | 'lww';

export interface ConnectionState {
  mode: SyncMode;
  status: ConnectionStatus;
  /** True once the first full sync with the server finished. */
  synced: boolean;
  /** Local edits made while not connected; they merge when the socket is back. */
  offlineEdits: boolean;
  /** A close that ends the session (4404, 4409, 4429, 1008): no more reconnects. */
  fatal: { code: number; reason: string } | null;
}

export const initialConnectionState: ConnectionState = {
  mode: 'yjs',
  status: 'connecting',
  synced: false,
  offlineEdits: false,
  fatal: null,
};

export const connectionSlice = createSlice({
  name: 'connection',
  initialState: initialConnectionState,
  reducers: {
    connectionReset(_state, action: PayloadAction<SyncMode>) {
      return { ...initialConnectionState, mode: action.payload };
    },
    statusChanged(state, action: PayloadAction<ConnectionStatus>) {
      // Once a session has ended for good, a late 'disconnected' must not turn it back into "reconnecting".
      if (state.fatal) return;
      state.status = action.payload;
      if (action.payload !== 'connected') state.synced = false;
    },
    synced(state) {
      state.synced = true;
      state.offlineEdits = false;
    },
    editedWhileOffline(state) {
      if (state.status !== 'connected' || !state.synced) state.offlineEdits = true;
    },
    fatalClose(state, action: PayloadAction<{ code: number; reason: string }>) {
      state.fatal = action.payload;
      state.status = 'offline';
      state.synced = false;
    },
  },
});

export const { connectionReset, statusChanged, synced, editedWhileOffline, fatalClose } = connectionSlice.actions;
