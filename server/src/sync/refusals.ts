import { CloseCode, type CloseCodeValue, type ErrorCode } from '@pairpad/shared';
import type { AdmissionRefusalReason, DismissalReason } from '../rooms/member';

/** What a refused client sees: the close code, and the error code LWW clients get before it. */
export interface SocketRefusal {
  closeCode: CloseCodeValue;
  /** Absent where clients are expected to just reconnect later. */
  errorCode?: ErrorCode;
}

const ADMISSION_REFUSALS: Readonly<Record<AdmissionRefusalReason, SocketRefusal>> = {
  name_taken: { closeCode: CloseCode.NameTaken, errorCode: 'name_taken' },
  room_full: { closeCode: CloseCode.RoomFullOrRateLimited, errorCode: 'room_full' },
  viewer_seats_full: { closeCode: CloseCode.RoomFullOrRateLimited, errorCode: 'room_full' },
  shutting_down: { closeCode: CloseCode.GoingAway },
  server_busy: { closeCode: CloseCode.RoomFullOrRateLimited, errorCode: 'rate_limited' },
};

/** The one mapping from why the room refused a join to what the client sees (CONTRACT.md). */
export function admissionRefusal(reason: AdmissionRefusalReason): SocketRefusal {
  return ADMISSION_REFUSALS[reason];
}

const DISMISSALS: Readonly<Record<DismissalReason, { closeCode: CloseCodeValue; message: string }>> = {
  replaced: { closeCode: CloseCode.NameTaken, message: 'replaced by a newer connection of the same session' },
  unresponsive: { closeCode: CloseCode.GoingAway, message: 'did not answer a ping' },
  shutting_down: { closeCode: CloseCode.GoingAway, message: 'server shutting down' },
  owner_moved: { closeCode: CloseCode.ServiceRestart, message: 'the room moved to another instance; reconnect' },
  room_deleted: { closeCode: CloseCode.RoomNotFound, message: 'room not found' },
};

/** The close code and reason for a member the room lets go. */
export function dismissal(reason: DismissalReason): { closeCode: CloseCodeValue; message: string } {
  return DISMISSALS[reason];
}
