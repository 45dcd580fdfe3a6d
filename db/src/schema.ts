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
}

/** A big snapshot, in pieces written one statement at a time (see migration 0005). */
export interface DocumentSnapshotChunksTable {
  room_id: string;
  version: Int8;
  seq: number;
  chunk: Uint8Array;
}

/** Append-only Yjs update log; rows are folded into `documents` and deleted by compaction. */
export interface DocumentUpdatesTable {
  id: ColumnType<number | string, never, never>;
  room_id: string;
  update: Uint8Array;
  /** Who wrote it (session id and display name): raw material for history and replay. */
  session_id: string | null;
  author: string | null;
  created_at: Timestamp;
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
}

export type RoomRow = Selectable<RoomsTable>;
export type NewRoomRow = Insertable<RoomsTable>;
export type RoomRowUpdate = Updateable<RoomsTable>;
export type DocumentRow = Selectable<DocumentsTable>;
