import {
  checkDisplayName,
  isLanguage,
  parseRoomLink,
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

export function validateJoin(
  displayName: string,
  link: string,
): { ok: true; displayName: string; link: RoomLink } | { ok: false; errors: { displayName?: string; link?: string } } {
  const errors: { displayName?: string; link?: string } = {};
  const name = checkDisplayName(displayName);
  if (!name.ok) errors.displayName = capitalize(name.message);
  const parsed = link.trim() ? parseRoomLink(link) : null;
  if (!link.trim()) errors.link = 'Paste a room id, an edit link or a view link';
  else if (!parsed) errors.link = 'That is not a room id or a pairpad link';
  if (!name.ok || !parsed) return { ok: false, errors };
  return { ok: true, displayName: name.name, link: parsed };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
