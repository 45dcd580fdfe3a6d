import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { makeStore } from './app/store';
import { initialSessionState } from './features/rooms/session-slice';
import { loadDisplayName, loadSessionId } from './features/rooms/storage';
import './styles.css';

const store = makeStore({
  session: { ...initialSessionState, displayName: loadDisplayName(), sessionId: loadSessionId() },
});

const root = document.getElementById('root');
if (!root) throw new Error('missing #root');
createRoot(root).render(
  <StrictMode>
    <App store={store} />
  </StrictMode>,
);
