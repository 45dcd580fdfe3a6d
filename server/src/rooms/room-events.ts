import type { Language, Participant } from '@pairpad/shared';
import type { StoredUpdate } from './doc-store';
import type { RoomMember } from './member';

/**
 * What a room announces to whoever listens, beyond the y-websocket frames it sends its members.
 * The simple-sync endpoint (sync/lww-fan-out.ts) is built on these, so the room does not know it
 * exists.
 */
export interface RoomEventMap {
  /** The document's text changed, from any origin (read `currentText()` and `lastAuthorName`). */
  changed: () => void;
  /** The roster changed: someone joined, left, or started or stopped typing. */
  presence: (participants: Participant[]) => void;
  /** A member announced typing without sending an edit yet. */
  typing: (member: RoomMember) => void;
  /** The room's name, language or limit changed. */
  settings: (settings: { name: string; language: Language; limit: number }) => void;
  /** A member's whole-buffer write is about to replace more than half of the text (history keeps what was there). */
  overwriting: (member: RoomMember) => void;
  /** Log rows after position `from` were written, up to `through` (history reads authorship from them, off the fan-out). */
  stored: (rows: readonly StoredUpdate[], from: number, through: number) => void;
  /** The room is about to be freed (unloaded, evicted or shut down); its document is still readable. */
  closing: () => void;
}

/**
 * A minimal typed emitter. An event without listeners costs one property read: `changed` fires
 * for every edit.
 */
export class RoomEvents {
  private readonly listeners: { [E in keyof RoomEventMap]?: Set<AnyListener> } = {};

  /** Adds a listener; returns the function that removes it. */
  on<E extends keyof RoomEventMap>(event: E, listener: RoomEventMap[E]): () => void {
    let set = this.listeners[event];
    if (!set) this.listeners[event] = set = new Set();
    const added = set.add(listener as AnyListener);
    return () => {
      added.delete(listener as AnyListener);
      if (added.size === 0 && this.listeners[event] === added) delete this.listeners[event];
    };
  }

  emit<E extends keyof RoomEventMap>(event: E, ...args: Parameters<RoomEventMap[E]>): void {
    const set = this.listeners[event];
    if (!set) return;
    for (const listener of set) (listener as (...args: Parameters<RoomEventMap[E]>) => void)(...args);
  }
}

type AnyListener = (...args: never[]) => void;
