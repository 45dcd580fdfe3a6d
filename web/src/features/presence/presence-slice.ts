import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { Participant } from '@pairpad/shared';
import type { Peer } from '../../lib/peer';

/** One row of the presence panel (awareness itself stays outside Redux). */
export type PresenceEntry = Peer;

export interface PresenceState {
  participants: PresenceEntry[];
  /** Client id whose cursor the editor follows, or null. */
  following: number | null;
  /**
   * Whether this tab's own socket is connected. Awareness keeps our own state while the socket
   * is down, so without this our row would say "online" next to a red "offline" badge.
   */
  selfConnected: boolean;
}

export const initialPresenceState: PresenceState = { participants: [], following: null, selfConnected: true };

function applySelfConnected(participants: PresenceEntry[], connected: boolean): void {
  for (const entry of participants) {
    if (!entry.self) continue;
    entry.online = connected;
    if (!connected) entry.typing = false;
  }
}

const byName = (a: PresenceEntry, b: PresenceEntry): number =>
  Number(b.self) - Number(a.self) || Number(b.online) - Number(a.online) || a.name.localeCompare(b.name);

/** Whoever was listed but is no longer online stays in the list as offline. */
function mergeOffline(previous: PresenceEntry[], online: PresenceEntry[]): PresenceEntry[] {
  const names = new Set(online.map((entry) => entry.name));
  const gone = previous
    .filter((entry) => !names.has(entry.name) && !entry.self)
    .map((entry) => ({ ...entry, clientId: null, online: false, typing: false }));
  // One row per name: a name can show up twice for a moment while a reconnect replaces its old socket.
  const unique = new Map<string, PresenceEntry>();
  for (const entry of online) {
    const seen = unique.get(entry.name);
    if (!seen || (entry.self && !seen.self) || (entry.clientId ?? 0) > (seen.clientId ?? 0)) unique.set(entry.name, entry);
  }
  return [...unique.values(), ...gone].sort(byName);
}

export const presenceSlice = createSlice({
  name: 'presence',
  initialState: initialPresenceState,
  reducers: {
    /** Everyone online right now (from awareness or an LWW presence message). */
    peersChanged(state, action: PayloadAction<PresenceEntry[]>) {
      state.participants = mergeOffline(state.participants, action.payload);
      applySelfConnected(state.participants, state.selfConnected);
      if (state.following !== null && !action.payload.some((entry) => entry.clientId === state.following)) {
        state.following = null;
      }
    },
    /** The REST view (GET /rooms/:id) knows who was here before we came. */
    knownParticipantsLoaded(state, action: PayloadAction<{ participants: Participant[]; self: string }>) {
      const have = new Set(state.participants.map((entry) => entry.name));
      for (const p of action.payload.participants) {
        if (have.has(p.name) || p.name === action.payload.self) continue;
        state.participants.push({ clientId: null, name: p.name, color: p.color, role: p.role, online: false, typing: false, self: false });
      }
      state.participants.sort(byName);
    },
    /** Our own socket went up or down (the connection status, composed by the page). */
    selfConnectionChanged(state, action: PayloadAction<boolean>) {
      state.selfConnected = action.payload;
      applySelfConnected(state.participants, action.payload);
    },
    followToggled(state, action: PayloadAction<number>) {
      state.following = state.following === action.payload ? null : action.payload;
    },
    followStopped(state) {
      state.following = null;
    },
    presenceReset() {
      return initialPresenceState;
    },
  },
});

export const { peersChanged, knownParticipantsLoaded, selfConnectionChanged, followToggled, followStopped, presenceReset } =
  presenceSlice.actions;

export function onlineCount(state: PresenceState): number {
  return state.participants.filter((entry) => entry.online).length;
}
