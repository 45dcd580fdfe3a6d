import { DOC_TEXT_KEY } from '@pairpad/shared';
import { roomRef, type Logger } from '../log';
import { replayStored, type DocStore } from './doc-store';
import { PersistQueue } from './persist-queue';
import { StoredTextCache } from './stored-text-cache';
import type { AdmissionRefusal, DismissalReason, JoinRequest, RoomMember } from './member';
import { Room, type RoomOptions, type RoomSettings } from './room';

export interface RoomRegistryOptions extends Omit<RoomOptions, 'store' | 'logger' | 'queue'> {
  store: DocStore;
  logger: Logger;
  /** Loads beyond this many rooms in memory are refused until some unload. */
  maxRoomsInMemory: number;
  /** Grace after the last member leaves, so a page reload does not reload the room from storage. */
  unloadDelayMs: number;
  /** A room left memory, its state stored (several instances: its lease may go). */
  onUnloaded?(roomId: string): void;
  /**
   * How long a member whose name a newcomer asks for has to answer a ping. Clients take a
   * `name_taken` refusal as final, so one that reconnects before the keepalive noticed its old
   * socket died would be locked out for good; a socket that does not answer is cut and the
   * newcomer admitted.
   */
  nameProbeMs: number;
}

export type EnterResult = { ok: true; room: Room; member: RoomMember } | AdmissionRefusal;

const SHUTTING_DOWN: AdmissionRefusal = { ok: false, reason: 'shutting_down', message: 'server is shutting down' };
const SERVER_BUSY: AdmissionRefusal = { ok: false, reason: 'server_busy', message: 'server busy, try again later' };

/** Texts of idle rooms kept for REST reads (UTF-16 bytes). */
const STORED_TEXT_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * Owns the live rooms: loads each once (concurrent joins share one load), admits members
 * atomically, and unloads a room only after its last member left *and* its state is stored.
 * Transport-free: sessions and REST adapters call it; it calls the DocStore.
 */
export class RoomRegistry {
  private readonly rooms = new Map<string, Room>();
  private readonly loading = new Map<string, Promise<Room>>();
  private readonly unloadTimers = new Map<string, NodeJS.Timeout>();
  private readonly log: Logger;
  private closing: Promise<void> | null = null;
  private readonly queue: PersistQueue;
  private readonly storedTexts = new StoredTextCache(STORED_TEXT_CACHE_BYTES);
  private readonly readingTexts = new Map<string, Promise<string>>();
  /** Counts loads and unloads, so a stored read that raced one is not cached. */
  private residencyChanges = 0;
  private readonly loadedListeners = new Set<(room: Room) => void>();

  constructor(private readonly options: RoomRegistryOptions) {
    this.log = options.logger;
    this.queue = new PersistQueue(
      options.store,
      { flushMs: options.persistFlushMs, retryMinMs: options.retryMinMs, retryMaxMs: options.retryMaxMs },
      options.logger,
    );
  }

  get size(): number {
    return this.rooms.size;
  }

  get(roomId: string): Room | undefined {
    return this.rooms.get(roomId);
  }

  /** A loaded room by its view id (viewers joining an active room skip the database). */
  getByViewId(viewId: string): Room | undefined {
    for (const room of this.rooms.values()) if (room.settings.viewId === viewId) return room;
    return undefined;
  }

  loadedRoomIds(): string[] {
    return [...this.rooms.keys()];
  }

  /** Rooms whose latest changes are not yet stored (e.g. while the database is down). */
  unsavedRoomCount(): number {
    let count = 0;
    for (const room of this.rooms.values()) if (room.hasUnsavedChanges || !room.storeHealthy) count++;
    return count;
  }

