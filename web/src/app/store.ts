import { combineReducers, configureStore } from '@reduxjs/toolkit';
import { sessionSlice } from '../features/rooms/session-slice';
import { roomSlice } from '../features/rooms/room-slice';
import { connectionSlice } from '../features/editor/connection-slice';
import { suggestionSlice } from '../features/editor/suggestion-slice';
import { presenceSlice } from '../features/presence/presence-slice';
import { historySlice } from '../features/history/history-slice';
import { runSlice } from '../features/run/run-slice';

export const rootReducer = combineReducers({
  session: sessionSlice.reducer,
  room: roomSlice.reducer,
  connection: connectionSlice.reducer,
  suggestion: suggestionSlice.reducer,
  presence: presenceSlice.reducer,
  history: historySlice.reducer,
  run: runSlice.reducer,
});

export type RootState = ReturnType<typeof rootReducer>;

/** One store per app (or per test), optionally pre-filled. Only serializable state goes in. */
export function makeStore(preloadedState?: Partial<RootState>) {
  return configureStore({ reducer: rootReducer, preloadedState });
}

export type AppStore = ReturnType<typeof makeStore>;
export type AppDispatch = AppStore['dispatch'];
