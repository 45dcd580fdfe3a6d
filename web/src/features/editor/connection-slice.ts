import { createSlice, type PayloadAction } from '@reduxjs/toolkit';

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'offline';
export type SyncMode = 'yjs' | 'lww';
/**
 * Whether the server holds this tab's edits: 'saved' once the server has answered a sync
 * request sent after the last local edit (it handles a socket's messages in order, so it has
 * applied every edit sent before; it appends them to its database within PERSIST_FLUSH_MS),
 * 'saving' while such an answer is outstanding, 'offline' while edits wait for a connection.
 */
export type SaveState = 'saved' | 'saving' | 'offline';

export interface ConnectionState {
  mode: SyncMode;
  status: ConnectionStatus;
  /** True once the first full sync with the server finished. */
  synced: boolean;
  /** Local edits made while not connected; they merge when the socket is back. */
  offlineEdits: boolean;
  /** A close that ends the session (4404, 4409, 4429, 1008): no more reconnects. */
  fatal: { code: number; reason: string } | null;
  /** Live (Yjs) mode only; null when the session cannot tell (the LWW fallback). */
  saveState: SaveState | null;
}

export const initialConnectionState: ConnectionState = {
  mode: 'yjs',
  status: 'connecting',
  synced: false,
  offlineEdits: false,
  fatal: null,
  saveState: null,
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
    saveStateChanged(state, action: PayloadAction<SaveState>) {
      state.saveState = action.payload;
    },
    fatalClose(state, action: PayloadAction<{ code: number; reason: string }>) {
      state.fatal = action.payload;
      state.status = 'offline';
      state.synced = false;
    },
  },
});

export const { connectionReset, statusChanged, synced, editedWhileOffline, saveStateChanged, fatalClose } = connectionSlice.actions;