  /** The room's load, shared by concurrent joins; null when no more rooms fit in memory. */
  private load(settings: RoomSettings): Promise<Room> | null {
    const existing = this.loading.get(settings.roomId);
    if (existing) return existing;
    if (this.rooms.size + this.loading.size >= this.options.maxRoomsInMemory) {
      this.log.warn({ room: roomRef(settings.roomId), limit: this.options.maxRoomsInMemory }, 'refusing a join: rooms in memory at limit');
      return null;
    }
    const promise = Room.load(settings, { ...this.options, logger: this.log, queue: this.queue })
      .then((room) => {
        this.residencyChanges++;
        this.storedTexts.delete(settings.roomId);
        this.rooms.set(settings.roomId, room);
        for (const listener of this.loadedListeners) listener(room);
        return room;
      })
      .finally(() => {
        this.loading.delete(settings.roomId);
      });
    this.loading.set(settings.roomId, promise);
    return promise;
  }

  /**
   * Loads the room if needed, then admits and joins the member in one synchronous step, so no
   * unload or competing join can slip in between the capacity check and the join.
   */
  async enter(
    settings: RoomSettings,
    candidate: JoinRequest,
    createMember: (room: Room) => RoomMember,
  ): Promise<EnterResult> {
    if (this.closing) return SHUTTING_DOWN;
    const probed = new Set<RoomMember>();
    for (;;) {
      const loading = this.rooms.get(settings.roomId) ?? this.load(settings);
      if (!loading) return SERVER_BUSY;
      const room = await loading;
      // The room may have been unloaded while we awaited; load it again.
      if (room.isDestroyed || this.rooms.get(settings.roomId) !== room) continue;
      if (this.closing) return SHUTTING_DOWN;
      this.cancelUnload(room.roomId);
      const admission = room.admit(candidate);
      if (!admission.ok) {
        const taken = admission.nameTakenBy;
        if (taken?.probe && !probed.has(taken)) {
          // Outside the synchronous admission: after the probe, admission is decided afresh.
          probed.add(taken);
          if (!(await taken.probe(this.options.nameProbeMs))) taken.dismiss('unresponsive');
          continue;
        }
        if (room.isIdle) this.scheduleUnload(room);
        return { ok: false, reason: admission.reason, message: admission.message };
      }
      const member = createMember(room);
      room.join(member, admission.replaced);
      return { ok: true, room, member };
    }
  }

  /** Calls `listener` with every room loaded from now on; returns the function that stops it. */
  onLoaded(listener: (room: Room) => void): () => void {
    this.loadedListeners.add(listener);
    return () => this.loadedListeners.delete(listener);
  }

  /**
   * The live room, loaded without a member if needed (a REST write such as a restore); it
   * unloads again once idle. Null when no more rooms fit in memory or the server is closing.
   */
  async open(settings: RoomSettings): Promise<Room | null> {
    for (;;) {
      if (this.closing) return null;
      const loading = this.rooms.get(settings.roomId) ?? this.load(settings);
      if (!loading) return null;
      const room = await loading;
      if (room.isDestroyed || this.rooms.get(settings.roomId) !== room) continue;
      if (room.isIdle && !this.unloadTimers.has(room.roomId)) this.scheduleUnload(room);
      return room;
    }
  }

  /** Removes a member; the room unloads once idle and stored. */
  leave(room: Room, member: RoomMember): void {
    room.leave(member);
    if (room.isIdle) this.scheduleUnload(room);
  }

  private cancelUnload(roomId: string): void {
    const timer = this.unloadTimers.get(roomId);
    if (timer) {
      clearTimeout(timer);
      this.unloadTimers.delete(roomId);
    }
  }

  private scheduleUnload(room: Room, delay = this.options.unloadDelayMs): void {
    if (this.closing || room.isDestroyed) return;
    this.cancelUnload(room.roomId);
    const timer = setTimeout(() => {
      this.unloadTimers.delete(room.roomId);
      void this.unload(room);
    }, delay);
    // An idle room waiting to unload must not keep the process alive on its own.
    timer.unref?.();
    this.unloadTimers.set(room.roomId, timer);
  }

