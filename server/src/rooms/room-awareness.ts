import {
  AWARENESS_IDS_PER_CONNECTION,
  AWARENESS_STATE_MAX_BYTES,
  AWARENESS_STATE_MAX_DEPTH,
  SERVER_AWARENESS_KEY,
  type Participant,
  type ServerAwarenessState,
} from '@pairpad/shared';
import * as awarenessProtocol from 'y-protocols/awareness';
import type * as Y from 'yjs';
import {
  checkAwarenessState,
  decodeAwarenessEntries,
  encodeAwarenessEntries,
  isNullAwarenessState,
  type AwarenessEntry,
  type AwarenessStateProblem,
} from './awareness-entries';
import type { RoomMember } from './member';

export interface RoomAwarenessOptions {
  /** Whether the member is still in the room: one that left claims no ids. */
  isMember(member: RoomMember): boolean;
  /** The member's room colour, which its awareness `user.color` must show. */
  colorOf(name: string): string;
  /** Sends an awareness update (an `encodeAwarenessUpdate` body) to every member but `except`. */
  broadcast(body: Uint8Array, except: unknown): void;
}

/**
 * A room's Awareness, with ownership: every client id belongs to the member that introduced it,
 * nobody can set or remove another member's states, and a member's states go when it leaves.
 * The server's own state carries the roster (`SERVER_AWARENESS_KEY`), which only it may publish.
 */
export class RoomAwareness {
  /** The states themselves; change them only through this class. */
  readonly awareness: awarenessProtocol.Awareness;
  /** Awareness client ids each member announced; removed when it leaves. */
  private readonly owners = new Map<number, RoomMember>();
  private readonly controlledIds = new Map<RoomMember, Set<number>>();
  /** Set while a member's awareness frame is applied; that frame is forwarded as is. */
  private forwarding = false;

  constructor(
    private readonly doc: Y.Doc,
    private readonly options: RoomAwarenessOptions,
  ) {
    this.awareness = new awarenessProtocol.Awareness(doc);
    this.publishParticipants([]);
    this.awareness.on('update', this.handleUpdate);
  }

  /** Publishes the roster in the server's own state, where Yjs clients read it. */
  publishParticipants(participants: Participant[]): void {
    this.awareness.setLocalState({ [SERVER_AWARENESS_KEY]: { participants } satisfies ServerAwarenessState });
  }

  /** How many states are known (the server's own included). */
  get size(): number {
    return this.awareness.getStates().size;
  }

  /** Every known state, as an `encodeAwarenessUpdate` body (a greeting, a query-awareness answer). */
  encodeAll(): Uint8Array {
    return awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...this.awareness.getStates().keys()]);
  }

  /**
   * Applies an awareness update from a member, dropping entries for client ids another member
   * owns (nobody can move someone else's cursor) and setting each state's `user` to the
   * connection as the server knows it: its display name, its role and its room colour. Otherwise a
   * viewer could draw a cursor as "editor", or anyone appear under someone else's name; and a
   * client built from the contract alone can rely on `user` being there.
   */
  apply(update: Uint8Array, member: RoomMember): AwarenessStateProblem | null {
    const entries = decodeAwarenessEntries(update);
    const kept: AwarenessEntry[] = [];
    let introduced = this.controlledIds.get(member)?.size ?? 0;
    for (const entry of entries) {
      // Bounded before anything is kept or forwarded: one state must never fail another's join.
      const problem = checkAwarenessState(entry.state, AWARENESS_STATE_MAX_BYTES, AWARENESS_STATE_MAX_DEPTH);
      if (problem) return problem;
      if (entry.clientID === this.doc.clientID) continue;
      const owner = this.owners.get(entry.clientID);
      if (owner !== undefined) {
        if (owner === member) kept.push(entry);
        continue;
      }
      // A member speaks only for the few ids it introduced: removing a state nobody has would
      // leave a clock record behind for every id an attacker can count to.
      if (isNullAwarenessState(entry.state) || introduced >= AWARENESS_IDS_PER_CONNECTION) continue;
      introduced++;
      kept.push(entry);
    }
    if (kept.length === 0) return null;
    const filtered = kept.length === entries.length ? update : encodeAwarenessEntries(kept);
    this.forwarding = true;
    try {
      awarenessProtocol.applyAwarenessUpdate(this.awareness, filtered, member);
    } finally {
      this.forwarding = false;
    }
    // The states were parsed once, by applyAwarenessUpdate; correct them in place. Usually
    // nothing needs correcting, and the bytes are forwarded as received instead of re-encoding
    // every state as JSON: receivers apply awareness by clock, so an entry the server itself
    // ignored as stale is ignored there too.
    let corrected = false;
    const states = this.awareness.getStates();
    for (const entry of kept) {
      const state = states.get(entry.clientID);
      if (state && this.claimIdentity(state, member)) corrected = true;
    }
    const body = corrected ? awarenessProtocol.encodeAwarenessUpdate(this.awareness, kept.map((entry) => entry.clientID).filter((id) => this.awareness.meta.has(id))) : filtered;
    this.options.broadcast(body, member);
    return null;
  }

  /** Removes the states of a member that left (call after it left); everyone is told. */
  forget(member: RoomMember): void {
    const ids = this.controlledIds.get(member);
    this.controlledIds.delete(member);
    if (!ids || ids.size === 0) return;
    for (const id of ids) this.owners.delete(id);
    awarenessProtocol.removeAwarenessStates(this.awareness, [...ids], member);
    // Awareness keeps a clock per client id forever; nobody speaks for these ids any more.
    for (const id of ids) this.awareness.meta.delete(id);
  }

  destroy(): void {
    this.awareness.off('update', this.handleUpdate);
    this.awareness.destroy();
  }

  /**
   * Sets `state.user` to the member's identity and removes the roster key only the server may
   * publish; true when it had to change anything.
   */
  private claimIdentity(state: Record<string, unknown>, member: RoomMember): boolean {
    let changed = false;
    if (SERVER_AWARENESS_KEY in state) {
      delete state[SERVER_AWARENESS_KEY];
      changed = true;
    }
    const user = state.user !== null && typeof state.user === 'object' && !Array.isArray(state.user) ? (state.user as Record<string, unknown>) : {};
    const color = this.options.colorOf(member.name);
    if (user.name === member.name && user.role === member.role && user.color === color) return changed;
    state.user = { ...user, name: member.name, role: member.role, color };
    return true;
  }

  private readonly handleUpdate = (changes: { added: number[]; updated: number[]; removed: number[] }, origin: unknown): void => {
    if (origin && typeof origin === 'object' && 'connectionId' in origin) {
      const member = origin as RoomMember;
      if (this.options.isMember(member)) {
        let ids = this.controlledIds.get(member);
        if (!ids) this.controlledIds.set(member, (ids = new Set()));
        for (const id of changes.added.concat(changes.updated)) {
          ids.add(id);
          this.owners.set(id, member);
        }
        for (const id of changes.removed) {
          ids.delete(id);
          this.owners.delete(id);
          this.awareness.meta.delete(id);
        }
      }
    }
    if (this.forwarding) return;
    const changed = changes.added.concat(changes.updated, changes.removed);
    this.options.broadcast(awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed), origin);
  };
}
