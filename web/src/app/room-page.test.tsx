import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import { Route, Routes } from 'react-router';
import { renderWithProviders } from '../testing/render-with-providers';
import { makeStore } from './store';

// Monaco does not run in jsdom; the page is tested around it.
vi.mock('../features/editor/editor', () => ({ CodeEditor: () => <div data-testid="editor" /> }));
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
  });
});
