import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { Route, Routes } from 'react-router';
import { renderWithProviders } from '../testing/render-with-providers';
import { makeStore } from './store';

// Monaco does not run in jsdom; the page is tested around it.
vi.mock('../features/editor/editor', () => ({ CodeEditor: () => <div data-testid="editor" /> }));
vi.mock('../features/editor/version-views', () => ({
  DiffView: ({ original, modified }: { original: string; modified: string }) => (
    <div data-testid="version-diff" data-original={original} data-modified={modified} />
  ),
  CodeView: ({ text }: { text: string }) => <pre data-testid="replay-code">{text}</pre>,
}));
// No sockets from unit tests: the session layer has its own tests with a fake provider.
vi.mock('../features/editor/use-collab-session', () => ({ useCollabSession: () => null }));
const { RoomPage } = await import('./room-page');

afterEach(() => vi.unstubAllGlobals());

function renderRoom(route: string, displayName = 'Alice') {
  return renderWithProviders(
    <Routes>
      <Route path="/" element={<p data-testid="home">home</p>} />
      <Route path="/room/:roomId" element={<RoomPage />} />
      <Route path="/watch/:viewId" element={<RoomPage />} />
    </Routes>,
    { store: makeStore({ session: { displayName, sessionId: 's1' } }), route },
  );
}

