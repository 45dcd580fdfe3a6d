import { Type, type Static } from 'typebox';
import { NAME_MAX_LENGTH, NAME_MIN_LENGTH, ROOM_NAME_MAX_LENGTH, ROOM_NAME_PATTERN, type Language } from './limits';
import type { CreatedRoom, RoomParent } from './api';

/**
 * History: versions, replay, authorship, restore and fork (`/rooms/:id/versions`, `/replay`,
 * `/blame`, `/restore`, `/fork`). Request schemas are shared by the server's validation and the
 * web client's forms; answers are the interfaces below.
 */

/**
 * Why a version exists:
 * - `auto`: after 30 s of quiet following edits, and at least every 10 minutes while editing goes on;
 * - `named`: someone saved it (Save / Ctrl+S), optionally with a name;
 * - `before_restore`: the text just before someone restored an older version (restoring it undoes the restore);
 * - `before_overwrite`: the text just before a whole-buffer write (simple sync endpoint) replaced more than half of it.
 */
export const VERSION_KINDS = ['auto', 'named', 'before_restore', 'before_overwrite'] as const;
export type VersionKind = (typeof VERSION_KINDS)[number];

/** Someone who wrote part of a version (or of the text), with their roster colour. */
export interface HistoryAuthor {
  name: string;
  color: string;
}

export interface VersionSummary {
  /** Increasing per room; a newer version has a higher id. */
  id: number;
  /** ISO time the version was taken. */
  at: string;
  kind: VersionKind;
  /** The name given on Save; null for unnamed versions. */
  name: string | null;
  /** Who took it (the person who saved or restored); null for automatic versions. */
  by: string | null;
  /** Who edited since the previous version. */
  authors: HistoryAuthor[];
  /** Characters (UTF-16 units) inserted and deleted since the previous version. */
  inserted: number;
  deleted: number;
  /** Length of the version's text. */
  length: number;
}

/** `GET /rooms/:id/versions`: newest first. `nextBefore` pages on when there are more. */
export interface VersionList {
  versions: VersionSummary[];
  nextBefore?: number;
}

/** `GET /rooms/:id/versions/:version` */
export interface VersionDetails extends VersionSummary {
  text: string;
  language: Language;
}

/** A version id in a path or query string (they arrive as text; the server does not coerce types). */
export const VersionIdTextSchema = Type.String({ pattern: '^[1-9][0-9]{0,14}$', description: 'a version id' });

export const VersionParamsSchema = Type.Object({
  roomId: Type.String(),
  version: VersionIdTextSchema,
});

export const VERSION_PAGE_MAX = 200;
export const VersionListQuerySchema = Type.Object({
  before: Type.Optional(VersionIdTextSchema),
  limit: Type.Optional(Type.String({ pattern: '^(?:[1-9]|[1-9][0-9]|1[0-9][0-9]|200)$', description: `1-${VERSION_PAGE_MAX}` })),
});

/** Who acts: the person's display name (same rule as joining a room). */
export const ActorNameSchema = Type.String({ minLength: NAME_MIN_LENGTH, maxLength: NAME_MAX_LENGTH * 2, pattern: ROOM_NAME_PATTERN });

export const CreateVersionBodySchema = Type.Object({
  /** Optional version name ("works with the fixtures"). */
  name: Type.Optional(Type.String({ minLength: 1, maxLength: ROOM_NAME_MAX_LENGTH, pattern: ROOM_NAME_PATTERN })),
  by: ActorNameSchema,
});
export type CreateVersionBody = Static<typeof CreateVersionBodySchema>;

export const RestoreBodySchema = Type.Object({
  version: Type.Integer({ minimum: 1 }),
  by: ActorNameSchema,
});
export type RestoreBody = Static<typeof RestoreBodySchema>;

/** `POST /rooms/:id/restore`: the version restored, and the one taken just before (restore that to undo). */
export interface RestoreResult {
  restored: VersionSummary;
  backup: VersionSummary;
}

export const ForkBodySchema = Type.Object({
  /** The version to start from; the current text when absent. */
  version: Type.Optional(Type.Integer({ minimum: 1 })),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: ROOM_NAME_MAX_LENGTH, pattern: ROOM_NAME_PATTERN })),
  by: ActorNameSchema,
});
export type ForkBody = Static<typeof ForkBodySchema>;

/** `POST /rooms/:id/fork` answer: a new room, like `POST /rooms`, plus its parent. */
export interface ForkedRoom extends CreatedRoom {
  parent: RoomParent;
}

/** `GET /rooms/:id/blame`: who wrote each character. Ranges cover the whole text, in order. */
export interface BlameRange {
  /** UTF-16 offsets into the text, `end` exclusive. */
  start: number;
  end: number;
  /** null for text the server wrote (a room's starting code, or text older than history). */
  author: string | null;
  color: string | null;
  /** When it was written, to the minute. */
  at: string | null;
}

export interface Blame {
  /** The version described, or null for the current text. */
  version: number | null;
  length: number;
  ranges: BlameRange[];
  /** Characters per author, most first. */
  authors: (HistoryAuthor & { chars: number })[];
}

export const BlameQuerySchema = Type.Object({
  version: Type.Optional(VersionIdTextSchema),
});

export const ReplayQuerySchema = Type.Object({
  from: VersionIdTextSchema,
  /** The newer version; the current text when absent. */
  to: Type.Optional(VersionIdTextSchema),
});

/** One step of a replay: what someone changed, as a Yjs update (base64). */
export interface ReplayStep {
  at: string;
  author: string | null;
  update: string;
}

/**
 * `GET /rooms/:id/replay?from=&to=`: the Yjs state of version `from` (base64), then the steps
 * to `to` in the order they were made. Apply `base`, then each step, to a fresh Y.Doc; its
 * `code` text is the session at that point. Long spans are merged into at most
 * REPLAY_MAX_STEPS steps.
 */
export interface Replay {
  from: number;
  to: number | null;
  base: string;
  steps: ReplayStep[];
}
export const REPLAY_MAX_STEPS = 600;

/**
 * Shared Y.Array in every room's document where the server writes notes everyone sees (a
 * restore). Bounded to the last HISTORY_NOTICES_KEPT entries.
 */
export const DOC_NOTICES_KEY = 'notices';
export const HISTORY_NOTICES_KEPT = 20;

export interface RestoreNotice {
  kind: 'restored';
  by: string;
  /** The version restored, its time and name, and the backup made before it. */
  version: number;
  versionAt: string;
  versionName: string | null;
  backup: number;
  at: string;
}
export type RoomNotice = RestoreNotice;
