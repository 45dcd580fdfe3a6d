import type { AttributionState, AuthorshipBatch, AuthorshipRange, LogRow, NewVersion, VersionRecord } from '@pairpad/db';
import type { LoadedDocument } from '../rooms/doc-store';

export type { AttributionState, AuthorshipBatch, AuthorshipRange, LogRow, NewVersion, VersionRecord };

/**
 * What history needs from storage (implemented over the database by @pairpad/db's historyRepo):
 * the kept update log, checkpoints to rebuild any point of it from, versions and authorship.
 */
export interface HistoryStore {
  /** The document at log position `through` (newest checkpoint at or before it, plus the rows after). */
  readAt(roomId: string, through: number): Promise<LoadedDocument>;
  logRows(roomId: string, after: number, upTo: number, limit: number): Promise<LogRow[]>;
  logPosition(roomId: string): Promise<number>;
  countRows(roomId: string, after: number, limit: number): Promise<number>;
  lastCheckpoint(roomId: string): Promise<{ through: number; at: Date } | null>;
  writeCheckpoint(roomId: string, through: number, state: Uint8Array): Promise<void>;
  createVersion(roomId: string, version: NewVersion): Promise<VersionRecord>;
  listVersions(roomId: string, options: { before?: number; limit: number }): Promise<VersionRecord[]>;
  getVersion(roomId: string, id: number): Promise<VersionRecord | undefined>;
  nextVersion(roomId: string, id: number): Promise<VersionRecord | undefined>;
  latestVersion(roomId: string): Promise<VersionRecord | undefined>;
  attributionStates(roomIds: readonly string[]): Promise<Map<string, AttributionState>>;
  unattributed(roomId: string, limit: number): Promise<{ after: number; rows: LogRow[] }>;
  /** Returns the rooms whose ranges were written (reading still stood at their `after`). */
  saveAuthorship(batches: readonly AuthorshipBatch[]): Promise<Set<string>>;
  authorship(roomId: string): Promise<AuthorshipRange[]>;
  // Retention (history/retention.ts).
  roomsToThin(mergeBefore: Date, dropBefore: Date, limit: number): Promise<string[]>;
  rowsToMerge(roomId: string, before: Date, limit: number): Promise<{ rows: LogRow[]; boundaries: number[] }>;
  saveMerged(roomId: string, groups: readonly { keepId: number; update: Uint8Array; dropIds: readonly number[] }[], mergedThrough: number): Promise<void>;
  historyBytes(roomId: string): Promise<number>;
  positionBefore(roomId: string, before: Date): Promise<number>;
  dropLogThrough(roomId: string, horizon: number, keep: readonly number[]): Promise<void>;
  hasCheckpointAt(roomId: string, through: number): Promise<boolean>;
}
