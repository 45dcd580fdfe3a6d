import type { Language, Participant, Role } from '@pairpad/shared';

/**
 * Why the room ends a member's connection. The room says why; sync/refusals.ts decides what the
 * client sees (close code and reason), so no wire code lives in the room.
 */
export type DismissalReason =
  /** A reconnect carrying the same session id took this member's seat. */
  | 'replaced'
  /** Its name was asked for by a newcomer and it did not answer a ping in time. */
  | 'unresponsive'
  | 'shutting_down';

/**
 * One connected participant, on either endpoint. Sessions implement it; the room calls these to
 * deliver fan-out, and never needs to know the transport.
 */
export interface RoomMember {
  /** Unique per connection. */
  readonly connectionId: string;
  readonly name: string;
  readonly role: Role;
  /** The browser's session id, if it sent one: lets a reconnect replace a stale socket. */
  readonly sessionId: string | null;
  /** The browser's person id, if it sent one: its other tabs may be online under the same name. */
  readonly personId?: string | null;
  /** True when the member presented the view capability (it may only ever watch). */
  readonly viaViewId: boolean;
  readonly kind: 'yjs' | 'lww';
  /** Binary y-websocket frame (Yjs members). */
  sendBinary?(message: Uint8Array): void;
  /** Full document text after a change (LWW members); `from` is the last author. */
  deliverText?(text: string, from: string): void;
  /** Roster changed (LWW members; Yjs members get it through awareness). */
  deliverPresence?(participants: Participant[]): void;
  /** Someone typed (LWW members). */
  deliverTyping?(name: string): void;
  /** The room's name or language changed (LWW members; Yjs members see the `meta` map). */
  deliverMeta?(meta: { name: string; language: Language; limit: number }): void;
  /** Resolves false (and cuts the socket) if the client no longer answers a ping in time. */
  probe?(timeoutMs: number): Promise<boolean>;
  /** Ends the connection; the room has already let the member go or will not keep it. */
  dismiss(reason: DismissalReason): void;
}

/** Who asks to join: enough to decide admission before a session exists. */
export type JoinRequest = Pick<RoomMember, 'name' | 'sessionId' | 'role' | 'viaViewId' | 'personId'>;

/**
 * Why a join was refused. sync/refusals.ts maps each to a close code and an error code; the
 * message is the human sentence that goes with it.
 */
export type AdmissionRefusalReason =
  | 'name_taken'
  | 'room_full'
  /** Seats left are kept for editors (see EDITOR_SEATS_KEPT in admission.ts). */
  | 'viewer_seats_full'
  | 'shutting_down'
  /** The server holds as many rooms in memory as it may. */
  | 'server_busy';

export interface AdmissionRefusal {
  ok: false;
  reason: AdmissionRefusalReason;
  message: string;
}
