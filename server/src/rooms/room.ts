import {
  checkRoomName,
  DOC_META_KEY,
  DOC_NOTICES_KEY,
  DOC_TEXT_KEY,
  HISTORY_NOTICES_KEPT,
  META_KEYS,
  YMessageType,
  isLanguage,
  type Language,
  type Participant,
  type RoomNotice,
  type RoomParent,
} from '@pairpad/shared';
import * as encoding from 'lib0/encoding';
import type { Awareness } from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { roomRef, type Logger } from '../log';
import type { AwarenessStateProblem } from './awareness-entries';
import { replayStored, type DocStore, type RosterRecord } from './doc-store';
import type { PersistQueue } from './persist-queue';
import { decideAdmission, type AdmitResult } from './admission';
import { encodeAwarenessMessage, encodeUpdateMessage } from './frames';
import type { DismissalReason, JoinRequest, RoomMember } from './member';
import { RoomAwareness } from './room-awareness';
import { RoomEvents } from './room-events';
import { RoomPersistence, type LoadedPosition } from './room-persistence';
import { Roster } from './roster';
import { SyncReplyCache } from './sync-replies';
import { TokenBucket } from './token-bucket';

/** Room settings that live in the rooms table and, for name and language, in the meta map. */
export interface RoomSettings {
  roomId: string;
  viewId: string;
  name: string;
  language: Language;
  capacity: number;
  /**
   * ISO times from the rooms table, so REST can describe a live room from memory while the
   * database is down. Absent only for settings not read from the table (unit tests).
   */
  createdAt?: string;
  updatedAt?: string;
  /** Who was in the room when it was last stored: the people who left stay listed across unloads and restarts. */
  roster?: readonly RosterRecord[];
  /** Where a forked room came from. */
  parent?: RoomParent;
}

export interface RoomOptions {
  store: DocStore;
  /** Batches log appends across rooms; owned by the registry. */
  queue: PersistQueue;
  logger: Logger;
  /** Pending updates are appended to the log at most this long after they were applied. */
  persistFlushMs: number;
  /** An idle-but-edited room is compacted this often. */
  compactIntervalMs: number;
  /** Compact as soon as this many log rows accumulate since the last snapshot. */
  compactMaxLogRows: number;
  /** Growth past this many bytes of Yjs state is refused. */
  maxDocBytes: number;
  /** A participant counts as typing for this long after their last edit. */
  typingMs: number;
  /** Backoff bounds for retrying a failed store. */
  retryMinMs: number;
  retryMaxMs: number;
  /**
   * Bytes of sync replies the room encodes per second for all its members together, so a few
   * sockets asking again and again cannot take the server's time from every other room. Replies
   * wait (they are not refused) while the room is over it.
   */
  syncEncodeBytesPerSecond: number;
}

/** Why a member's update was not (entirely) taken. */
export type UpdateOutcome = 'applied' | 'unintegrable';

/** Origin used for the server's own transactions (settings, LWW diffs are attributed to members). */
export const SERVER_ORIGIN = Symbol('pairpad-server');

/**
 * Yjs parks structs whose earlier parts never arrived (pending structs and delete sets); they
 * are neither broadcast nor logged, but they are part of every snapshot and full-state reply. A
 * client that follows the protocol never leaves more than a moment's worth; more is refused.
 */
const MAX_PENDING_BYTES = 256 * 1024;

/**
 * A live room: one Y.Doc and Awareness shared by every member on both endpoints, its members
 * and admission, and its settings. The roster (roster.ts), awareness ownership
 * (room-awareness.ts) and persistence (room-persistence.ts) are its parts.
 *
 * Frames leave the room at two points: `broadcast` for document frames and `broadcastAwareness`
 * for awareness; each is encoded once for all members. Every applied update goes through
 * `handleDocUpdate`, which broadcasts it, records it for the log and announces `changed` on
 * `events`, where the simple-sync endpoint listens. A bus for several server instances would hook
 * in at the two broadcast points.
 */
