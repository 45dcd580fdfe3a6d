import { randomUUID } from 'node:crypto';
import {
  colorForName,
  DOC_META_KEY,
  DOC_TEXT_KEY,
  isLanguage,
  META_KEYS,
  REPLAY_MAX_STEPS,
  type Blame,
  type HistoryAuthor,
  type Language,
  type Replay,
  type RestoreResult,
  type VersionKind,
  type VersionSummary,
} from '@pairpad/shared';
import * as Y from 'yjs';
import type { Tuning } from '../config';
import { AppError } from '../errors';
import { roomRef, type Logger } from '../log';
import { replayStored } from '../rooms/doc-store';
import type { RoomMember } from '../rooms/member';
import type { Room, RoomSettings } from '../rooms/room';
import type { RoomRegistry } from '../rooms/room-registry';
import { diffHunks } from '@pairpad/shared/text-merge';
import { bindingsFrom, bindRanges, blameText, rangesFromRows, RangeCollector, type ClientBindings } from './attribution';
import { checkpointIfDue } from './checkpoints';
import type { AuthorshipBatch, HistoryStore, VersionRecord } from './history-store';

export type HistoryTuning = Tuning['history'];

/** Rows read per step when catching authorship up. */
const ATTRIBUTION_PAGE = 2_000;
/** A replay reads at most this many log rows (then merges them into REPLAY_MAX_STEPS steps). */
const REPLAY_MAX_ROWS = 50_000;
/** How long a version waits for the edits before it to be stored. */
const LOG_POINT_TIMEOUT_MS = 30_000;

export interface HistoryServiceDeps {
  store: HistoryStore;
  registry: RoomRegistry;
  logger: Logger;
  tuning: Readonly<HistoryTuning>;
}

interface TextState {
  text: string;
  language: Language | null;
}

