import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import { DEFAULT_LANGUAGE, ROOM_LIMIT_DEFAULT, type Language, type Role, type RoomDetails, type RoomParent } from '@pairpad/shared';
import type { RoomError } from '../../lib/room-errors';

export type { RoomError } from '../../lib/room-errors';

export interface RoomState {
  status: 'idle' | 'loading' | 'ready' | 'error';
  /** The id in the URL: a roomId for editors, a viewId for viewers. */
  id: string | null;
  roomId: string | null;
  viewId: string | null;
  role: Role;
  name: string;
  language: Language;
  limit: number;
  /** ISO time of the last forced snapshot. */
  savedAt: string | null;
  saving: boolean;
  error: RoomError | null;
  /**
   * The server answered but its database is down (GET 503 db_unavailable, /healthz db:"down",
   * or a save refused with db_unavailable). A live room keeps working from the server's memory.
   */
  degraded: boolean;
  /** While the room cannot open because the database is down: when the next GET is tried (ms). */
  retryInMs: number | null;
  /** The room this one was forked from (its view link only). */
  parent: RoomParent | null;
}

export const initialRoomState: RoomState = {
  status: 'idle',
  id: null,
  roomId: null,
  viewId: null,
  role: 'editor',
  name: '',
  language: DEFAULT_LANGUAGE,
  limit: ROOM_LIMIT_DEFAULT,
  savedAt: null,
  saving: false,
  error: null,
  degraded: false,
  retryInMs: null,
  parent: null,
};

export const roomSlice = createSlice({
  name: 'room',
  initialState: initialRoomState,
  reducers: {
    roomOpened(state, action: PayloadAction<{ id: string; role: Role }>) {
      return { ...initialRoomState, status: 'loading', id: action.payload.id, role: action.payload.role };
    },
    roomLoaded(state, action: PayloadAction<RoomDetails>) {
      const room = action.payload;
      state.status = 'ready';
      state.roomId = room.roomId ?? null;
      state.viewId = room.viewId;
      state.role = room.role === 'viewer' || state.role === 'viewer' ? 'viewer' : 'editor';
      state.name = room.name;
      state.language = room.language;
      state.limit = room.limit;
      state.parent = room.parent ? { viewId: room.parent.viewId, name: room.parent.name, version: room.parent.version } : null;
      state.error = null;
      state.retryInMs = null;
    },
    /** GET answered 503 db_unavailable: stay loading, say why, and try again after `retryInMs`. */
    roomUnavailable(state, action: PayloadAction<{ retryInMs: number }>) {
      state.status = 'loading';
      state.degraded = true;
      state.retryInMs = action.payload.retryInMs;
    },
    /** What the server last said about its database (`/healthz`, or a save refused for it). */
    serverHealthChanged(state, action: PayloadAction<{ dbDown: boolean }>) {
      state.degraded = action.payload.dbDown;
    },
    roomFailed(state, action: PayloadAction<RoomError>) {
      state.status = 'error';
      state.error = action.payload;
    },
    /** Live settings from the shared doc's `meta` map (or an LWW `meta` message). */
    metaChanged(state, action: PayloadAction<{ name?: string; language?: Language; limit?: number }>) {
      if (action.payload.name !== undefined) state.name = action.payload.name;
      if (action.payload.language !== undefined) state.language = action.payload.language;
      if (action.payload.limit !== undefined) state.limit = action.payload.limit;
    },
    limitChanged(state, action: PayloadAction<number>) {
      state.limit = action.payload;
    },
    saveStarted(state) {
      state.saving = true;
    },
    saveFinished(state, action: PayloadAction<string | null>) {
      state.saving = false;
      if (action.payload) state.savedAt = action.payload;
    },
    roomClosed() {
      return initialRoomState;
    },
  },
});

export const {
  roomOpened,
  roomLoaded,
  roomUnavailable,
  serverHealthChanged,
  roomFailed,
  metaChanged,
  limitChanged,
  saveStarted,
  saveFinished,
  roomClosed,
} = roomSlice.actions;
