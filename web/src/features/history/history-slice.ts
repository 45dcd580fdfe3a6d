import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { RestoreNotice, VersionList, VersionSummary } from '@pairpad/shared';

/**
 * The History panel's plain data: the timeline as the server listed it, the selection, the
 * authorship toggle and the restore toast. Version texts, replays and blame ranges are fetched
 * by the components that show them and never stored here.
 */
export interface HistoryState {
  open: boolean;
  /** Newest first, as `GET /versions` pages them. */
  versions: VersionSummary[];
  /** Pass as `before` for the next (older) page; null when the list is complete. */
  nextBefore: number | null;
  status: 'idle' | 'loading' | 'ready' | 'error';
  /** Which load is running: the first page (refresh) or the next older one. */
  loading: 'refresh' | 'more' | null;
  error: string | null;
  selectedId: number | null;
  authorship: boolean;
  /** The last restore someone made while this page was open (shown as a toast). */
  toast: RestoreNotice | null;
}

export const initialHistoryState: HistoryState = {
  open: false,
  versions: [],
  nextBefore: null,
  status: 'idle',
  loading: null,
  error: null,
  selectedId: null,
  authorship: false,
  toast: null,
};

export const historySlice = createSlice({
  name: 'history',
  initialState: initialHistoryState,
  reducers: {
    historyOpened(state) {
      state.open = true;
    },
    historyClosed(state) {
      state.open = false;
      state.selectedId = null;
    },
    versionsRequested(state, action: PayloadAction<{ more: boolean }>) {
      state.status = 'loading';
      state.loading = action.payload.more ? 'more' : 'refresh';
      state.error = null;
    },
    /** A page arrived: the first page replaces the list (newer versions may have appeared), a later one extends it. */
    versionsLoaded(state, action: PayloadAction<{ list: VersionList; more: boolean }>) {
      const { list, more } = action.payload;
      if (more) {
        const known = new Set(state.versions.map((v) => v.id));
        state.versions.push(...list.versions.filter((v) => !known.has(v.id)));
        state.nextBefore = list.nextBefore ?? null;
      } else {
        // Keep older pages already loaded below the refreshed first page.
        const oldestFresh = list.versions.at(-1)?.id;
        const older = oldestFresh === undefined || list.nextBefore === undefined ? [] : state.versions.filter((v) => v.id < oldestFresh);
        state.versions = [...list.versions, ...older];
        if (older.length === 0) state.nextBefore = list.nextBefore ?? null;
      }
      if (state.selectedId !== null && !state.versions.some((v) => v.id === state.selectedId)) state.selectedId = null;
      state.status = 'ready';
      state.loading = null;
    },
    versionsFailed(state, action: PayloadAction<string>) {
      state.status = 'error';
      state.loading = null;
      state.error = action.payload;
    },
    versionSelected(state, action: PayloadAction<number | null>) {
      state.selectedId = action.payload;
    },
    authorshipToggled(state) {
      state.authorship = !state.authorship;
    },
    restoreNoticed(state, action: PayloadAction<RestoreNotice>) {
      state.toast = action.payload;
    },
    toastDismissed(state) {
      state.toast = null;
    },
    historyReset() {
      return initialHistoryState;
    },
  },
});

export const {
  historyOpened,
  historyClosed,
  versionsRequested,
  versionsLoaded,
  versionsFailed,
  versionSelected,
  authorshipToggled,
  restoreNoticed,
  toastDismissed,
  historyReset,
} = historySlice.actions;

export function selectedVersion(state: HistoryState): VersionSummary | null {
  return state.versions.find((v) => v.id === state.selectedId) ?? null;
}

/**
 * Where a replay from `id` ends: the next newer version in the list, or undefined for "the text
 * now" when `id` is the newest.
 */
export function nextNewerVersion(versions: readonly VersionSummary[], id: number): number | undefined {
  let next: number | undefined;
  for (const v of versions) if (v.id > id && (next === undefined || v.id < next)) next = v.id;
  return next;
}
