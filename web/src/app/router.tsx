import { lazy, Suspense, type ReactElement } from 'react';
import { Link, Route, Routes } from 'react-router';
import { HomeRoute } from './home-route';

// Monaco is most of the bundle: the home page does not wait for it.
const RoomPage = lazy(() => import('./room-page').then((module) => ({ default: module.RoomPage })));

function Loading(): ReactElement {
  return (
    <main className="center-screen">
      <p className="muted" data-testid="page-loading">
        Loading editor…
      </p>
    </main>
  );
}

export function AppRoutes(): ReactElement {
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route path="/" element={<HomeRoute />} />
        <Route path="/room/:roomId" element={<RoomPage />} />
        <Route path="/watch/:viewId" element={<RoomPage />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </Suspense>
  );
}

function NotFound(): ReactElement {
  return (
    <main className="center-screen">
      <div className="card error-card" data-testid="not-found">
        <h1>Page not found</h1>
        <p>There is nothing at this address.</p>
        <Link className="button primary" to="/">
          Back to home
        </Link>
      </div>
    </main>
  );
}
