import type { Language, Role } from '@pairpad/shared';
import * as Y from 'yjs';

/** One person of a room's stored roster: who was there, kept with the room. */
export interface RosterRecord {
  name: string;
  color: string;
  role: Role;
}

export interface StoredUpdate {
  update: Uint8Array;
  sessionId: string | null;
  author: string | null;
  at: Date;
  /** Made by the room's own Y.Doc for the author (a simple-sync write, a restore): its client id is the server's. */
  serverMade?: boolean;
  /**
   * The Yjs clocks it added, flat `[client, from, to, ...]`, as the room's transaction saw them:
   * history reads authorship from these instead of decoding the update. Not stored.
   */
  clocks?: readonly number[];
}

export interface RoomUpdates {
  roomId: string;
  updates: readonly StoredUpdate[];
}

export interface LoadedDocument {
  snapshot: Uint8Array | null;
  updates: Uint8Array[];
  /** Highest log position covered by snapshot + updates. */
  through: number;
}

/**
 * What a room needs from storage. The registry and rooms see only this, never SQL, so they can be
 * tested against an in-memory store that is told to fail, and storage can change underneath.
 */
export interface DocStore {
  load(roomId: string): Promise<LoadedDocument>;
  /**
   * Appends the pending updates of many rooms atomically, in one round trip; resolves with the
   * highest log position written per room.
   */
  appendBatch(batches: readonly RoomUpdates[]): Promise<Map<string, number>>;
  /**
   * Replaces the snapshot (which covers every log row up to `through`) and drops those rows.
   * `editedAt` (the last edit it includes) moves the room's `updatedAt` forward; `roster`, when
   * given, replaces who the room remembers.
   */
  compact(roomId: string, snapshot: { state: Uint8Array; through: number; editedAt?: Date; roster?: readonly RosterRecord[] }): Promise<void>;
  /** Writes room settings edited live through the document's meta map. */
  saveMeta(roomId: string, meta: { name?: string; language?: Language }): Promise<void>;
}

/**
 * Replays a stored document, snapshot first and then the log tail, into a new Y.Doc: the one way
 * a room, a REST read of an idle room and a test rebuild what storage holds. Throws, the doc
 * destroyed, when the bytes do not decode.
 */
export function replayStored(stored: LoadedDocument, origin?: unknown): Y.Doc {
  const doc = new Y.Doc({ gc: true });
  try {
    if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot, origin);
    for (const update of stored.updates) Y.applyUpdate(doc, update, origin);
  } catch (error) {
    doc.destroy();
    throw error;
  }
  return doc;
}
