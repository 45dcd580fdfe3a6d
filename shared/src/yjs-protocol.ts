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

/** Keys of the `meta` Y.Map that every client renders live. */
export const META_KEYS = { language: 'language', name: 'name' } as const;

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
