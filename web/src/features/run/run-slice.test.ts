import { describe, expect, it } from 'vitest';
import { RUN_LIMIT_DEFAULT_MS, RUN_LIMIT_MAX_MS, RUN_LIMIT_MIN_MS } from '@pairpad/shared';
import { initialRunState, limitChanged, runEnded, runProgressed, runRequested, runReset, runSlice, runStarted } from './run-slice';
import { clampLimitMs } from './storage';

const reduce = runSlice.reducer;

describe('run slice', () => {
  it('starts idle with the default 10 s limit', () => {
    expect(initialRunState).toMatchObject({ phase: 'idle', runId: null, limitMs: RUN_LIMIT_DEFAULT_MS });
  });

  it('clamps the limit to whole seconds in range', () => {
    expect(reduce(initialRunState, limitChanged(2_400)).limitMs).toBe(2_000);
    expect(reduce(initialRunState, limitChanged(10)).limitMs).toBe(RUN_LIMIT_MIN_MS);
    expect(reduce(initialRunState, limitChanged(10_000_000)).limitMs).toBe(RUN_LIMIT_MAX_MS);
    expect(clampLimitMs('abc')).toBe(RUN_LIMIT_DEFAULT_MS);
    expect(clampLimitMs('3000')).toBe(3_000);
  });

  it('goes preparing (with progress) -> running -> idle, and remembers the first Python load time only', () => {
    let state = reduce(initialRunState, runRequested({ runId: 'a' }));
    expect(state).toMatchObject({ phase: 'preparing', runId: 'a', progress: null });
    state = reduce(state, runProgressed({ label: 'Downloading Python', loaded: 10, total: 100 }));
    expect(state.progress).toEqual({ label: 'Downloading Python', loaded: 10, total: 100 });
    state = reduce(state, runStarted({ runId: 'a', pythonLoadMs: 1234 }));
    expect(state).toMatchObject({ phase: 'running', progress: null, pythonLoadMs: 1234 });
    state = reduce(state, runProgressed({ label: 'late', loaded: 1, total: null }));
    expect(state.progress).toBeNull();
    state = reduce(state, runEnded({ runId: 'a' }));
    expect(state).toMatchObject({ phase: 'idle', runId: null, error: null });
    state = reduce(reduce(state, runRequested({ runId: 'b' })), runStarted({ runId: 'b', pythonLoadMs: 99 }));
    expect(state.pythonLoadMs).toBe(1234);
  });

  it('ignores news of a run that is no longer this page’s', () => {
    const state = reduce(initialRunState, runRequested({ runId: 'new' }));
    expect(reduce(state, runStarted({ runId: 'old' }))).toEqual(state);
    expect(reduce(state, runEnded({ runId: 'old' }))).toEqual(state);
  });

  it('keeps why a run could not start until the next one; a reset keeps the limit', () => {
    let state = reduce(reduce(initialRunState, limitChanged(3_000)), runRequested({ runId: 'a' }));
    state = reduce(state, runEnded({ runId: 'a', error: 'The runner could not be loaded.' }));
    expect(state.error).toBe('The runner could not be loaded.');
    expect(reduce(state, runRequested({ runId: 'b' })).error).toBeNull();
    expect(reduce(state, runReset())).toMatchObject({ phase: 'idle', error: null, limitMs: 3_000 });
  });
});
