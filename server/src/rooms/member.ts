import type { Role } from '@pairpad/shared';

/**
 * Why the room ends a member's connection. The room says why; sync/refusals.ts decides what the
 * client sees (close code and reason), so no wire code lives in the room.
 */
export type DismissalReason =
  /** A reconnect carrying the same session id took this member's seat. */
  | 'replaced'
  /** Its name was asked for by a newcomer and it did not answer a ping in time. */
  | 'unresponsive'
  | 'shutting_down'
  /** Another instance serves the room now (several instances): reconnect to reach it. */
  | 'owner_moved'
  /** The room was deleted (idle clean-up) while loaded. */
  | 'room_deleted';

/**
 * One connected participant, on either endpoint. Sessions implement it; the room calls these to
 * deliver fan-out, and never needs to know the transport. What else the simple-sync endpoint
 * needs, it takes from the room's events (sync/lww-fan-out.ts).
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
  /** A y-websocket frame, encoded once for every member; members that speak another protocol ignore it. */
  sendBinary?(message: Uint8Array): void;
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
