import { CloseCode } from '@pairpad/shared';
import type { RoomError } from './room-slice';

/** Friendly text for what the server said; the code stays machine-readable for tests and logs. */
export function describeRoomError(
  code: string | number,
  details: { limit?: number; name?: string; reason?: string } = {},
): RoomError {
  const key = String(code);
  switch (key) {
    case String(CloseCode.RoomNotFound):
    case 'room_not_found':
    case 'not_found':
      return { code: key, title: 'Room not found', message: 'This room does not exist, or the link was mistyped. Check the link or create a new room.' };
    case String(CloseCode.NameTaken):
    case 'name_taken':
      return {
        code: key,
        title: 'That name is taken',
        message: `Someone${details.name ? ` called “${details.name}”` : ' with your name'} is already in this room. Pick another name to join.`,
      };
    case String(CloseCode.RoomFullOrRateLimited):
    case 'room_full':
    case 'rate_limited':
      return {
        code: key,
        title: 'Room is full',
        message: `This room is at its limit${details.limit ? ` of ${details.limit} people` : ''} (or you reconnected too fast). Try again in a moment.`,
      };
    case String(CloseCode.Policy):
    case 'forbidden':
      return {
        code: key,
        title: 'Not allowed',
        message: details.reason
          ? `The server refused this connection: ${details.reason}.`
          : 'This link does not allow that. A view link can only watch the room.',
      };
    case String(CloseCode.MessageTooLarge):
    case 'message_too_large':
    case 'document_too_large':
      return {
        code: key,
        title: 'Change too large',
        message:
          'Your last change was too large for this room (a room holds at most a few megabytes), so the server did not take it. Reconnect to go on editing: the room has everything else, and that change is left out.',
      };
    case 'network_error':
      return { code: key, title: 'Server unreachable', message: 'The pairpad server cannot be reached. Check your connection and try again.' };
    default:
      return { code: key, title: 'Something went wrong', message: 'The room could not be opened. Try again, or go back and create a new one.' };
  }
}