  /** Stores the room and drops it from memory if still idle; on a store failure it stays loaded. */
  private async unload(room: Room): Promise<void> {
    if (!room.isIdle || room.isDestroyed) return;
    try {
      await room.compact();
    } catch {
      // The room logged the failure and keeps retrying its writes; try unloading again later.
      this.scheduleUnload(room, Math.max(this.options.retryMaxMs, 1000));
      return;
    }
    if (!room.isIdle || this.rooms.get(room.roomId) !== room || room.hasUnsavedChanges) return;
    this.residencyChanges++;
    this.storedTexts.set(room.roomId, room.currentText());
    this.rooms.delete(room.roomId);
    room.destroy();
    this.log.debug({ room: roomRef(room.roomId) }, 'room unloaded');
    this.options.onUnloaded?.(room.roomId);
  }

  /**
   * Drops rooms this instance must no longer serve (another instance owns them now, or they
   * were deleted), without storing anything: their members are let go with `reason`, and
   * clients that reconnect bring their unsaved edits to wherever the room is served next.
   */
  evict(roomIds: readonly string[], reason: DismissalReason): void {
    for (const roomId of roomIds) {
      const loading = this.loading.get(roomId);
      if (loading) {
        void loading.then(() => this.evict([roomId], reason), () => {});
        continue;
      }
      const room = this.rooms.get(roomId);
      if (!room) continue;
      this.cancelUnload(roomId);
      this.residencyChanges++;
      this.storedTexts.delete(roomId);
      this.rooms.delete(roomId);
      room.dismissAll(reason);
      room.destroy();
      this.log.warn({ room: roomRef(roomId), reason }, 'room dropped from memory');
    }
  }

  /** Applies REST settings changes to a live room. */
  updateSettings(roomId: string, patch: Partial<Pick<RoomSettings, 'name' | 'language' | 'capacity' | 'updatedAt'>>): void {
    this.rooms.get(roomId)?.updateSettings(patch);
  }

  /** The document text, from memory when the room is live, else from storage without loading it. */
  async readText(roomId: string): Promise<string> {
    const live = this.rooms.get(roomId);
    if (live) return live.currentText();
    const cached = this.storedTexts.get(roomId);
    if (cached !== undefined) return cached;
    // Concurrent reads of one idle room share one decode.
    let reading = this.readingTexts.get(roomId);
    if (!reading) {
      reading = this.decodeStoredText(roomId).finally(() => this.readingTexts.delete(roomId));
      this.readingTexts.set(roomId, reading);
    }
    return reading;
  }

  private async decodeStoredText(roomId: string): Promise<string> {
    const generation = this.residencyChanges;
    const stored = await this.options.store.load(roomId);
    // Loaded meanwhile: the live text is newer than what was just read.
    const loaded = this.rooms.get(roomId);
    if (loaded) return loaded.currentText();
    const doc = replayStored(stored);
    try {
      const text = doc.getText(DOC_TEXT_KEY).toString();
      // A room that loaded (and maybe unloaded again) since the read began may have changed.
      if (generation === this.residencyChanges) this.storedTexts.set(roomId, text);
      return text;
    } finally {
      doc.destroy();
    }
  }

  /** Forces a snapshot of a live room now (the client's Save button). */
  async saveNow(roomId: string): Promise<void> {
    await this.rooms.get(roomId)?.compact();
  }

  /** Writes every room's pending updates; rejects if any could not be stored. */
  async flushAll(): Promise<void> {
    await this.queue.flush();
  }

  /**
   * Shutdown: closes every member, compacts every room (so a restart loads one snapshot), then
   * frees them. Idempotent. Rooms whose store fails are logged; their log rows written so far remain.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const timer of this.unloadTimers.values()) clearTimeout(timer);
      this.unloadTimers.clear();
      await Promise.allSettled([...this.loading.values()]);
      const rooms = [...this.rooms.values()];
      for (const room of rooms) room.dismissAll('shutting_down');
      const results = await Promise.allSettled(rooms.map((room) => room.compact()));
      results.forEach((result, i) => {
        if (result.status === 'rejected') {
          this.log.error({ room: roomRef(rooms[i]!.roomId), err: result.reason }, 'room could not be stored at shutdown');
        }
      });
      for (const room of rooms) room.destroy();
      this.rooms.clear();
      this.queue.close();
      for (const room of rooms) this.options.onUnloaded?.(room.roomId);
    })();
    return this.closing;
  }
}
