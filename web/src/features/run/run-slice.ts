import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import { RUN_LIMIT_DEFAULT_MS } from '@pairpad/shared';
import { clampLimitMs } from './storage';

/** Loading Python: which step, and bytes so far (total when the server said). */
export interface RunProgress {
  label: string;
  loaded: number;
  total: number | null;
}

/**
 * This page's own run: plain data only. The console itself is in the room's document (see
 * run-log.ts), the workers in runner.ts.
 * - `preparing`: transpiling, or loading Python (with `progress`);
 * - `running`: the code runs and the wall-clock limit counts.
 */
export interface RunState {
  limitMs: number;
  phase: 'idle' | 'preparing' | 'running';
  /** The entry in the console this page is writing; null when idle. */
  runId: string | null;
  progress: RunProgress | null;
  /** How long Python took to load the first time on this page (shown once, and logged for the e2e). */
  pythonLoadMs: number | null;
  /** Why the last Run could not start (a worker that failed to load), or null. */
  error: string | null;
}

export const initialRunState: RunState = {
  limitMs: RUN_LIMIT_DEFAULT_MS,
  phase: 'idle',
  runId: null,
  progress: null,
  pythonLoadMs: null,
  error: null,
};

export const runSlice = createSlice({
  name: 'run',
  initialState: initialRunState,
  reducers: {
    limitChanged(state, action: PayloadAction<number>) {
      state.limitMs = clampLimitMs(action.payload);
    },
    runRequested(state, action: PayloadAction<{ runId: string }>) {
      state.phase = 'preparing';
      state.runId = action.payload.runId;
      state.progress = null;
      state.error = null;
    },
    runProgressed(state, action: PayloadAction<RunProgress>) {
      if (state.phase === 'preparing') state.progress = action.payload;
    },
    runStarted(state, action: PayloadAction<{ runId: string; pythonLoadMs?: number }>) {
      if (state.runId !== action.payload.runId) return;
      state.phase = 'running';
      state.progress = null;
      if (action.payload.pythonLoadMs !== undefined && state.pythonLoadMs === null) state.pythonLoadMs = action.payload.pythonLoadMs;
    },
    runEnded(state, action: PayloadAction<{ runId: string; error?: string }>) {
      if (state.runId !== action.payload.runId) return;
      state.phase = 'idle';
      state.runId = null;
      state.progress = null;
      state.error = action.payload.error ?? null;
    },
    /** Leaving the room: whatever ran is stopped by the hook; the limit stays (it is this browser's). */
    runReset(state) {
      state.phase = 'idle';
      state.runId = null;
      state.progress = null;
      state.error = null;
    },
  },
});

export const { limitChanged, runRequested, runProgressed, runStarted, runEnded, runReset } = runSlice.actions;
