import type { Participant, Role } from './api';

/** y-websocket top-level message types (first varuint of every binary frame). */
export const YMessageType = {
  Sync: 0,
  Awareness: 1,
  Auth: 2,
  QueryAwareness: 3,
} as const;

/** Shared type names inside every room's Y.Doc. */
export const DOC_TEXT_KEY = 'code';
export const DOC_META_KEY = 'meta';

/**
 * Keys of the `meta` Y.Map that every client renders live. `limit` (the room's capacity,
 * 2..20) is written by the server only: it changes through `PATCH /rooms/:id`, and a client's
 * write to it is put back, so it never bypasses the 409 `limit_below_online` check.
 */
export const META_KEYS = { language: 'language', name: 'name', limit: 'limit' } as const;

/** What each client publishes under `user` in its awareness state. */
export interface AwarenessUser {
  name: string;
  color: string;
  role: Role;
}

/**
 * The server publishes the room roster in its own awareness state under this key, so Yjs
 * clients also see participants on the LWW endpoint and people who went offline.
 * Clients skip this entry when drawing cursors.
 */
export const SERVER_AWARENESS_KEY = 'pairpad';

export interface ServerAwarenessState {
  participants: Participant[];
}
