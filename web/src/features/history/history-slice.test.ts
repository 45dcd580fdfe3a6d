import { describe, expect, it } from 'vitest';
import type { RestoreNotice, VersionSummary } from '@pairpad/shared';
import {
  authorshipToggled,
  historyClosed,
  historyOpened,
  historyReset,
  historySlice,
  initialHistoryState,
  nextNewerVersion,
  restoreNoticed,
  selectedVersion,
  toastDismissed,
  versionSelected,
  versionsFailed,
  versionsLoaded,
  versionsRequested,
  type HistoryState,
} from './history-slice';

const reduce = historySlice.reducer;
const v = (id: number, over: Partial<VersionSummary> = {}): VersionSummary => ({
  id,
  at: `2026-01-01T10:${String(id).padStart(2, '0')}:00Z`,
  kind: 'auto',
  name: null,
  by: null,
  authors: [],
  inserted: 1,
  deleted: 0,
  length: id,
  ...over,
});

describe('history slice', () => {
  it('opens, loads the first page and remembers where the next one starts', () => {
    let state = reduce(initialHistoryState, historyOpened());
    state = reduce(state, versionsRequested({ more: false }));
    expect(state).toMatchObject({ open: true, status: 'loading', loading: 'refresh' });
    state = reduce(state, versionsLoaded({ list: { versions: [v(9), v(8)], nextBefore: 8 }, more: false }));
    expect(state.versions.map((x) => x.id)).toEqual([9, 8]);
    expect(state).toMatchObject({ status: 'ready', loading: null, nextBefore: 8 });
  });

  it('appends older pages without duplicates and stops paging at the end', () => {
    let state: HistoryState = { ...initialHistoryState, versions: [v(9), v(8)], nextBefore: 8, status: 'ready' };
    state = reduce(state, versionsRequested({ more: true }));
    expect(state.loading).toBe('more');
    state = reduce(state, versionsLoaded({ list: { versions: [v(8), v(7), v(6)] }, more: true }));
    expect(state.versions.map((x) => x.id)).toEqual([9, 8, 7, 6]);
    expect(state.nextBefore).toBeNull();
  });

  it('a refresh puts new versions on top and keeps older pages already loaded', () => {
    let state: HistoryState = { ...initialHistoryState, versions: [v(9), v(8), v(7), v(6)], nextBefore: null, status: 'ready' };
    state = reduce(state, versionsLoaded({ list: { versions: [v(11), v(10), v(9)], nextBefore: 9 }, more: false }));
    expect(state.versions.map((x) => x.id)).toEqual([11, 10, 9, 8, 7, 6]);
    expect(state.nextBefore).toBeNull();
  });

  it('a refresh that returns everything replaces the list', () => {
    let state: HistoryState = { ...initialHistoryState, versions: [v(3), v(2)], status: 'ready' };
    state = reduce(state, versionsLoaded({ list: { versions: [v(4), v(3), v(2), v(1)] }, more: false }));
    expect(state.versions.map((x) => x.id)).toEqual([4, 3, 2, 1]);
  });

  it('selection: kept while the version is listed, dropped when it is gone, cleared on close', () => {
    let state: HistoryState = { ...initialHistoryState, open: true, versions: [v(3), v(2)], status: 'ready' };
    state = reduce(state, versionSelected(2));
    expect(selectedVersion(state)?.id).toBe(2);
    state = reduce(state, versionsLoaded({ list: { versions: [v(4), v(3), v(2)] }, more: false }));
    expect(state.selectedId).toBe(2);
    state = reduce(state, versionsLoaded({ list: { versions: [v(4), v(3)] }, more: false }));
    expect(state.selectedId).toBeNull();
    state = reduce(state, versionSelected(3));
    state = reduce(state, historyClosed());
    expect(state).toMatchObject({ open: false, selectedId: null });
  });

  it('a failed load says why', () => {
    let state = reduce(initialHistoryState, versionsRequested({ more: false }));
    state = reduce(state, versionsFailed('Loading the history failed: boom.'));
    expect(state).toMatchObject({ status: 'error', loading: null, error: 'Loading the history failed: boom.' });
  });

  it('authorship toggle, restore toast, reset', () => {
    const notice: RestoreNotice = { kind: 'restored', by: 'Alice', version: 3, versionAt: '2026-01-01T14:02:00Z', versionName: null, backup: 5, at: '2026-01-01T15:00:00Z' };
    let state = reduce(initialHistoryState, authorshipToggled());
    expect(state.authorship).toBe(true);
    state = reduce(state, restoreNoticed(notice));
    expect(state.toast).toEqual(notice);
    state = reduce(state, toastDismissed());
    expect(state.toast).toBeNull();
    state = reduce(state, historyReset());
    expect(state).toEqual(initialHistoryState);
  });

  it('a replay from a version ends at the next newer one, or at the text now', () => {
    const list = [v(9), v(7), v(4)];
    expect(nextNewerVersion(list, 4)).toBe(7);
    expect(nextNewerVersion(list, 7)).toBe(9);
    expect(nextNewerVersion(list, 9)).toBeUndefined();
  });
});
