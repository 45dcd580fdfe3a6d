import {
  checkDisplayName,
  isLanguage,
  isRoomId,
  ROOM_LIMIT_MAX,
  ROOM_LIMIT_MIN,
  type Language,
  type RoomLink,
} from '@pairpad/shared';

export interface CreateForm {
  displayName: string;
  roomName: string;
  language: string;
  limit: string;
}

export type CreateErrors = Partial<Record<keyof CreateForm, string>>;

export interface ValidCreate {
  displayName: string;
  roomName?: string;
  language: Language;
  limit: number;
}

/** Checks the create form with the same limits the server applies; no request goes out while this fails. */
export function validateCreate(form: CreateForm): { ok: true; value: ValidCreate } | { ok: false; errors: CreateErrors } {
  const errors: CreateErrors = {};
  const name = checkDisplayName(form.displayName);
  if (!name.ok) errors.displayName = capitalize(name.message);
  if (!isLanguage(form.language)) errors.language = 'Pick a language from the list';
  const limit = Number(form.limit.trim());
  if (form.limit.trim() === '' || !Number.isInteger(limit) || limit < ROOM_LIMIT_MIN || limit > ROOM_LIMIT_MAX) {
    errors.limit = `Capacity must be a whole number from ${ROOM_LIMIT_MIN} to ${ROOM_LIMIT_MAX}`;
  }
  const roomName = form.roomName.trim();
  if (roomName.length > 100) errors.roomName = 'Room name must be at most 100 characters';
  if (Object.keys(errors).length > 0 || !name.ok || !isLanguage(form.language)) return { ok: false, errors };
  return {
    ok: true,
    value: { displayName: name.name, language: form.language, limit, ...(roomName ? { roomName } : {}) },
  };
}

/**
 * Reads what was pasted into "join": a bare id, or a link to a room on this very server
 * (`origin`, the page's own): `/room/<id>` or `/watch/<id>`, with or without query or hash.
 * A link to another site is refused with a reason rather than followed to this server's room
 * of the same id (which would be a different room, or a stranger's).
 */
export function readJoinLink(input: string, origin: string): { ok: true; link: RoomLink } | { ok: false; message: string } {
  const text = input.trim();
  if (!text) return { ok: false, message: 'Paste a room id, an edit link or a view link' };
  if (isBareId(text)) return { ok: true, link: { kind: 'edit', id: text } };
  let url: URL;
  try {
    url = text.startsWith('/') ? new URL(text, origin) : new URL(text);
  } catch {
    return { ok: false, message: 'That is not a room id or a pairpad link' };
  }
  if (!/^https?:$/.test(url.protocol)) return { ok: false, message: 'That is not a room id or a pairpad link' };
  let own: URL | null = null;
  try {
    own = new URL(origin);
  } catch {
    own = null;
  }
  if (!own || url.origin !== own.origin) {
    return {
      ok: false,
      message: `That link is for ${url.host}, not this pairpad server (${own?.host ?? origin}). Paste a link to this server, or just the room id`,
    };
  }
  const match = /^\/(room|watch)\/([^/]+)\/?$/.exec(url.pathname);
  if (!match || !match[2]) return { ok: false, message: 'That link is not a room link: it should end in /room/<id> or /watch/<id>' };
  if (!isRoomId(match[2])) return { ok: false, message: 'That link has no valid room id (6-64 letters, digits, _ or -)' };
  return { ok: true, link: { kind: match[1] === 'watch' ? 'watch' : 'edit', id: match[2] } };
}

export function validateJoin(
  displayName: string,
  link: string,
  origin: string = typeof window === 'undefined' ? '' : window.location.origin,
): { ok: true; displayName: string; link: RoomLink } | { ok: false; errors: { displayName?: string; link?: string } } {
  const errors: { displayName?: string; link?: string } = {};
  const name = checkDisplayName(displayName);
  if (!name.ok) errors.displayName = capitalize(name.message);
  const parsed = readJoinLink(link, origin);
  if (!parsed.ok) errors.link = parsed.message;
  if (!name.ok || !parsed.ok) return { ok: false, errors };
  return { ok: true, displayName: name.name, link: parsed.link };
}

/** isRoomId without its type guard: a string that is not an id is still a string (maybe a link). */
function isBareId(text: string): boolean {
  return isRoomId(text);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
