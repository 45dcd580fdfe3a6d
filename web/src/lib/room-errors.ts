import { CloseCode } from '@pairpad/shared';
import { ApiError } from './api-error';

/**
 * Every failure the room page can meet, classified once: WebSocket close codes from both sync
 * modes and HTTP error codes from the REST API, each turned into what the page shows and
 * whether trying again can help. The sessions ask `isFatalClose`, the page `describeRoomError`.
 */

/** Close codes after which reconnecting cannot help: the server said no. */
export const FATAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  // An edit the room cannot take: reconnecting would send it again, forever.
  CloseCode.MessageTooLarge,
  CloseCode.RoomNotFound,
  CloseCode.NameTaken,
  CloseCode.RoomFullOrRateLimited,
  CloseCode.Policy,
]);

export function isFatalClose(code: number): boolean {
  return FATAL_CLOSE_CODES.has(code);
}

export interface RoomError {
  /** Machine code: an ErrorCode from the API, or a close code as text ("4404"). */
  code: string;
  title: string;
  message: string;
  /** Loading the page again may work (a full room, a server that was unreachable or failing). */
  retryable: boolean;
  /** Joining again under another name may work. */
  nameTaken: boolean;
}

/** Codes after which the same request may succeed later; everything else is a dead end. */
const RETRYABLE = new Set([
  'network_error',
  String(CloseCode.MessageTooLarge),
  String(CloseCode.RoomFullOrRateLimited),
  'room_full',
  'rate_limited',
  'unknown',
  'http_error',
  'internal_error',
  'db_unavailable',
]);

const NAME_TAKEN = new Set([String(CloseCode.NameTaken), 'name_taken']);

/** Friendly text for what the server said; the code stays machine-readable for tests and logs. */
export function describeRoomError(code: string | number, details: { limit?: number; name?: string; reason?: string } = {}): RoomError {
  const key = String(code);
  return { code: key, ...describe(key, details), retryable: RETRYABLE.has(key), nameTaken: NAME_TAKEN.has(key) };
}

/** The machine code of a failed API call ('network_error' when the server was unreachable). */
export function errorCodeOf(error: unknown): string {
  return error instanceof ApiError ? error.code : 'unknown';
}

/** True when the server refused a call because its database is unavailable (a retry may succeed). */
export function isDbUnavailable(error: unknown): boolean {
  return errorCodeOf(error) === 'db_unavailable';
}

/** What the page says when a change to a live room was refused; `dbDown` also marks the server degraded. */
export function describeRefusal(action: 'name' | 'language' | 'limit' | 'save', error: unknown): { message: string; dbDown: boolean } {
  const dbDown = isDbUnavailable(error);
  if (action === 'save') {
    return {
      dbDown,
      message: dbDown
        ? 'Save failed: the server’s database is unavailable. Your edits are kept in its memory and saved when the database is back.'
        : 'Save failed. Your edits are still synced live; try again in a moment.',
    };
  }
  if (action === 'limit') {
    if (dbDown) return { dbDown, message: 'Capacity not changed: the server’s database is unavailable. Try again when it is back.' };
    if (error instanceof ApiError && error.code === 'limit_below_online') {
      return { dbDown, message: `Capacity not changed: ${error.message}. Pick at least the number of people online.` };
    }
    if (error instanceof ApiError) return { dbDown, message: `Capacity not changed: ${error.message}` };
    return { dbDown, message: 'Capacity not changed: the server could not be reached.' };
  }
  return {
    dbDown,
    message: dbDown
      ? `The new ${action} could not be stored: the server’s database is unavailable. Try again when it is back.`
      : `The server did not take the new ${action}.`,
  };
}

function describe(key: string, details: { limit?: number; name?: string; reason?: string }): { title: string; message: string } {
  switch (key) {
    case String(CloseCode.RoomNotFound):
    case 'room_not_found':
    case 'not_found':
      return { title: 'Room not found', message: 'This room does not exist, or the link was mistyped. Check the link or create a new room.' };
    case String(CloseCode.NameTaken):
    case 'name_taken':
      return {
        title: 'That name is taken',
        message: `Someone${details.name ? ` called “${details.name}”` : ' with your name'} is already in this room. Pick another name to join.`,
      };
    case String(CloseCode.RoomFullOrRateLimited):
    case 'room_full':
    case 'rate_limited':
      return {
        title: 'Room is full',
        message: `This room is at its limit${details.limit ? ` of ${details.limit} people` : ''} (or you reconnected too fast). Try again in a moment.`,
      };
    case String(CloseCode.Policy):
    case 'forbidden':
      return {
        title: 'Not allowed',
        message: details.reason
          ? `The server refused this connection: ${details.reason}.`
          : 'This link does not allow that. A view link can only watch the room.',
      };
    case String(CloseCode.MessageTooLarge):
    case 'message_too_large':
    case 'document_too_large':
      return {
        title: 'Change too large',
        message:
          'Your last change was too large for this room (a room holds at most a few megabytes), so the server did not take it. Reconnect to go on editing: the room has everything else, and that change is left out.',
      };
    case 'network_error':
      return { title: 'Server unreachable', message: 'The pairpad server cannot be reached. Check your connection and try again.' };
    default:
      return { title: 'Something went wrong', message: 'The room could not be opened. Try again, or go back and create a new one.' };
  }
}