describe('room page', () => {
  it('turns a 404 into a friendly message with a way back', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(JSON.stringify({ error: { code: 'room_not_found', message: 'no' } }), { status: 404 })),
    );
    renderRoom('/room/missing123');
    await waitFor(() => expect(screen.getByTestId('room-error').dataset.code).toBe('room_not_found'));
    expect(screen.getByText('Room not found')).toBeTruthy();
    expect(screen.getByTestId('back-home').getAttribute('href')).toBe('/');
  });

  it('asks for a name first when none is remembered', () => {
    vi.stubGlobal('fetch', vi.fn());
    renderRoom('/room/abcdefgh12', '');
    expect(screen.getByTestId('name-gate')).toBeTruthy();
  });

  it('shows the watching banner and read-only toolbar for viewers', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () =>
        new Response(
          JSON.stringify({
            viewId: 'viewid1234',
            name: 'Kata',
            language: 'python',
            limit: 5,
            role: 'viewer',
            code: '',
            participants: [{ name: 'Bob', color: '#4dabf7', role: 'editor', online: false }],
            online: 0,
            createdAt: '',
            updatedAt: '',
          }),
          { status: 200 },
        ),
      ),
    );
    const { store } = renderRoom('/watch/viewid1234');
    await waitFor(() => expect(screen.getByTestId('viewer-banner')).toBeTruthy());
    expect(screen.getByTestId('room-title').tagName).toBe('H1');
    expect(screen.queryByTestId('copy-edit-link')).toBeNull();
    expect(screen.getByTestId('copy-view-link')).toBeTruthy();
    expect(screen.queryByTestId('save')).toBeNull();
    expect((screen.getByTestId('language-select') as HTMLSelectElement).disabled).toBe(true);
    expect(store.getState().room.role).toBe('viewer');
    expect(screen.getByTestId('online-count').textContent).toMatch(/limit 5/);
    // Viewers cannot change the capacity.
    expect(screen.queryByTestId('capacity-input')).toBeNull();
  });

  describe('capacity control (editors)', () => {
    const details = {
      roomId: 'room123456',
      viewId: 'view123456',
      name: 'Kata',
      language: 'python',
      limit: 5,
      role: 'editor',
      code: '',
      participants: [],
      online: 3,
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
    };
    const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });

    function stub(patch: (body: { limit: number }) => Response) {
      const fetchMock = vi.fn(async (url: string, init?: RequestInit) => {
        if (url.endsWith('/healthz')) return json({ status: 'ok', db: 'ok' });
        if (init?.method === 'PATCH') return patch(JSON.parse(String(init.body)) as { limit: number });
        return json(details);
      });
      vi.stubGlobal('fetch', fetchMock);
      return fetchMock;
    }
    const patches = (fetchMock: ReturnType<typeof stub>) => fetchMock.mock.calls.filter(([, init]) => init?.method === 'PATCH');

    it('checks 2..20 before sending, then PATCHes and shows the new limit', async () => {
      const fetchMock = stub((body) => json({ ...details, limit: body.limit }));
      const { store } = renderRoom('/room/room123456');
      const input = (await screen.findByTestId('capacity-input')) as HTMLInputElement;
      expect(input.value).toBe('5');
      for (const bad of ['1', '21', '2.5', '']) {
        fireEvent.change(input, { target: { value: bad } });
        fireEvent.click(screen.getByTestId('capacity-apply'));
        expect(screen.getByTestId('capacity-error').textContent).toBe('Capacity must be a whole number from 2 to 20');
      }
      expect(patches(fetchMock)).toEqual([]);
      fireEvent.change(input, { target: { value: '8' } });
      fireEvent.click(screen.getByTestId('capacity-apply'));
      await waitFor(() => expect(store.getState().room.limit).toBe(8));
      expect(JSON.parse(String(patches(fetchMock)[0]?.[1]?.body))).toEqual({ limit: 8 });
      expect(screen.getByTestId('online-count').textContent).toMatch(/limit 8/);
      expect(screen.queryByTestId('capacity-error')).toBeNull();
    });

    const version = (over: Record<string, unknown> = {}) => ({
      id: 7,
      at: '2026-01-01T10:11:12Z',
      kind: 'named',
      name: null,
      by: 'Alice',
      authors: [],
      inserted: 0,
      deleted: 0,
      length: 0,
      ...over,
    });

    it('Ctrl+S (and Cmd+S) asks for a version name, Enter saves it, and the browser’s dialog never opens', async () => {
      const fetchMock = vi.fn(async (url: string, init?: RequestInit) => {
        if (url.endsWith('/healthz')) return json({ status: 'ok', db: 'ok' });
        if (init?.method === 'POST' && url.endsWith('/versions')) {
          const body = JSON.parse(String(init.body)) as { name?: string };
          return json(version({ name: body.name ?? null }), 201);
        }
        return json(details);
      });
      vi.stubGlobal('fetch', fetchMock);
      const { store } = renderRoom('/room/room123456');
      await waitFor(() => expect(store.getState().room.status).toBe('ready'));
      const saves = () => fetchMock.mock.calls.filter(([url, init]) => init?.method === 'POST' && String(url).endsWith('/versions'));
      const press = new KeyboardEvent('keydown', { key: 's', ctrlKey: true, bubbles: true, cancelable: true });
      window.dispatchEvent(press);
      expect(press.defaultPrevented).toBe(true);
      const input = await screen.findByTestId('version-name');
      fireEvent.change(input, { target: { value: ' works with fixtures ' } });
      fireEvent.submit(input.closest('form')!);
      await waitFor(() => expect(store.getState().room.savedAt).toBe('2026-01-01T10:11:12Z'));
      expect(saves()).toHaveLength(1);
      expect(JSON.parse(String(saves()[0]?.[1]?.body))).toEqual({ by: 'Alice', name: 'works with fixtures' });
      expect(screen.queryByTestId('save-dialog')).toBeNull();
      expect(screen.getByTestId('confirmation').textContent).toMatch(/^Saved “works with fixtures”/);

      const mac = new KeyboardEvent('keydown', { key: 'S', metaKey: true, bubbles: true, cancelable: true });
      window.dispatchEvent(mac);
      expect(mac.defaultPrevented).toBe(true);
      fireEvent.submit((await screen.findByTestId('version-name')).closest('form')!);
      await waitFor(() => expect(saves()).toHaveLength(2));
      expect(JSON.parse(String(saves()[1]?.[1]?.body))).toEqual({ by: 'Alice' });
    });

    it('Escape closes the save dialog without saving', async () => {
      const fetchMock = vi.fn(async (url: string, _init?: RequestInit) => (url.endsWith('/healthz') ? json({ status: 'ok', db: 'ok' }) : json(details)));
      vi.stubGlobal('fetch', fetchMock);
      const { store } = renderRoom('/room/room123456');
      await waitFor(() => expect(store.getState().room.status).toBe('ready'));
      screen.getByTestId('save').click();
      const input = await screen.findByTestId('version-name');
      fireEvent.keyDown(input, { key: 'Escape' });
      expect(screen.queryByTestId('save-dialog')).toBeNull();
      expect(fetchMock.mock.calls.filter(([, init]) => init?.method === 'POST')).toEqual([]);
    });

    it('shows the server’s 409 limit_below_online clearly and keeps the old limit', async () => {
      stub(() => json({ error: { code: 'limit_below_online', message: '3 participants are online; the limit cannot go below that' } }, 409));
      const { store } = renderRoom('/room/room123456');
      const input = (await screen.findByTestId('capacity-input')) as HTMLInputElement;
      fireEvent.change(input, { target: { value: '2' } });
      fireEvent.click(screen.getByTestId('capacity-apply'));
      await waitFor(() =>
        expect(screen.getByTestId('capacity-error').textContent).toBe(
          'Capacity not changed: 3 participants are online; the limit cannot go below that. Pick at least the number of people online.',
        ),
      );
      expect(store.getState().room.limit).toBe(5);
      expect(input.value).toBe('5');
    });
  });

  describe('while the server’s database is down', () => {
    const details = {
      roomId: 'room123456',
      viewId: 'view123456',
      name: 'Kata',
      language: 'python',
      limit: 5,
      role: 'editor',
      code: '',
      participants: [],
      online: 0,
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
    };
    const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });
    const dbUnavailable = () => json({ error: { code: 'db_unavailable', message: 'the database is unavailable' } }, 503);
    const healthDown = () => json({ status: 'degraded', db: 'down', error: { code: 'db_unavailable', message: 'down' } }, 503);

    it('says the server is degraded and retries, instead of "room not found", until the room opens', async () => {
      let gets = 0;
      const fetchMock = vi.fn(async (url: string) => {
        if (url.endsWith('/healthz')) return json({ status: 'ok', db: 'ok' });
        gets++;
        return gets === 1 ? dbUnavailable() : json(details);
      });
      vi.stubGlobal('fetch', fetchMock);
      const { store } = renderRoom('/room/room123456');
      await waitFor(() => expect(screen.getByTestId('degraded-loading').textContent).toMatch(/database is unavailable.*Retrying in 1 s/));
      expect(screen.queryByTestId('room-error')).toBeNull();
      expect(store.getState().room).toMatchObject({ status: 'loading', degraded: true, retryInMs: 1000 });
      // The retry (after 1 s) finds the database back: the room opens and the notice goes.
      await waitFor(() => expect(store.getState().room.status).toBe('ready'), { timeout: 3_000 });
      expect(gets).toBe(2);
      await waitFor(() => expect(store.getState().room.degraded).toBe(false));
      expect(screen.queryByTestId('degraded-loading')).toBeNull();
      expect(screen.queryByTestId('degraded-banner')).toBeNull();
    });

    it('shows a small degraded notice on an open room while /healthz says the database is down', async () => {
      vi.stubGlobal(
        'fetch',
        vi.fn(async (url: string) => (url.endsWith('/healthz') ? healthDown() : json(details))),
      );
      const { store } = renderRoom('/room/room123456');
      await waitFor(() => expect(screen.getByTestId('degraded-banner').textContent).toMatch(/kept in memory and saved when the database is back/));
      expect(store.getState().room.status).toBe('ready');
      expect(screen.queryByTestId('room-error')).toBeNull();
    });

    it('shows no degraded notice while /healthz says the database is up', async () => {
      const fetchMock = vi.fn(async (url: string) => (url.endsWith('/healthz') ? json({ status: 'ok', db: 'ok' }) : json(details)));
      vi.stubGlobal('fetch', fetchMock);
      renderRoom('/room/room123456');
      await waitFor(() => expect(fetchMock.mock.calls.some(([url]) => String(url).endsWith('/healthz'))).toBe(true));
      expect(screen.queryByTestId('degraded-banner')).toBeNull();
    });

    it('a save refused with db_unavailable marks the server degraded', async () => {
      vi.stubGlobal(
        'fetch',
        vi.fn(async (url: string, init?: RequestInit) => {
          if (url.endsWith('/healthz')) return json({ status: 'ok', db: 'ok' });
          if (init?.method === 'POST' && url.endsWith('/versions')) return dbUnavailable();
          return json(details);
        }),
      );
      const { store } = renderRoom('/room/room123456');
      await waitFor(() => expect(store.getState().room.status).toBe('ready'));
      await waitFor(() => expect(store.getState().room.degraded).toBe(false));
      screen.getByTestId('save').click();
      fireEvent.submit((await screen.findByTestId('version-name')).closest('form')!);
      await waitFor(() => expect(screen.getByTestId('degraded-banner')).toBeTruthy());
      expect(screen.getByTestId('save-error').textContent).toMatch(/database is unavailable/);
    });
  });
  describe('history', () => {
    const details = {
      roomId: 'room123456',
      viewId: 'view123456',
      name: 'Kata',
      language: 'python',
      limit: 5,
      role: 'editor',
      participants: [],
      online: 1,
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
    };
    const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });
    const summary = {
      id: 5,
      at: '2026-01-01T10:11:12Z',
      kind: 'named',
      name: 'green',
      by: 'Alice',
      authors: [{ name: 'Alice', color: '#ff6b6b' }],
      inserted: 12,
      deleted: 3,
      length: 9,
    };

    function stubHistory(room: Record<string, unknown>) {
      const fetchMock = vi.fn(async (url: string, _init?: RequestInit) => {
        if (url.endsWith('/healthz')) return json({ status: 'ok', db: 'ok' });
        if (/\/versions\?/.test(url)) return json({ versions: [summary] });
        if (/\/versions\/5$/.test(url)) return json({ ...summary, text: 'old text', language: 'python' });
        if (url.endsWith('/blame')) return json({ version: null, length: 3, ranges: [{ start: 0, end: 3, author: 'Alice', color: '#ff6b6b', at: null }], authors: [{ name: 'Alice', color: '#ff6b6b', chars: 3 }] });
        return json(room);
      });
      vi.stubGlobal('fetch', fetchMock);
      return fetchMock;
    }

    it('the History button opens the timeline, loaded from the server', async () => {
      const fetchMock = stubHistory(details);
      const { store } = renderRoom('/room/room123456');
      fireEvent.click(await screen.findByTestId('history-toggle'));
      await waitFor(() => expect(screen.getAllByTestId('version-item')).toHaveLength(1));
      expect(screen.getByTestId('version-item').textContent).toContain('Saved: green');
      expect(fetchMock.mock.calls.some(([url]) => /\/rooms\/room123456\/versions\?limit=\d+$/.test(String(url)))).toBe(true);
      fireEvent.click(screen.getByTestId('version-item'));
      expect(store.getState().history.selectedId).toBe(5);
      expect((await screen.findByTestId('version-diff')).dataset.original).toBe('old text');
      expect(screen.getByTestId('restore')).toBeTruthy();
      fireEvent.click(screen.getByTestId('history-close'));
      expect(screen.queryByTestId('history-panel')).toBeNull();
    });

    it('viewers open History by the view id and see why they cannot restore or fork', async () => {
      const fetchMock = stubHistory({ ...details, roomId: undefined, role: 'viewer' });
      renderRoom('/watch/view123456');
      fireEvent.click(await screen.findByTestId('history-toggle'));
      fireEvent.click(await screen.findByTestId('version-item'));
      await screen.findByTestId('version-diff');
      expect(screen.queryByTestId('restore')).toBeNull();
      expect(screen.getByTestId('edit-only-reason').textContent).toMatch(/edit link/);
      expect(fetchMock.mock.calls.some(([url]) => String(url).includes('/rooms/view123456/versions'))).toBe(true);
      expect(fetchMock.mock.calls.filter(([, init]) => init?.method === 'POST')).toEqual([]);
    });

    it('a forked room links to its parent’s view link', async () => {
      stubHistory({ ...details, parent: { viewId: 'parentview1', name: 'Original', version: 5 } });
      renderRoom('/room/room123456');
      const banner = await screen.findByTestId('forked-from');
      expect(banner.textContent).toBe('forked from Original');
      expect(banner.querySelector('a')?.getAttribute('href')).toBe('/watch/parentview1');
    });

    it('the Authorship toggle asks the server who wrote what', async () => {
      const fetchMock = stubHistory(details);
      const { store } = renderRoom('/room/room123456');
      fireEvent.click(await screen.findByTestId('authorship-toggle'));
      expect(store.getState().history.authorship).toBe(true);
      await waitFor(() => expect(fetchMock.mock.calls.some(([url]) => String(url).endsWith('/rooms/room123456/blame'))).toBe(true));
      expect(screen.getByTestId('authorship-toggle').getAttribute('aria-pressed')).toBe('true');
      expect((await screen.findByTestId('authorship-legend')).textContent).toBe('written by Alice');
      fireEvent.click(screen.getByTestId('authorship-toggle'));
      expect(screen.queryByTestId('authorship-legend')).toBeNull();
    });
  });
});
