import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ForkedRoom, HistoryAuthor, VersionSummary } from '@pairpad/shared';
import { useAppDispatch, useAppSelector } from './hooks';
import { useLatest } from '../lib/use-latest';
import { historyApi } from '../features/history/history-api';
import { blameHighlights, type AuthorHighlight } from '../features/history/authorship';
import type { LiveDocument } from '../features/history/live-document';
import {
  historyClosed,
  historyOpened,
  historyReset,
  restoreNoticed,
  versionsFailed,
  versionsLoaded,
  versionsRequested,
} from '../features/history/history-slice';

/** How long after the last edit the authorship colours are asked for again. */
export const AUTHORSHIP_REFRESH_MS = 1000;
/** How often at most the diff's right side follows the live text. */
const LIVE_TEXT_THROTTLE_MS = 250;
const PAGE_SIZE = 30;

export function describeHistoryError(action: string, error: unknown): string {
  const detail = error instanceof Error && error.message ? error.message : 'the server could not be reached';
  return `${action} failed: ${detail}.`;
}

export interface RoomHistoryOptions {
  /** The id the page was opened with (edit id or view id); null until the room is loaded. */
  id: string | null;
  canEdit: boolean;
  /** Who acts (`by`). */
  name: string;
  live: LiveDocument | null;
  /** The session has finished its first sync (notices already in the document are not news). */
  synced: boolean;
}

/**
 * History for the room page: loads the timeline into the store (on open, and again after a
 * restore notice), turns restore notices into the toast, and runs save, restore and fork.
 */
export function useRoomHistory({ id, canEdit, name, live, synced }: RoomHistoryOptions) {
  const dispatch = useAppDispatch();
  const history = useAppSelector((s) => s.history);
  const { open, nextBefore } = history;

  useEffect(() => {
    dispatch(historyReset());
    return () => {
      dispatch(historyReset());
    };
  }, [dispatch, id]);

  const load = useCallback(
    async (more: boolean, before?: number): Promise<void> => {
      if (!id) return;
      dispatch(versionsRequested({ more }));
      try {
        const list = await historyApi.list(id, { limit: PAGE_SIZE, ...(more && before !== undefined && { before }) });
        dispatch(versionsLoaded({ list, more }));
      } catch (error) {
        dispatch(versionsFailed(describeHistoryError('Loading the history', error)));
      }
    },
    [dispatch, id],
  );

  const refresh = useCallback(() => void load(false), [load]);
  const more = useCallback(() => void load(true, nextBefore ?? undefined), [load, nextBefore]);

  useEffect(() => {
    if (open) void load(false);
  }, [open, load]);

  // A restore by anyone: the toast, and an open timeline gains its "before restore" version
  // (a closed one is fetched when it opens).
  const openRef = useLatest(open);
  useEffect(() => {
    if (!live || !synced) return;
    return live.onNotice((notice) => {
      dispatch(restoreNoticed(notice));
      if (openRef.current) void load(false);
    });
  }, [dispatch, live, synced, load, openRef]);

  const save = useCallback(
    (versionName: string | undefined): Promise<VersionSummary> => {
      if (!id || !canEdit) return Promise.reject(new Error('a view link cannot save versions'));
      return historyApi.save(id, { by: name, ...(versionName !== undefined && { name: versionName }) }).then((saved) => {
        if (open) void load(false);
        return saved;
      });
    },
    [id, canEdit, name, open, load],
  );

  const restore = useCallback(
    async (version: number): Promise<string | null> => {
      if (!id || !canEdit) return 'Restoring needs the edit link.';
      try {
        await historyApi.restore(id, { version, by: name });
        return null;
      } catch (error) {
        return describeHistoryError('Restore', error);
      }
    },
    [id, canEdit, name],
  );

  const fork = useCallback(
    async (version: number | null): Promise<ForkedRoom | string> => {
      if (!id || !canEdit) return 'Forking needs the edit link.';
      try {
        return await historyApi.fork(id, { by: name, ...(version !== null && { version }) });
      } catch (error) {
        return describeHistoryError('Fork', error);
      }
    },
    [id, canEdit, name],
  );

  const loadVersion = useCallback((version: number) => historyApi.details(id ?? '', version), [id]);
  const loadReplay = useCallback((from: number, to: number | undefined) => historyApi.replay(id ?? '', from, to), [id]);

  const actions = useMemo(
    () => ({
      open: () => void dispatch(historyOpened()),
      close: () => void dispatch(historyClosed()),
      refresh,
      more,
      save,
      restore,
      fork,
      loadVersion,
      loadReplay,
    }),
    [dispatch, refresh, more, save, restore, fork, loadVersion, loadReplay],
  );
  return { history, ...actions };
}

/** The live text, following changes at most every LIVE_TEXT_THROTTLE_MS while `enabled`. */
export function useLiveText(live: LiveDocument | null, enabled: boolean): string {
  const [text, setText] = useState('');
  useEffect(() => {
    if (!live || !enabled) return;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const read = (): void => {
      timer = null;
      setText(live.text());
    };
    timer = setTimeout(read, 0);
    const off = live.onChange(() => {
      timer ??= setTimeout(read, LIVE_TEXT_THROTTLE_MS);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [live, enabled]);
  return text;
}

const NO_HIGHLIGHTS: AuthorHighlight[] = [];

export interface AuthorshipView {
  highlights: AuthorHighlight[];
  /** Who wrote the text, most characters first (the legend). */
  authors: (HistoryAuthor & { chars: number })[];
  error: string | null;
}
const NO_AUTHORSHIP: AuthorshipView = { highlights: NO_HIGHLIGHTS, authors: [], error: null };

/**
 * Authorship colours while `enabled`: `GET /blame` now, and again AUTHORSHIP_REFRESH_MS after
 * the last edit. An answer overtaken by a newer request is dropped.
 */
export function useAuthorship(id: string | null, enabled: boolean, live: LiveDocument | null): AuthorshipView {
  const [state, setState] = useState<AuthorshipView>(NO_AUTHORSHIP);
  useEffect(() => {
    if (!id || !enabled) return;
    let controller: AbortController | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const fetchBlame = (): void => {
      timer = null;
      controller?.abort();
      const current = new AbortController();
      controller = current;
      historyApi.blame(id, undefined, current.signal).then(
        (blame) => {
          if (!current.signal.aborted) setState({ highlights: blameHighlights(blame), authors: blame.authors, error: null });
        },
        (error: unknown) => {
          if (!current.signal.aborted) setState((previous) => ({ ...previous, error: describeHistoryError('Authorship', error) }));
        },
      );
    };
    timer = setTimeout(fetchBlame, 0);
    const off = live?.onChange(() => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(fetchBlame, AUTHORSHIP_REFRESH_MS);
    });
    return () => {
      off?.();
      if (timer) clearTimeout(timer);
      controller?.abort();
      setState(NO_AUTHORSHIP);
    };
  }, [id, enabled, live]);
  return enabled ? state : NO_AUTHORSHIP;
}
