import type { ReactElement, ReactNode } from 'react';
import { render, type RenderOptions } from '@testing-library/react';
import { Provider } from 'react-redux';
import { MemoryRouter } from 'react-router';
import { makeStore, type AppStore } from '../app/store';

export interface ProvidersOptions extends Omit<RenderOptions, 'wrapper'> {
  store?: AppStore;
  route?: string;
}

/** Renders with a real store (pass `makeStore(state)`) and a memory router at `route`. */
export function renderWithProviders(ui: ReactElement, { store = makeStore(), route = '/', ...options }: ProvidersOptions = {}) {
  const Wrapper = ({ children }: { children: ReactNode }): ReactElement => (
    <Provider store={store}>
      <MemoryRouter initialEntries={[route]}>{children}</MemoryRouter>
    </Provider>
  );
  return { store, ...render(ui, { wrapper: Wrapper, ...options }) };
}