/** The person acting through REST (restore): a member-like origin the room records edits under. */
function actorOrigin(name: string): RoomMember {
  return { connectionId: `rest:${randomUUID()}`, name, role: 'editor', sessionId: null, viaViewId: false, dismiss: () => {} };
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Characters inserted and deleted between two texts. */
function changeSize(from: string, to: string): { inserted: number; deleted: number } {
  let inserted = 0;
  let deleted = 0;
  for (const hunk of diffHunks(from, to)) {
    inserted += hunk.insert.length;
    deleted += hunk.end - hunk.start;
  }
  return { inserted, deleted };
}

const ignore = (): void => {};

const toBase64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/** Per loaded room: when to take an automatic version, and the text of the last one. */
class RoomVersions {
  lastChangeAt = 0;
  dirtySince: number | null = null;
  lastVersionAt = Date.now();
  /** Text of the newest version, once known (for change sizes). */
  lastText: string | null = null;
  /** Versions of a room are taken one after another, so their order is their log order. */
  chain: Promise<unknown> = Promise.resolve();
  timer: NodeJS.Timeout | null = null;
  /** Edits since the last maintenance pass (authorship, checkpoints). */
  maintenanceDue = false;
  /**
   * Authorship of what this room stored since it was last written, read from each batch as it is
   * stored (not from the database, and not kept as rows): log positions `(from, through]`. A new
   * segment starts only if the room's log position jumped, which makes the pass read the database.
   */
  unwritten: { from: number; through: number; ranges: RangeCollector }[] = [];
  /** Who each client id is bound to, once read (only this room's owner adds to it). */
  bindings: ClientBindings | null = null;
  /** How far authorship is read, as this room last wrote it; null: ask the database. */
  attributedThrough: number | null = null;
  /** Log rows stored since the last checkpoint was looked at. */
  rowsSinceCheckpoint = 0;
  checkpointCheckedAt = Date.now();
  readonly stop: () => void;

  constructor(
    readonly room: Room,
    private readonly service: HistoryService,
    private readonly tuning: Readonly<HistoryTuning>,
  ) {
    const offChanged = room.events.on('changed', this.onChanged);
    const offClosing = room.events.on('closing', this.onClosing);
    const offOverwriting = room.events.on('overwriting', (member) => service.beforeOverwrite(this, member.name));
    const offStored = room.events.on('stored', (rows, from, through) => {
      const last = this.unwritten.at(-1);
      if (last?.through === from) {
        last.ranges.add(rows);
        last.through = through;
      } else {
        this.unwritten.push({ from, through, ranges: new RangeCollector().add(rows) });
      }
      this.rowsSinceCheckpoint += rows.length;
      this.maintenanceDue = true;
    });
    this.stop = () => {
      offStored();
      offChanged();
      offClosing();
      offOverwriting();
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
    };
  }

  // Called for every edit of the text: only stamps times; one timer per room does the rest.
  private readonly onChanged = (): void => {
    const now = Date.now();
    this.lastChangeAt = now;
    this.dirtySince ??= now;
    if (now - this.lastVersionAt >= this.tuning.maxIntervalMs) {
      this.service.takeAuto(this);
      return;
    }
    this.timer ??= setTimeout(this.onQuietCheck, this.tuning.quietMs);
  };

  private readonly onQuietCheck = (): void => {
    this.timer = null;
    if (this.dirtySince === null) return;
    const quietFor = Date.now() - this.lastChangeAt;
    if (quietFor >= this.tuning.quietMs) this.service.takeAuto(this);
    else this.timer = setTimeout(this.onQuietCheck, this.tuning.quietMs - quietFor);
  };

  private readonly onClosing = (): void => {
    if (this.dirtySince !== null) this.service.takeAuto(this);
    this.service.forget(this);
  };
}

/**
 * History of rooms: versions (automatic, named, before restores and overwrites), replay,
 * authorship, restore and fork. Works beside the rooms, never inside their fan-out: it listens
 * to room events, takes log points, and reads and writes storage on its own timers.
 */
export class HistoryService {
  private readonly tuning: Readonly<HistoryTuning>;
  /** Versions being written: shutdown waits for them before the database closes. */
  private readonly writing = new Set<Promise<unknown>>();
  private readonly tracked = new Map<string, RoomVersions>();
  private readonly stopLoaded: () => void;
  private maintenanceTimer: NodeJS.Timeout | null = null;
  private maintaining: Promise<void> | null = null;
  private readonly log: Logger;

  constructor(private readonly deps: HistoryServiceDeps) {
    this.tuning = deps.tuning;
    this.log = deps.logger;
    this.stopLoaded = deps.registry.onLoaded((room) => this.track(room));
    this.maintenanceTimer = setInterval(() => {
      void this.maintain();
    }, this.tuning.maintenanceMs);
    this.maintenanceTimer.unref();
  }

  private track(room: Room): RoomVersions {
    let versions = this.tracked.get(room.roomId);
    if (versions?.room === room) return versions;
    versions?.stop();
    versions = new RoomVersions(room, this, this.tuning);
    this.tracked.set(room.roomId, versions);
    return versions;
  }

  /** @internal the room is closing. */
  forget(versions: RoomVersions): void {
    versions.stop();
    // Its last pass (authorship, checkpoint) still runs once, and shutdown waits for it: the
    // database must not close (nor a test empty it) under its write.
    if (versions.maintenanceDue) void this.whileWriting(this.maintainRooms([versions]));
    if (this.tracked.get(versions.room.roomId) === versions) this.tracked.delete(versions.room.roomId);
  }

  /** @internal an automatic version is due. */
  takeAuto(versions: RoomVersions): void {
    this.take(versions, 'auto', {}).catch((error: unknown) => {
      this.log.warn({ err: error, room: roomRef(versions.room.roomId) }, 'automatic version not taken');
    });
  }

  /**
   * Takes a version of the live room as it is at this moment: its text now, and the log
   * position its edits so far reach once stored.
   */
  private take(versions: RoomVersions, kind: VersionKind, options: { name?: string; by?: string }): Promise<VersionRecord> {
    const { room } = versions;
    const text = room.currentText();
    const point = room.logPoint();
    versions.dirtySince = null;
    versions.lastVersionAt = Date.now();
    if (versions.timer) clearTimeout(versions.timer);
    versions.timer = null;
    const run = versions.chain.then(async () => {
      const through = await withTimeout(point, LOG_POINT_TIMEOUT_MS, 'edits before the version were not stored in time');
      const previous = versions.lastText ?? (await this.latestText(room.roomId));
      versions.lastText = text;
      return this.deps.store.createVersion(room.roomId, {
        through,
        kind,
        name: options.name ?? null,
        createdBy: options.by ?? null,
        ...changeSize(previous, text),
        length: text.length,
      });
    });
    versions.chain = this.whileWriting(run.then(ignore, ignore));
    return run;
  }

  /** Counts `work` among the writes shutdown waits for. */
  private whileWriting(work: Promise<void>): Promise<void> {
    this.writing.add(work);
    void work.then(() => this.writing.delete(work));
    return work;
  }

  private async latestText(roomId: string): Promise<string> {
    const latest = await this.deps.store.latestVersion(roomId);
    return latest ? (await this.stateAt(roomId, latest.through)).text : '';
  }

  /** Text and language at a log position, rebuilt from the nearest checkpoint. */
  private async stateAt(roomId: string, through: number): Promise<TextState> {
    const doc = replayStored(await this.deps.store.readAt(roomId, through));
    try {
      const language = doc.getMap(DOC_META_KEY).get(META_KEYS.language);
      return { text: doc.getText(DOC_TEXT_KEY).toString(), language: isLanguage(language) ? language : null };
    } finally {
      doc.destroy();
    }
  }

  private colorOf(roomId: string, settings: RoomSettings): (name: string) => string {
    const live = this.deps.registry.get(roomId);
    if (live) return (name) => live.colorOf(name);
    const stored = new Map((settings.roster ?? []).map((person) => [person.name, person.color]));
    return (name) => stored.get(name) ?? colorForName(name);
  }

  summary(version: VersionRecord, colorOf: (name: string) => string): VersionSummary {
    const authors: HistoryAuthor[] = version.authors.map((name) => ({ name, color: colorOf(name) }));
    return {
      id: version.id,
      at: version.createdAt.toISOString(),
      kind: version.kind as VersionKind,
      name: version.name,
      by: version.createdBy,
      authors,
      inserted: version.inserted,
      deleted: version.deleted,
      length: version.length,
    };
  }

  async list(settings: RoomSettings, options: { before?: number; limit: number }): Promise<{ versions: VersionSummary[]; nextBefore?: number }> {
    const records = await this.deps.store.listVersions(settings.roomId, { ...options, limit: options.limit + 1 });
    const colorOf = this.colorOf(settings.roomId, settings);
    const page = records.slice(0, options.limit);
    const more = records.length > options.limit;
    return { versions: page.map((record) => this.summary(record, colorOf)), ...(more && { nextBefore: page.at(-1)!.id }) };
  }

  private async version(roomId: string, id: number): Promise<VersionRecord> {
    const record = await this.deps.store.getVersion(roomId, id);
    if (!record) throw new AppError(404, 'not_found', `this room has no version ${id}`);
    return record;
  }

  async details(settings: RoomSettings, id: number): Promise<VersionSummary & { text: string; language: Language }> {
    const record = await this.version(settings.roomId, id);
    const state = await this.stateAt(settings.roomId, record.through);
    return { ...this.summary(record, this.colorOf(settings.roomId, settings)), text: state.text, language: state.language ?? settings.language };
  }

  /**
   * A named version (Save). Of the live room when it is loaded here; otherwise of what is
   * stored, which is then the whole document.
   */
  async save(settings: RoomSettings, options: { name?: string; by: string }): Promise<VersionSummary> {
    const colorOf = this.colorOf(settings.roomId, settings);
    const live = this.deps.registry.get(settings.roomId);
    if (live) return this.summary(await this.take(this.track(live), 'named', options), colorOf);
    const through = await this.deps.store.logPosition(settings.roomId);
    const { text } = await this.stateAt(settings.roomId, through);
    const previous = await this.latestText(settings.roomId);
    const record = await this.deps.store.createVersion(settings.roomId, {
      through,
      kind: 'named',
      name: options.name ?? null,
      createdBy: options.by,
      ...changeSize(previous, text),
      length: text.length,
    });
    return this.summary(record, colorOf);
  }

  /**
   * @internal A simple-sync client is about to replace most of the text: keep what was there as
   * a version. Synchronous up to the log point, so the version is the text before the write.
   */
  beforeOverwrite(versions: RoomVersions, by: string): void {
    this.take(versions, 'before_overwrite', { by }).catch((error: unknown) => {
      this.log.warn({ err: error, room: roomRef(versions.room.roomId) }, 'version before an overwrite not taken');
    });
  }

  /**
   * Restores a version: a version of the text now is taken first (restoring it undoes this),
   * then the smallest edit from the text now to the version's is applied by `by`, with a notice
   * everyone sees, as one update.
   */
  async restore(settings: RoomSettings, id: number, by: string): Promise<RestoreResult> {
    const record = await this.version(settings.roomId, id);
    const target = await this.stateAt(settings.roomId, record.through);
    const room = await this.deps.registry.open(settings);
    if (!room) throw new AppError(503, 'db_unavailable', 'the room cannot be opened now; try again shortly');
    const backup = await this.take(this.track(room), 'before_restore', { by });
    if (room.isDestroyed) throw new AppError(503, 'db_unavailable', 'the room closed during the restore; try again');
    const edits = diffHunks(room.currentText(), target.text).map((hunk) => ({ index: hunk.start, deleteCount: hunk.end - hunk.start, insert: hunk.insert }));
    room.applyTextEditsWithNotice(edits, actorOrigin(by), {
      kind: 'restored',
      by,
      version: record.id,
      versionAt: record.createdAt.toISOString(),
      versionName: record.name,
      backup: backup.id,
      at: new Date().toISOString(),
    });
    const colorOf = (name: string) => room.colorOf(name);
    return { restored: this.summary(record, colorOf), backup: this.summary(backup, colorOf) };
  }

  /** The text and language a fork starts from: a version's, or the document's now. */
  async forkSource(settings: RoomSettings, id: number | undefined): Promise<{ text: string; language: Language; version: number | null }> {
    if (id === undefined) return { text: await this.deps.registry.readText(settings.roomId), language: settings.language, version: null };
    const record = await this.version(settings.roomId, id);
    const state = await this.stateAt(settings.roomId, record.through);
    return { text: state.text, language: state.language ?? settings.language, version: record.id };
  }

  /** Who wrote each character of the text now, or of a version. */
  async blame(settings: RoomSettings, id: number | undefined): Promise<Blame> {
    const { roomId } = settings;
    const live = this.deps.registry.get(roomId);
    if (live && id === undefined) await live.flush().catch(() => {});
    // What the live room holds first, so the database is read only for what it does not.
    const versions = this.tracked.get(roomId);
    if (versions) await this.maintainRooms([versions]);
    await this.attribute(roomId);
    const ranges = await this.deps.store.authorship(roomId);
    const colorOf = this.colorOf(roomId, settings);
    let doc: Y.Doc;
    let owned = true;
    if (id !== undefined) {
      const record = await this.version(roomId, id);
      doc = replayStored(await this.deps.store.readAt(roomId, record.through));
    } else if (live && !live.isDestroyed) {
      doc = live.doc;
      owned = false;
    } else {
      doc = replayStored(await this.deps.store.readAt(roomId, await this.deps.store.logPosition(roomId)));
    }
    try {
      const text = doc.getText(DOC_TEXT_KEY);
      const blamed = blameText(text, ranges, colorOf);
      const chars = new Map<string, number>();
      for (const range of blamed) if (range.author !== null) chars.set(range.author, (chars.get(range.author) ?? 0) + range.end - range.start);
      return {
        version: id ?? null,
        length: text.length,
        ranges: blamed,
        authors: [...chars].sort((a, b) => b[1] - a[1]).map(([name, count]) => ({ name, color: colorOf(name), chars: count })),
      };
    } finally {
      if (owned) doc.destroy();
    }
  }

  /** The session from version `from` to version `to` (or now), as a base state and steps. */
  async replay(settings: RoomSettings, fromId: number, toId: number | undefined): Promise<Replay> {
    const { roomId } = settings;
    const from = await this.version(roomId, fromId);
    let end: number;
    if (toId !== undefined) {
      const to = await this.version(roomId, toId);
      if (to.through < from.through) throw new AppError(400, 'invalid_request', '`to` must be a version after `from`');
      end = to.through;
    } else {
      await this.deps.registry.get(roomId)?.flush().catch(() => {});
      end = await this.deps.store.logPosition(roomId);
    }
    const base = replayStored(await this.deps.store.readAt(roomId, from.through));
    let state: Uint8Array;
    try {
      state = Y.encodeStateAsUpdate(base);
    } finally {
      base.destroy();
    }
    const rows = await this.deps.store.logRows(roomId, from.through, end, REPLAY_MAX_ROWS);
    const perStep = Math.max(1, Math.ceil(rows.length / REPLAY_MAX_STEPS));
    const steps: Replay['steps'] = [];
    for (let start = 0; start < rows.length; start += perStep) {
      const group = rows.slice(start, start + perStep);
      const last = group.at(-1)!;
      const update = group.length === 1 ? last.update : Y.mergeUpdates(group.map((row) => row.update));
      steps.push({ at: last.at.toISOString(), author: last.author, update: toBase64(update) });
    }
    return { from: from.id, to: toId ?? null, base: toBase64(state), steps };
  }

  /** Reads authorship from the log rows not read yet. */
  async attribute(roomId: string): Promise<void> {
    for (;;) {
      const { after, rows } = await this.deps.store.unattributed(roomId, ATTRIBUTION_PAGE);
      if (rows.length === 0) return;
      const bindings = bindingsFrom(await this.deps.store.authorship(roomId));
      const ranges = rangesFromRows(rows, bindings);
      if (ranges.some((range) => range.flagged)) this.warnFlagged(roomId, ranges);
      await this.deps.store.saveAuthorship([{ roomId, after, through: rows.at(-1)!.id, ranges }]);
      if (rows.length < ATTRIBUTION_PAGE) return;
    }
  }

  /**
   * Reads authorship of what these rooms stored since the last pass from memory (the rows they
   * wrote), and writes it for all of them at once. The database is read only for what a room
   * does not hold: where reading stands when it first loaded here, and rows written before it
   * loaded, by another instance, or when a pass failed (then one room at a time).
   */
  private async attributeStored(list: readonly RoomVersions[]): Promise<void> {
    const unknown = list.filter((versions) => versions.attributedThrough === null || versions.bindings === null);
    if (unknown.length > 0) {
      const states = await this.deps.store.attributionStates(unknown.map((versions) => versions.room.roomId));
      for (const versions of unknown) {
        const state = states.get(versions.room.roomId);
        versions.attributedThrough = state?.through ?? 0;
        versions.bindings = bindingsFrom(state?.firstRanges ?? []);
      }
    }
    const batches: (AuthorshipBatch & { versions: RoomVersions })[] = [];
    const behind: RoomVersions[] = [];
    for (const versions of list) {
      const after = versions.attributedThrough!;
      const fresh = versions.unwritten.filter((segment) => segment.through > after);
      versions.unwritten = [];
      if (fresh.length === 0) continue;
      // Exactly what follows `after` is in memory only as one segment starting there.
      if (fresh.length > 1 || fresh[0]!.from !== after) {
        behind.push(versions);
        continue;
      }
      const ranges = bindRanges(fresh[0]!.ranges.ranges, versions.bindings!);
      if (ranges.some((range) => range.flagged)) this.warnFlagged(versions.room.roomId, ranges);
      batches.push({ roomId: versions.room.roomId, after, through: fresh[0]!.through, ranges, versions });
    }
    if (batches.length > 0) {
      const saved = await this.deps.store.saveAuthorship(batches);
      for (const { roomId, through, versions } of batches) {
        // Another reader moved on meanwhile: ask the database next time.
        versions.attributedThrough = saved.has(roomId) ? through : null;
        if (!saved.has(roomId)) versions.bindings = null;
      }
    }
    for (const versions of behind) {
      versions.attributedThrough = null;
      versions.bindings = null;
      await this.attribute(versions.room.roomId);
    }
  }

  private warnFlagged(roomId: string, ranges: readonly { flagged: boolean }[]): void {
    this.log.warn({ room: roomRef(roomId), ranges: ranges.filter((range) => range.flagged).length }, 'edits sent under a client id first seen from another session; attributed to their sender');
  }

  /** Authorship, then checkpoints, of rooms edited since their last pass. */
  private async maintainRooms(list: readonly RoomVersions[]): Promise<void> {
    for (const versions of list) versions.maintenanceDue = false;
    try {
      await this.attributeStored(list);
    } catch (error) {
      for (const versions of list) versions.maintenanceDue = true;
      this.log.warn({ err: error, rooms: list.length }, 'history upkeep failed; will retry');
      return;
    }
    for (const versions of list) {
      // Only when this room stored enough to make one due: most passes then cost no query.
      const sinceCheck = Date.now() - versions.checkpointCheckedAt;
      if (versions.rowsSinceCheckpoint < this.tuning.checkpointRows && !(versions.rowsSinceCheckpoint > 0 && sinceCheck >= this.tuning.checkpointMs)) continue;
      versions.checkpointCheckedAt = Date.now();
      try {
        if (await checkpointIfDue(this.deps.store, versions.room.roomId, this.tuning)) versions.rowsSinceCheckpoint = 0;
      } catch (error) {
        versions.maintenanceDue = true;
        this.log.warn({ err: error, room: roomRef(versions.room.roomId) }, 'history checkpoint failed; will retry');
      }
    }
  }

  /** One pass over rooms edited since the last. */
  maintain(): Promise<void> {
    this.maintaining ??= this.maintainRooms([...this.tracked.values()].filter((versions) => versions.maintenanceDue)).finally(() => {
      this.maintaining = null;
    });
    return this.maintaining;
  }

  /** Stops, after the versions being written (call after the rooms closed, before the database). */
  async close(): Promise<void> {
    this.stopLoaded();
    if (this.maintenanceTimer) clearInterval(this.maintenanceTimer);
    this.maintenanceTimer = null;
    for (const versions of this.tracked.values()) versions.stop();
    this.tracked.clear();
    await Promise.allSettled([...this.writing, this.maintaining]);
  }
}
