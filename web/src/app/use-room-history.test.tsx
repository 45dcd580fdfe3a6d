import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, renderHook } from '@testing-library/react';
import type { ReactNode } from 'react';
import { Provider } from 'react-redux';
import type { RestoreNotice } from '@pairpad/shared';
import type { LiveDocument } from '../features/history/live-document';
import { historyOpened } from '../features/history/history-slice';
import { makeStore } from './store';
import { AUTHORSHIP_REFRESH_MS, useAuthorship, useRoomHistory } from './use-room-history';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });

/** A LiveDocument driven by hand. */
function fakeLive() {
  const changes = new Set<() => void>();
  const notices = new Set<(n: RestoreNotice) => void>();
  const live: LiveDocument = {
    text: () => 'text',
    onChange: (l) => (changes.add(l), () => changes.delete(l)),
    onNotice: (l) => (notices.add(l), () => notices.delete(l)),
  };
  return {
    live,
    change: () => changes.forEach((l) => l()),
    notice: (n: RestoreNotice) => notices.forEach((l) => l(n)),
  };
}

const notice: RestoreNotice = { kind: 'restored', by: 'Alice', version: 3, versionAt: '2026-01-01T14:02:00Z', versionName: null, backup: 9, at: '2026-01-01T15:00:00Z' };

describe('useRoomHistory', () => {
  it('turns notices into the toast only once the first sync is done, and refetches an open timeline', async () => {
    const fetchMock = vi.fn(async (_url: string) => json({ versions: [] }));
    vi.stubGlobal('fetch', fetchMock);
    const store = makeStore();
    const wrapper = ({ children }: { children: ReactNode }) => <Provider store={store}>{children}</Provider>;
    const doc = fakeLive();
    const { rerender } = renderHook((props: { synced: boolean }) => useRoomHistory({ id: 'room123456', canEdit: true, name: 'Alice', live: doc.live, synced: props.synced }), {
      wrapper,
      initialProps: { synced: false },
    });
    act(() => doc.notice(notice));
    expect(store.getState().history.toast).toBeNull();
    rerender({ synced: true });
    act(() => doc.notice(notice));
    expect(store.getState().history.toast).toEqual(notice);
    expect(fetchMock).not.toHaveBeenCalled(); // the panel is closed

    act(() => void store.dispatch(historyOpened()));
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(1));
    act(() => doc.notice({ ...notice, version: 4 }));
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(2));
    expect(String(fetchMock.mock.calls[1]?.[0])).toMatch(/\/rooms\/room123456\/versions\?limit=\d+$/);
  });
});

describe('useAuthorship', () => {
  it('asks for blame when turned on, then once more after a pause in editing', async () => {
    vi.useFakeTimers();
    const blame = { version: null, length: 4, ranges: [{ start: 0, end: 4, author: 'Alice', color: '#ff6b6b', at: null }], authors: [{ name: 'Alice', color: '#ff6b6b', chars: 4 }] };
    const fetchMock = vi.fn(async (_url: string) => json(blame));
    vi.stubGlobal('fetch', fetchMock);
    const doc = fakeLive();
    const { result, rerender } = renderHook((props: { on: boolean }) => useAuthorship('room123456', props.on, doc.live), { initialProps: { on: false } });
    await act(async () => {
      await vi.advanceTimersByTimeAsync(AUTHORSHIP_REFRESH_MS * 2);
    });
    expect(fetchMock).not.toHaveBeenCalled();

    rerender({ on: true });
    await act(async () => {
      await vi.advanceTimersByTimeAsync(0);
    });
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(result.current.highlights).toEqual([{ start: 0, end: 4, color: '#ff6b6b', hover: 'Alice' }]);

    // Three edits in a row: one request, a pause after the last.
    for (let i = 0; i < 3; i++) {
      act(() => doc.change());
      await act(async () => {
        await vi.advanceTimersByTimeAsync(AUTHORSHIP_REFRESH_MS / 2);
      });
    }
    expect(fetchMock).toHaveBeenCalledTimes(1);
    await act(async () => {
      await vi.advanceTimersByTimeAsync(AUTHORSHIP_REFRESH_MS);
    });
    expect(fetchMock).toHaveBeenCalledTimes(2);
    expect(String(fetchMock.mock.calls[1]?.[0])).toMatch(/\/rooms\/room123456\/blame$/);

    rerender({ on: false });
    expect(result.current.highlights).toEqual([]);
  });
});