export class Room {
  readonly doc: Y.Doc;
  readonly text: Y.Text;
  readonly meta: Y.Map<unknown>;
  private readonly members = new Map<string, RoomMember>();
  private readonly memberAwareness: RoomAwareness;
  private readonly roster: Roster;
  /** Changes announced beyond the members' frames (see RoomEventMap). */
  readonly events = new RoomEvents();
  private readonly log: Logger;
  private readonly persistence: RoomPersistence;
  private lastAuthor = '';
  private readonly syncReplies: SyncReplyCache;
  /** The text as of the last change: REST reads and full-text pushes of a big document stay cheap. */
  private textCache: string | null = null;
  /** Pending structs seen by the last compaction: still there at the next one, they are dropped. */
  private pendingAtLastCompaction: unknown = null;
  /** Paces encoding work for sync replies across all members (see syncEncodeBytesPerSecond). */
  readonly syncBudget: TokenBucket;
  private destroyed = false;

  private constructor(
    public settings: RoomSettings,
    private readonly options: RoomOptions,
    doc: Y.Doc,
    loaded: LoadedPosition,
  ) {
    this.doc = doc;
    this.text = doc.getText(DOC_TEXT_KEY);
    this.meta = doc.getMap(DOC_META_KEY);
    this.syncReplies = new SyncReplyCache(doc);
    this.log = options.logger.child({ room: roomRef(settings.roomId) });
    this.persistence = new RoomPersistence(
      { ...options, roomId: settings.roomId, logger: this.log },
      {
        encodeSnapshot: () => {
          this.dropStalePending();
          return Y.encodeStateAsUpdate(this.doc);
        },
        rosterRecords: () => this.roster.records(),
        onRowsStored: (rows, from, through) => this.events.emit('stored', rows, from, through),
        onStored: (lastEditAt) => {
          // REST reads of the live room see the last stored edit; the rooms table follows at compaction.
          if (this.settings.updatedAt !== undefined && this.settings.updatedAt < lastEditAt.toISOString()) {
            this.settings = { ...this.settings, updatedAt: lastEditAt.toISOString() };
          }
        },
      },
      loaded,
    );
    // Spending goes into debt, so a quiet room answers any one request at once, however large;
    // after that, encoding is paced at the configured rate.
    this.syncBudget = new TokenBucket(options.syncEncodeBytesPerSecond, options.syncEncodeBytesPerSecond);
    this.memberAwareness = new RoomAwareness(doc, {
      isMember: (member) => this.members.get(member.connectionId) === member,
      colorOf: (name) => this.roster.colorOf(name),
      broadcast: (body, except) => this.broadcastAwareness(body, except),
    });
    doc.on('update', this.handleDocUpdate);
    this.meta.observe(this.handleMetaChange);
    this.roster = new Roster(
      { members: this.members, capacity: () => this.settings.capacity, typingMs: options.typingMs, publish: this.publishRoster },
      settings.roster,
    );
    // After the listeners, so a correction from the rooms table is persisted like any edit.
    this.syncMetaFromSettings();
  }

  /**
   * Builds the room from its snapshot and log tail. Throws when the store fails or holds bytes
   * that do not decode: the caller must then not create an empty room that could be saved over
   * real data.
   */
  static async load(settings: RoomSettings, options: RoomOptions): Promise<Room> {
    const stored = await options.store.load(settings.roomId);
    let doc: Y.Doc;
    try {
      doc = replayStored(stored, SERVER_ORIGIN);
    } catch (error) {
      throw new Error(`stored document of room ${settings.roomId} does not decode`, { cause: error });
    }
    const bytes = stored.updates.reduce((sum, update) => sum + update.byteLength, stored.snapshot?.byteLength ?? 0);
    return new Room(settings, options, doc, {
      through: stored.through,
      logRows: stored.updates.length,
      bytes,
      snapshotBytes: stored.snapshot?.byteLength ?? 0,
    });
  }

  /** The awareness states every member sees; changed only through the room. */
  get awareness(): Awareness {
    return this.memberAwareness.awareness;
  }

  get roomId(): string {
    return this.settings.roomId;
  }

  get memberCount(): number {
    return this.members.size;
  }

  get isIdle(): boolean {
    return this.members.size === 0;
  }

  get isDestroyed(): boolean {
    return this.destroyed;
  }

  /** Whether persisted state is behind memory (pending or failed writes). */
  get hasUnsavedChanges(): boolean {
    return this.persistence.hasUnsavedChanges;
  }

