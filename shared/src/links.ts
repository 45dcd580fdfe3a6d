import { isRoomId } from './limits';

export type RoomLink = { kind: 'edit'; id: string } | { kind: 'watch'; id: string };

/**
 * Reads what a user pasted into "join": a bare id, an edit link (/room/ID) or a view link
 * (/watch/ID), with or without host, query or hash. Null when it is none of those.
 */
export function parseRoomLink(input: string): RoomLink | null {
  const text = input.trim();
  if (isRoomId(text)) return { kind: 'edit', id: text };
  const match = /(?:^|\/)(room|watch)\/([A-Za-z0-9_-]{6,64})(?=$|[/?#])/.exec(text);
  if (!match || !match[1] || !match[2]) return null;
  return { kind: match[1] === 'watch' ? 'watch' : 'edit', id: match[2] };
}
