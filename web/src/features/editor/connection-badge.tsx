import type { ReactElement } from 'react';
import type { ConnectionStatus } from './connection-slice';

const LABELS: Record<ConnectionStatus, string> = {
  connecting: 'connecting',
  connected: 'connected',
  reconnecting: 'reconnecting',
  offline: 'offline',
};

export function ConnectionBadge({ status }: { status: ConnectionStatus }): ReactElement {
  return (
    <span className={`badge badge-${status}`} data-testid="connection-status" data-status={status} role="status">
      <span className="badge-dot" aria-hidden="true" />
      {LABELS[status]}
    </span>
  );
}
