/** Room and view ids: URL-safe capabilities. Knowing a roomId lets you edit. */
export const ROOM_ID_PATTERN = '^[A-Za-z0-9_-]{6,64}$';
const roomIdRegex = new RegExp(ROOM_ID_PATTERN);

export function isRoomId(value: unknown): value is string {
  return typeof value === 'string' && roomIdRegex.test(value);
}

/** Server-generated ids: 16 base64url characters = 96 random bits (contract asks for >= 72). */
export const GENERATED_ID_LENGTH = 16;

export const NAME_MIN_LENGTH = 3;
export const NAME_MAX_LENGTH = 32;
export const ROOM_NAME_MAX_LENGTH = 100;

export const ROOM_LIMIT_MIN = 2;
export const ROOM_LIMIT_MAX = 20;
export const ROOM_LIMIT_DEFAULT = 5;

export const LANGUAGES = [
  'plaintext',
  'javascript',
  'typescript',
  'python',
  'java',
  'go',
  'c',
  'cpp',
  'rust',
  'sql',
  'json',
  'markdown',
  'html',
  'css',
] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'plaintext';

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** Default cap for a room's document (Yjs state bytes); the server's MAX_DOCUMENT_BYTES overrides it. */
export const MAX_DOCUMENT_BYTES_DEFAULT = 5 * 1024 * 1024;

/**
 * Bounds on one awareness state (its JSON as sent). A cursor, a selection and a user take a few
 * hundred bytes and three levels; the bounds leave room for extensions while making sure no
 * state can cost another client its join (a deeply nested state overflows JSON.stringify).
 */
export const AWARENESS_STATE_MAX_BYTES = 32 * 1024;
export const AWARENESS_STATE_MAX_DEPTH = 32;
/**
 * Awareness client ids one connection may speak for. A y-websocket client uses one (its doc's
 * client id); a few more allow a client id that changed mid-connection.
 */
export const AWARENESS_IDS_PER_CONNECTION = 4;

/** Initial `code` in POST /rooms, and the LWW whole-buffer write, are capped at this many UTF-16 units. */
export const MAX_CODE_LENGTH = 1024 * 1024;

// C0 and C1 control characters, plus DEL: never part of a display or room name (and U+0000
// cannot be stored in a PostgreSQL text column at all).
const CONTROL_CLASS = '\\u0000-\\u001f\\u007f-\\u009f';
// Invisible and text-direction formatting: a name made of them looks empty, and a direction
// override makes it read as someone else's. Zero-width (non-)joiners stay: emoji and some
// scripts need them.
const INVISIBLE_CLASS = '\\u200b\\u200e\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff';
const CONTROL_CHARS = new RegExp(`[${CONTROL_CLASS}]`);
const INVISIBLE_CHARS = new RegExp(`[${INVISIBLE_CLASS}]`);

/**
 * Room names: at least one visible character, and none of the characters display names refuse
 * (control, invisible, text-direction). A JSON Schema `pattern`, so the REST schemas and the web
 * forms apply the same rule.
 */
export const ROOM_NAME_PATTERN = `^(?=[\\s\\S]*\\S)[^${CONTROL_CLASS}${INVISIBLE_CLASS}]*$`;
const roomNameRegex = new RegExp(ROOM_NAME_PATTERN);

/** Trims and validates a room name (1-ROOM_NAME_MAX_LENGTH characters, ROOM_NAME_PATTERN). */
export function checkRoomName(raw: unknown): NameCheck {
  if (typeof raw !== 'string') return { ok: false, message: 'room name must be a string' };
  if (CONTROL_CHARS.test(raw)) return { ok: false, message: 'room name must not contain control characters' };
  if (INVISIBLE_CHARS.test(raw)) return { ok: false, message: 'room name must not contain invisible or text-direction characters' };
  if (!roomNameRegex.test(raw)) return { ok: false, message: 'room name must not be blank' };
  const name = raw.trim();
  if (name.length > ROOM_NAME_MAX_LENGTH) return { ok: false, message: `room name must be at most ${ROOM_NAME_MAX_LENGTH} characters` };
  return { ok: true, name };
}

export type NameCheck = { ok: true; name: string } | { ok: false; message: string };

/** Trims and validates a display name; the one rule both client and server apply. */
export function checkDisplayName(raw: unknown): NameCheck {
  if (typeof raw !== 'string') return { ok: false, message: 'name is required' };
  const name = raw.trim();
  if (CONTROL_CHARS.test(name)) return { ok: false, message: 'name must not contain control characters' };
  if (INVISIBLE_CHARS.test(name)) return { ok: false, message: 'name must not contain invisible or text-direction characters' };
  // Length in code points, so an emoji counts as one character for the user.
  const length = [...name].length;
  if (length < NAME_MIN_LENGTH || length > NAME_MAX_LENGTH) {
    return { ok: false, message: `name must be ${NAME_MIN_LENGTH}-${NAME_MAX_LENGTH} characters` };
  }
  return { ok: true, name };
}
