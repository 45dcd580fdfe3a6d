import { PARTICIPANT_COLORS, colorForName, type Participant, type Role } from '@pairpad/shared';
import type { RosterRecord } from './doc-store';
import type { RoomMember } from './member';

/** People who left that a room keeps listing, beyond its capacity. */
const MAX_OFFLINE_ROSTER = 50;

interface RosterEntry {
  name: string;
  color: string;
  role: Role;
  lastTypedAt: number;
  /** The typing flag as last published, so a sweep that changes nothing sends nothing. */
  typingShown: boolean;
}

export interface RosterOptions {
  /** The room's members by connection id, read live: who is online. */
  members: ReadonlyMap<string, RoomMember>;
  /** The room's capacity, read live (PATCH may change it). */
  capacity: () => number;
  /** A participant counts as typing for this long after their last edit. */
  typingMs: number;
  /** Called with the participants whenever what others see of them changed. */
  publish: (participants: Participant[]) => void;
}

/**
 * Who is or was in a room recently: each person's colour and role, whether they are online, and
 * whether they are typing. Kept by name, so a person who reconnects keeps their colour, and stored
 * with the snapshot (`records`), so people who left stay listed across unloads and restarts.
 */
export class Roster {
  private readonly entries = new Map<string, RosterEntry>();
  private typingTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly options: RosterOptions,
    stored: readonly RosterRecord[] = [],
  ) {
    for (const { name, color, role } of stored) {
      this.entries.set(name, { name, color, role, lastTypedAt: 0, typingShown: false });
    }
    this.trim();
  }

  /** Lists a member who was just admitted, most recent last, and publishes the change. */
  join(member: RoomMember): void {
    const previous = this.entries.get(member.name);
    this.entries.delete(member.name);
    this.entries.set(member.name, {
      name: member.name,
      color: this.colorFor(member.name, previous?.color),
      role: member.role,
      lastTypedAt: 0,
      typingShown: false,
    });
    this.trim();
    this.publish();
  }

  /** Publishes that a member left (they stay listed, offline). */
  leave(): void {
    this.publish();
  }

  /** The colour the room gave this person (their cursor and awareness `user.color`). */
  colorOf(name: string): string {
    return this.entries.get(name)?.color ?? colorForName(name);
  }

  /** What is stored with a snapshot. */
  records(): RosterRecord[] {
    return [...this.entries.values()].map(({ name, color, role }) => ({ name, color, role }));
  }

  /** Everyone who is or was in the room recently, online first. */
  participants(): Participant[] {
    const now = Date.now();
    const online = this.onlineNames();
    const list: Participant[] = [];
    for (const entry of this.entries.values()) {
      list.push({
        name: entry.name,
        color: entry.color,
        role: entry.role,
        online: online.has(entry.name),
        typing: online.has(entry.name) && now - entry.lastTypedAt < this.options.typingMs,
      });
    }
    return list.sort((a, b) => Number(b.online) - Number(a.online));
  }

  /** The member just edited: shown as typing until `typingMs` after their last edit. */
  noteTyping(member: RoomMember): void {
    const entry = this.entries.get(member.name);
    if (!entry) return;
    const now = Date.now();
    const wasTyping = now - entry.lastTypedAt < this.options.typingMs;
    entry.lastTypedAt = now;
    if (wasTyping) return;
    this.publish();
    if (!this.typingTimer) {
      // One sweep per room clears expired typing flags; per-member timers would cost more.
      this.typingTimer = setTimeout(this.sweepTyping, this.options.typingMs + 50);
    }
  }

  /** Stops the typing sweep; nothing is published after this. */
  close(): void {
    this.closed = true;
    if (this.typingTimer) clearTimeout(this.typingTimer);
    this.typingTimer = null;
  }

  private readonly sweepTyping = (): void => {
    this.typingTimer = null;
    if (this.closed) return;
    const participants = this.participants();
    const stillTyping = participants.some((participant) => participant.typing === true);
    if (participants.some((participant) => (participant.typing === true) !== this.entries.get(participant.name)?.typingShown)) {
      this.publish(participants);
    }
    if (stillTyping) this.typingTimer = setTimeout(this.sweepTyping, this.options.typingMs + 50);
  };

  private publish(participants = this.participants()): void {
    if (this.closed) return;
    for (const participant of participants) {
      const entry = this.entries.get(participant.name);
      if (entry) entry.typingShown = participant.typing === true;
    }
    this.options.publish(participants);
  }

  /**
   * A colour nobody else online has, while the palette lasts: the one this person had, else the
   * one their name hashes to, else the next free one. The server decides (awareness `user.color`
   * follows it), so two people never share a cursor colour in a room of up to ten.
   */
  private colorFor(name: string, previous: string | undefined): string {
    const taken = new Set<string>();
    for (const other of this.options.members.values()) {
      const color = other.name === name ? undefined : this.entries.get(other.name)?.color;
      if (color) taken.add(color);
    }
    if (previous && !taken.has(previous)) return previous;
    const preferred = colorForName(name);
    const start = Math.max(0, (PARTICIPANT_COLORS as readonly string[]).indexOf(preferred));
    for (let i = 0; i < PARTICIPANT_COLORS.length; i++) {
      const color = PARTICIPANT_COLORS[(start + i) % PARTICIPANT_COLORS.length]!;
      if (!taken.has(color)) return color;
    }
    return preferred;
  }

  private trim(): void {
    const cap = MAX_OFFLINE_ROSTER + this.options.capacity();
    if (this.entries.size <= cap) return;
    const online = this.onlineNames();
    for (const name of this.entries.keys()) {
      if (this.entries.size <= cap) break;
      if (!online.has(name)) this.entries.delete(name);
    }
  }

  private onlineNames(): Set<string> {
    const online = new Set<string>();
    for (const member of this.options.members.values()) online.add(member.name);
    return online;
  }
}
