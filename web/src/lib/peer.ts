import type { Role } from '@pairpad/shared';

/**
 * One person in the room as the presence panel shows them: plain data, produced by the collab
 * session from awareness and the server's roster, and kept in Redux by the presence slice.
 */
export interface Peer {
  /** Yjs client id while online through /yjs; null for offline rows and LWW peers. */
  clientId: number | null;
  name: string;
  color: string;
  role: Role;
  online: boolean;
  typing: boolean;
  self: boolean;
}
