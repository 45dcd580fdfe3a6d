import type { AdmissionRefusal, JoinRequest, RoomMember } from './member';

/**
 * Seats a room keeps for editors while fewer are online (at most its capacity less one): viewers
 * count toward the limit, and without this a view link could fill the room and lock the pair out.
 */
const EDITOR_SEATS_KEPT = 2;

/** A refusal for a name already online names that member, so the caller can check it is alive. */
export type AdmitResult =
  | { ok: true; replaced: RoomMember | null }
  | (AdmissionRefusal & { nameTakenBy?: RoomMember });

/**
 * Whether a candidate may join a room with these members and this capacity. A reconnect carrying
 * the session id of an online member replaces that member instead of taking another seat.
 */
export function decideAdmission(members: ReadonlyMap<string, RoomMember>, capacity: number, candidate: JoinRequest): AdmitResult {
  let replaced: RoomMember | null = null;
  if (candidate.sessionId) {
    for (const member of members.values()) {
      // Only the same kind of seat: a view link presenting an editor's session id must not
      // kick that editor out.
      if (member.sessionId === candidate.sessionId && member.role === candidate.role && member.viaViewId === candidate.viaViewId) {
        replaced = member;
        break;
      }
    }
  }
  let editorsOnline = 0;
  for (const member of members.values()) {
    if (member === replaced) continue;
    // The same person in another tab (same browser identity, same link) is not a clash; a
    // view link presenting an editor's identity is, or it could watch under the editor's name.
    const samePerson = Boolean(candidate.personId) && member.personId === candidate.personId && member.role === candidate.role && member.viaViewId === candidate.viaViewId;
    if (member.name === candidate.name && !samePerson) {
      return { ok: false, reason: 'name_taken', message: 'display name already online in this room', nameTakenBy: member };
    }
    if (member.role === 'editor') editorsOnline++;
  }
  if (replaced) return { ok: true, replaced };
  if (members.size >= capacity) {
    return { ok: false, reason: 'room_full', message: `room is full (limit ${capacity})` };
  }
  if (candidate.role === 'viewer') {
    const kept = Math.max(0, Math.min(EDITOR_SEATS_KEPT, capacity - 1) - editorsOnline);
    if (members.size >= capacity - kept) {
      return { ok: false, reason: 'viewer_seats_full', message: `room is full for viewers (limit ${capacity}, ${kept} seat(s) kept for editors)` };
    }
  }
  return { ok: true, replaced: null };
}