  /** False after a store call failed, until one succeeds again. */
  get storeHealthy(): boolean {
    return this.persistence.storeHealthy;
  }

  // ---------------------------------------------------------------------------------------------
  // Membership

  /**
   * Decides synchronously whether a candidate may join, so two racing joins can never both take
   * the last seat. A reconnect carrying the session id of an online member replaces that member.
   */
  admit(candidate: JoinRequest): AdmitResult {
    return decideAdmission(this.members, this.settings.capacity, candidate);
  }

  /** Adds an admitted member; a replaced one is let go first. */
  join(member: RoomMember, replaced: RoomMember | null): void {
    if (replaced) {
      this.leave(replaced);
      replaced.dismiss('replaced');
    }
    this.members.set(member.connectionId, member);
    this.roster.join(member);
  }

  /** Removes a member and its awareness states; idempotent. */
  leave(member: RoomMember): void {
    if (this.members.get(member.connectionId) !== member) return;
    this.members.delete(member.connectionId);
    this.memberAwareness.forget(member);
    this.roster.leave();
  }

  /** Everyone who is or was in the room recently, online first. */
  /** A person's roster colour (history draws authors in it). */
  colorOf(name: string): string {
    return this.roster.colorOf(name);
  }

  participants(): Participant[] {
    return this.roster.participants();
  }

  /** Yjs members see the roster in the server's awareness state; listeners get it as `presence`. */
  private readonly publishRoster = (participants: Participant[]): void => {
    if (this.destroyed) return;
    this.memberAwareness.publishParticipants(participants);
    this.events.emit('presence', participants);
  };

  /** A member announced typing without sending text yet (the simple-sync endpoint's `typing`). */
  announceTyping(member: RoomMember): void {
    this.roster.noteTyping(member);
    this.events.emit('typing', member);
  }

  // ---------------------------------------------------------------------------------------------
  // Fan-out

  /**
   * Sends a document frame to every member but `except`. Callers encode once for all members;
   * each member's session decides what a slow socket gets.
   */
  private broadcast(message: Uint8Array, except: unknown): void {
    for (const member of this.members.values()) {
      if (member !== except) member.sendBinary?.(message);
    }
  }

  /** Sends an awareness update (an `encodeAwarenessUpdate` body) to every member but `except`. */
  private broadcastAwareness(body: Uint8Array, except: unknown): void {
    this.broadcast(encodeAwarenessMessage(body), except);
  }

  // ---------------------------------------------------------------------------------------------
  // Document

  /** Whether applying `bytes` more would take the document past its size cap. */
  wouldExceedSize(bytes: number): boolean {
    return this.persistence.approxBytes + bytes > this.options.maxDocBytes;
  }

  /**
   * Applies an update from a member; fan-out and persistence follow through handleDocUpdate.
   * Parts that refer to changes the room never had (a clock gap, a delete of unknown items) are
   * parked by Yjs; past a small bound, or past the size cap, they are dropped and the update is
   * reported `unintegrable`, so they can neither grow the room nor its snapshots.
   */
  applyUpdate(update: Uint8Array, origin: RoomMember): UpdateOutcome {
    Y.applyUpdate(this.doc, update, origin);
    const pending = this.pendingBytes();
    if (pending === 0 || (pending <= MAX_PENDING_BYTES && !this.wouldExceedSize(pending))) return 'applied';
    this.dropPending();
    return 'unintegrable';
  }

  private pendingBytes(): number {
    const { pendingStructs, pendingDs } = this.doc.store;
    return (pendingStructs?.update.byteLength ?? 0) + (pendingDs?.byteLength ?? 0);
  }

  /**
   * Parts still waiting for their missing pieces a whole compaction later will not be completed
   * (a client that has them sends them at once); they would otherwise ride along in every
   * snapshot.
   */
  private dropStalePending(): void {
    const { pendingStructs, pendingDs } = this.doc.store;
    const current = pendingStructs ?? pendingDs;
    if (current !== null && current === this.pendingAtLastCompaction) this.dropPending();
    this.pendingAtLastCompaction = this.doc.store.pendingStructs ?? this.doc.store.pendingDs;
  }

