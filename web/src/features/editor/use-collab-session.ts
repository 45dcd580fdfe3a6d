import { useEffect, useState } from 'react';
import type { Role } from '@pairpad/shared';
import { socketUrl } from '../../config/env';
import { useLatest } from '../../lib/use-latest';
import { CollabSession, type ProviderFactory } from './collab-session';
import { LwwSession } from './lww-session';
import type { RoomSession, SessionCallbacks } from './room-session';
import type { SyncMode } from './connection-slice';

export interface CollabSessionParams {
  /** roomId or viewId; null until the room is known to exist. */
  id: string | null;
  role: Role;
  name: string;
  sessionId: string;
  color: string;
  mode: SyncMode;
  /** Bumped to force a fresh session (e.g. after a fatal close and a new name). */
  attempt?: number;
  createProvider?: ProviderFactory;
}

/**
 * Owns the session for the lifetime of the room page: creates it when the parameters are
 * complete, destroys it on leave or when they change. Callbacks may change every render.
 */
export function useCollabSession(params: CollabSessionParams, callbacks: SessionCallbacks): RoomSession | null {
  const [session, setSession] = useState<RoomSession | null>(null);
  const callbacksRef = useLatest(callbacks);
  const providerRef = useLatest(params.createProvider);
  const { id, role, name, sessionId, color, mode, attempt } = params;

  useEffect(() => {
    if (!id || !name || !sessionId) return;
    const relay: SessionCallbacks = {
      onStatus: (status) => callbacksRef.current.onStatus(status),
      onSynced: () => callbacksRef.current.onSynced(),
      onFatal: (close) => callbacksRef.current.onFatal(close),
      onPeers: (peers) => callbacksRef.current.onPeers(peers),
      onMeta: (meta) => callbacksRef.current.onMeta(meta),
      onOfflineEdit: () => callbacksRef.current.onOfflineEdit(),
      onSaveState: (state) => callbacksRef.current.onSaveState?.(state),
    };
    const created: RoomSession =
      mode === 'lww'
        ? new LwwSession({ id, name, sessionId, role, serverUrl: socketUrl('/ws'), callbacks: relay })
        : new CollabSession({
            id,
            name,
            sessionId,
            role,
            color,
            serverUrl: socketUrl('/yjs'),
            callbacks: relay,
            createProvider: providerRef.current,
          });
    setSession(created);
    return () => {
      created.destroy();
      setSession(null);
    };
  }, [id, role, name, sessionId, color, mode, attempt, callbacksRef, providerRef]);

  return session;
}
