import type { ColumnType, Insertable, Selectable, Updateable } from 'kysely';

/** `bigint`/`bigserial` columns: postgres.js and PGlite may return them as string or bigint. */
type Int8 = ColumnType<number | string, number | undefined, number>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface RoomsTable {
  room_id: string;
  view_id: string;
  name: string;
  language: string;
  /** Participant capacity (the REST `limit`; `limit` is an SQL keyword). */
  capacity: number;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** Last time anyone was connected or wrote; drives TTL clean-up. */
  last_active_at: Timestamp;
  /** Who was in the room lately, as a JSON array of {name, color, role} (bounded by the server). */
  roster: ColumnType<string, string | undefined, string>;
  /** A forked room's parent, by its view link (migration 0007). */
  parent_view_id: ColumnType<string | null, string | null | undefined, string | null>;
  parent_name: ColumnType<string | null, string | null | undefined, string | null>;
  parent_version: ColumnType<number | string | null, number | null | undefined, number | null>;
}

/** The compacted document: the full Yjs state (its text is read by decoding it). */
export interface DocumentsTable {
  room_id: string;
  state: Uint8Array;
  /** Every log row with id <= this is folded into the snapshot. */
  compacted_through: Int8;
  updated_at: Timestamp;
  /** When set, the snapshot is this version's rows of `document_snapshot_chunks` and `state` is empty. */
  snapshot_version: ColumnType<number | string | null, number | null | undefined, number | null>;
  /** Log rows up to here have their authorship recorded in `document_authorship`. */
  attributed_through: ColumnType<number | string, number | undefined, number>;
  /** Log rows up to here older than the raw window have been merged per author and minute. */
  merged_through: ColumnType<number | string, number | undefined, number>;
}

/** A full Yjs state at log position `through`, in chunk rows: where rebuilding a version starts. */
export interface DocumentCheckpointsTable {
  room_id: string;
  through: Int8;
  seq: number;
  /** How many rows the checkpoint has (a partly written one is ignored). */
  chunks: number;
  chunk: Uint8Array;
  created_at: Timestamp;
}

/** A point in a room's log that people can see, restore and fork. */
export interface DocumentVersionsTable {
  id: ColumnType<number | string, never, never>;
  room_id: string;
  through: Int8;
  kind: string;
  name: string | null;
  created_by: string | null;
  created_at: Timestamp;
  /** JSON array of the names who edited since the previous version. */
  authors: ColumnType<string, string | undefined, string>;
  inserted: ColumnType<number, number | undefined, number>;
  deleted: ColumnType<number, number | undefined, number>;
  length: ColumnType<number, number | undefined, number>;
}

/** Who wrote Yjs items `[clock_start, clock_end)` of `client` in a room. */
export interface DocumentAuthorshipTable {
  room_id: string;
  client: Int8;
  clock_start: Int8;
  clock_end: Int8;
  session_id: string | null;
  author: string | null;
  written_at: Timestamp;
  /** Sent by another session than the one the client id was first seen from. */
  flagged: ColumnType<boolean, boolean | undefined, boolean>;
}

/** A big snapshot, in pieces written one statement at a time (see migration 0005). */
export interface DocumentSnapshotChunksTable {
  room_id: string;
  version: Int8;
  seq: number;
  chunk: Uint8Array;
}

/** Append-only Yjs update log; rows are folded into `documents` by compaction and kept for history (thinned by age). */
export interface DocumentUpdatesTable {
  id: ColumnType<number | string, never, never>;
  room_id: string;
  update: Uint8Array;
  /** Who wrote it (session id and display name): raw material for history and replay. */
  session_id: string | null;
  author: string | null;
  created_at: Timestamp;
  /** Made by the server's own Y.Doc on the author's behalf (simple sync write, restore). */
  server_made: ColumnType<boolean, boolean | undefined, boolean>;
}

/** The instance that owns each room in a cluster, and the epoch that fences its writes (migration 0006). */
export interface RoomOwnersTable {
  room_id: string;
  instance_id: string;
  /** Where peers reach the owner (its internal WebSocket address). */
  address: string;
  epoch: Int8;
  claimed_at: Timestamp;
}

export interface Database {
  rooms: RoomsTable;
  documents: DocumentsTable;
  document_updates: DocumentUpdatesTable;
  document_snapshot_chunks: DocumentSnapshotChunksTable;
  room_owners: RoomOwnersTable;
  document_checkpoints: DocumentCheckpointsTable;
  document_versions: DocumentVersionsTable;
  document_authorship: DocumentAuthorshipTable;
}

export type RoomRow = Selectable<RoomsTable>;
export type NewRoomRow = Insertable<RoomsTable>;
export type RoomRowUpdate = Updateable<RoomsTable>;
export type DocumentRow = Selectable<DocumentsTable>;
