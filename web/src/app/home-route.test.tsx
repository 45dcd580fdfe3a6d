import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { Route, Routes } from 'react-router';
import { renderWithProviders } from '../testing/render-with-providers';
import { makeStore } from './store';
import { HomeRoute } from './home-route';

afterEach(() => {
  vi.unstubAllGlobals();
  localStorage.clear();
});

function renderHome(displayName = '') {
  return renderWithProviders(
    <Routes>
      <Route path="/" element={<HomeRoute />} />
      <Route path="/room/:roomId" element={<p data-testid="at-room">room</p>} />
      <Route path="/watch/:viewId" element={<p data-testid="at-watch">watch</p>} />
    </Routes>,
    { store: makeStore({ session: { displayName, sessionId: 's1' } }) },
  );
}

describe('home page', () => {
  it('shows inline errors and sends no request while the form is invalid', () => {
    const fetch = vi.fn();
    vi.stubGlobal('fetch', fetch);
    renderHome('Al');
    fireEvent.change(screen.getByTestId('create-limit'), { target: { value: '25' } });
    fireEvent.click(screen.getByTestId('create-room'));
    expect(screen.getByTestId('display-name-error').textContent).toMatch(/3-32/);
    expect(screen.getByTestId('create-limit-error').textContent).toMatch(/2 to 20/);
    expect(fetch).not.toHaveBeenCalled();
    // errors follow the keystrokes once shown
    fireEvent.change(screen.getByTestId('display-name'), { target: { value: 'Alice' } });
    expect(screen.queryByTestId('display-name-error')).toBeNull();
  });

  it('creates a room, remembers the name and opens the room', async () => {
    const fetch = vi.fn(async () =>
      new Response(JSON.stringify({ roomId: 'abcdefgh12', viewId: 'viewviewvv', name: 'x', language: 'go', limit: 3 }), {
        status: 201,
        headers: { 'content-type': 'application/json' },
      }),
    );
    vi.stubGlobal('fetch', fetch);
    const { store } = renderHome();
    fireEvent.change(screen.getByTestId('display-name'), { target: { value: ' Alice ' } });
    fireEvent.change(screen.getByTestId('create-language'), { target: { value: 'go' } });
    fireEvent.change(screen.getByTestId('create-limit'), { target: { value: '3' } });
    fireEvent.click(screen.getByTestId('create-room'));
    await waitFor(() => expect(screen.getByTestId('at-room')).toBeTruthy());
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/rooms');
    expect(JSON.parse(String(init.body))).toEqual({ language: 'go', limit: 3 });
    expect(store.getState().session.displayName).toBe('Alice');
    expect(localStorage.getItem('pairpad.name')).toBe('Alice');
  });

  it('joins by pasting a view link', () => {
    renderHome('Bobby');
    fireEvent.change(screen.getByTestId('join-link'), { target: { value: `${window.location.origin}/watch/VIEWid99` } });
    fireEvent.click(screen.getByTestId('join-room'));
    expect(screen.getByTestId('at-watch')).toBeTruthy();
  });

  it('refuses a link to another site and says why, instead of opening our room of that id', () => {
    renderHome('Bobby');
    fireEvent.change(screen.getByTestId('join-link'), { target: { value: 'https://example.com/room/abcdefgh' } });
    fireEvent.click(screen.getByTestId('join-room'));
    expect(screen.queryByTestId('at-room')).toBeNull();
    expect(screen.getByTestId('join-link-error').textContent).toMatch(/example\.com, not this pairpad server/);
  });

  it('rejects something that is not a link', () => {
    renderHome('Bobby');
    fireEvent.change(screen.getByTestId('join-link'), { target: { value: 'nope' } });
    fireEvent.click(screen.getByTestId('join-room'));
    expect(screen.getByTestId('join-link-error').textContent).toMatch(/not a room id/);
  });
});