  private dropPending(): void {
    this.doc.store.pendingStructs = null;
    this.doc.store.pendingDs = null;
    this.syncReplies.clear();
  }

  /**
   * The sync-step-2 reply for a client with the given state vector, and what it cost to encode
   * (0 when it came from the cache; see SyncReplyCache).
   */
  syncStep2For(stateVector: Uint8Array): { message: Uint8Array; cost: number } {
    return this.syncReplies.replyFor(stateVector);
  }

  /** The greeting every Yjs member gets: our sync step 1, then the awareness states we know. */
  greeting(): Uint8Array[] {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, YMessageType.Sync);
    syncProtocol.writeSyncStep1(encoder, this.doc);
    const messages: Uint8Array[] = [encoding.toUint8Array(encoder)];
    if (this.memberAwareness.size > 0) messages.push(encodeAwarenessMessage(this.memberAwareness.encodeAll()));
    return messages;
  }

  /** Every awareness state, for query-awareness. */
  awarenessSnapshot(): Uint8Array {
    return encodeAwarenessMessage(this.memberAwareness.encodeAll());
  }

  /** Applies a member's awareness update (see RoomAwareness.apply) and forwards what it kept. */
  applyAwareness(update: Uint8Array, member: RoomMember): AwarenessStateProblem | null {
    return this.memberAwareness.apply(update, member);
  }

  private readonly handleDocUpdate = (update: Uint8Array, origin: unknown, _doc: Y.Doc, transaction: Y.Transaction): void => {
    this.syncReplies.clear();
    const member =
      origin && typeof origin === 'object' && 'connectionId' in origin ? (origin as RoomMember) : null;

    this.broadcast(encodeUpdateMessage(update), member);

    // Other parts of the document (a run's output, notices) are not typing, not an edit of the
    // code to version, and not news for simple-sync clients.
    // (Yjs keys `changed` by the base type, whose event type Y.Text's does not widen to.)
    const textChanged = transaction.changed.has(this.text as unknown as Y.AbstractType<Y.YEvent<Y.Text>>);
    if (textChanged) {
      this.textCache = null;
      if (member) {
        this.lastAuthor = member.name;
        this.roster.noteTyping(member);
      }
    }
    // Which clocks this added, per client, for authorship: read off the transaction, not decoded.
    const clocks: number[] = [];
    transaction.afterState.forEach((to, client) => {
      const from = transaction.beforeState.get(client) ?? 0;
      if (to > from) clocks.push(client, from, to);
    });
    // A local transaction is the room's own Y.Doc writing for the member (simple sync, restore).
    this.persistence.record(update, member, transaction.local, clocks);
    if (textChanged) this.events.emit('changed');
  };

  /** Who made the latest change to the document (the `from` of full-text pushes). */
  get lastAuthorName(): string {
    return this.lastAuthor;
  }

  /** Current text; whole-buffer writes are merged against it. */
  currentText(): string {
    this.textCache ??= this.text.toString();
    return this.textCache;
  }

  /**
   * Applies a member's text edits (sorted, non-overlapping, indices into the current text; see
   * sync/text-merge.ts) in one transaction, so Yjs clients see an ordinary edit and keep their
   * cursors. Returns whether anything changed.
   */
  applyTextEdits(edits: readonly { index: number; deleteCount: number; insert: string }[], origin: RoomMember): boolean {
    if (edits.length === 0) return false;
    this.doc.transact(() => {
      // From the end, so earlier indices stay valid.
      for (let i = edits.length - 1; i >= 0; i--) {
        const { index, deleteCount, insert } = edits[i]!;
        if (deleteCount > 0) this.text.delete(index, deleteCount);
        if (insert.length > 0) this.text.insert(index, insert);
      }
    }, origin);
    return true;
  }

  /**
   * Applies `edits` (as applyTextEdits) with `notice` appended to the document's notices, in one
   * transaction: one update, one log row (a restore).
   */
  applyTextEditsWithNotice(edits: readonly { index: number; deleteCount: number; insert: string }[], origin: RoomMember, notice: RoomNotice): void {
    this.doc.transact(() => {
      this.applyTextEdits(edits, origin);
      const notices = this.doc.getArray<RoomNotice>(DOC_NOTICES_KEY);
      notices.push([notice]);
      if (notices.length > HISTORY_NOTICES_KEPT) notices.delete(0, notices.length - HISTORY_NOTICES_KEPT);
    }, origin);
  }

  /** The log position of the document as it is now, once stored (see RoomPersistence.logPoint). */
  logPoint(): Promise<number> {
    return this.persistence.logPoint();
  }

  // ---------------------------------------------------------------------------------------------
  // Settings

  private syncMetaFromSettings(): void {
    const { name, language, capacity } = this.settings;
    if (this.meta.get(META_KEYS.name) === name && this.meta.get(META_KEYS.language) === language && this.meta.get(META_KEYS.limit) === capacity) return;
    this.doc.transact(() => {
      if (this.meta.get(META_KEYS.name) !== name) this.meta.set(META_KEYS.name, name);
      if (this.meta.get(META_KEYS.language) !== language) this.meta.set(META_KEYS.language, language);
      // The limit is published, never taken from clients: only PATCH (with its 409 check) changes it.
      if (this.meta.get(META_KEYS.limit) !== capacity) this.meta.set(META_KEYS.limit, capacity);
    }, SERVER_ORIGIN);
  }

  /** Applies settings changed through REST; clients see name, language and limit live via meta. */
  updateSettings(patch: Partial<Pick<RoomSettings, 'name' | 'language' | 'capacity' | 'updatedAt'>>): void {
    const previous = this.settings;
    this.settings = { ...this.settings, ...patch };
    this.syncMetaFromSettings();
    this.announceMeta(previous);
  }

  private announceMeta(previous: RoomSettings): void {
    const { name, language, capacity } = this.settings;
    if (previous.name === name && previous.language === language && previous.capacity === capacity) return;
    this.events.emit('settings', { name, language, limit: capacity });
  }

  private readonly handleMetaChange = (event: Y.YMapEvent<unknown>): void => {
    const origin = event.transaction.origin;
    if (origin === SERVER_ORIGIN) return;
    const saved: { name?: string; language?: Language } = {};
    for (const key of event.keysChanged) {
      const value = this.meta.get(key);
      if (key === META_KEYS.language) {
        if (isLanguage(value)) saved.language = value;
      } else if (key === META_KEYS.name) {
        // The rule REST applies: a name with control or invisible characters is put back.
        const check = checkRoomName(value);
        if (check.ok) saved.name = check.name;
      }
    }
    const previous = this.settings;
    this.settings = { ...this.settings, ...saved, ...(Object.keys(saved).length > 0 && { updatedAt: new Date().toISOString() }) };
    this.announceMeta(previous);
    // A client wrote a value we cannot accept (unknown language, empty name, any limit): put ours back.
    queueMicrotask(() => {
      if (!this.destroyed) this.syncMetaFromSettings();
    });
    if (Object.keys(saved).length > 0) {
      this.options.store.saveMeta(this.roomId, saved).catch((error: unknown) => {
        this.log.error({ err: error }, 'saving room settings failed');
      });
    }
  };

  // ---------------------------------------------------------------------------------------------
  // Persistence

  /** Writes everything pending now; rejects if it could not be stored (it stays queued). */
  flush(): Promise<void> {
    return this.persistence.flush();
  }

  /**
   * Writes everything pending, then folds the log into a fresh snapshot. Rejects if anything
   * could not be stored; the room then keeps its state in memory and retries.
   */
  compact(): Promise<void> {
    return this.persistence.compact();
  }

  /** Stops timers and frees the doc. Call only after a successful compact, or when discarding. */
  destroy(): void {
    if (this.destroyed) return;
    this.events.emit('closing');
    this.destroyed = true;
    this.persistence.close();
    this.roster.close();
    this.doc.off('update', this.handleDocUpdate);
    this.meta.unobserve(this.handleMetaChange);
    this.memberAwareness.destroy();
    this.doc.destroy();
  }

  /** Lets every member go and ends their connections (server shutdown, room deleted). */
  dismissAll(reason: DismissalReason): void {
    for (const member of [...this.members.values()]) {
      this.leave(member);
      member.dismiss(reason);
    }
  }
}
