import type { ReactElement } from 'react';
import { Link, Route, Routes } from 'react-router';
import { HomeRoute } from './home-route';
import { RoomPage } from './room-page';

export function AppRoutes(): ReactElement {
  return (
    <Routes>
      <Route path="/" element={<HomeRoute />} />
      <Route path="/room/:roomId" element={<RoomPage />} />
      <Route path="/watch/:viewId" element={<RoomPage />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
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
