import type { Language, Participant } from '@pairpad/shared';
import type { RoomMember } from '../rooms/member';
import type { Room } from '../rooms/room';

/** What an LWW session takes from its room's fan-out. */
export interface LwwListener extends RoomMember {
  /** Full document text after a change; `from` is the last author. */
  deliverText(text: string, from: string): void;
  deliverPresence(participants: Participant[]): void;
  /** Someone else announced typing. */
  deliverTyping(name: string): void;
  deliverMeta(meta: { name: string; language: Language; limit: number }): void;
}

/**
 * The simple-sync endpoint's side of one room: listens to the room's events while the room has
 * LWW sessions, and pushes to them. The full text goes out at most once per `coalesceMs`, however
 * fast the document changes, so a busy Yjs room does not send the whole buffer per keystroke.
 */
class LwwFanOut {
  private readonly listeners = new Set<LwwListener>();
  private readonly unsubscribe: (() => void)[];
  private textTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly room: Room,
    private readonly coalesceMs: number,
  ) {
    const { events } = room;
    this.unsubscribe = [
      events.on('changed', this.scheduleText),
      events.on('presence', (participants) => {
        for (const listener of this.listeners) listener.deliverPresence(participants);
      }),
      events.on('typing', (member) => {
        for (const listener of this.listeners) if (listener !== member) listener.deliverTyping(member.name);
      }),
      events.on('settings', (settings) => {
        for (const listener of this.listeners) listener.deliverMeta(settings);
      }),
    ];
  }

  get isEmpty(): boolean {
    return this.listeners.size === 0;
  }

  add(listener: LwwListener): void {
    this.listeners.add(listener);
  }

  remove(listener: LwwListener): void {
    this.listeners.delete(listener);
  }

  close(): void {
    for (const off of this.unsubscribe) off();
    if (this.textTimer) clearTimeout(this.textTimer);
    this.textTimer = null;
  }

  private readonly scheduleText = (): void => {
    this.textTimer ??= setTimeout(this.pushText, this.coalesceMs);
  };

  private readonly pushText = (): void => {
    this.textTimer = null;
    if (this.room.isDestroyed) return;
    const text = this.room.currentText();
    const from = this.room.lastAuthorName;
    for (const listener of this.listeners) listener.deliverText(text, from);
  };
}

/** One fan-out per room, for as long as it has LWW sessions. */
const fanOuts = new WeakMap<Room, LwwFanOut>();

/**
 * Subscribes an LWW session to its room's changes; returns the function that unsubscribes it.
 * The first session of a room starts listening to it, the last one to leave stops.
 */
export function joinLwwFanOut(room: Room, listener: LwwListener, coalesceMs: number): () => void {
  let fanOut = fanOuts.get(room);
  if (!fanOut) {
    fanOut = new LwwFanOut(room, coalesceMs);
    fanOuts.set(room, fanOut);
  }
  fanOut.add(listener);
  const joined = fanOut;
  return () => {
    joined.remove(listener);
    if (joined.isEmpty && fanOuts.get(room) === joined) {
      joined.close();
      fanOuts.delete(room);
    }
  };
}
