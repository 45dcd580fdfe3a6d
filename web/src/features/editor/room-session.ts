import type * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import type { Language } from '@pairpad/shared';
import type { Peer } from '../../lib/peer';
import type { ConnectionStatus, SaveState, SyncMode } from './connection-slice';

/**
 * The contract both sync modes implement (CollabSession on Yjs, LwwSession on the simple JSON
 * endpoint), so the room page and the editor never ask which one they hold. What differs
 * between the modes is data (`SyncTraits`) or a choice the session makes itself (`bindText`).
 */

/** Live room settings; from the shared doc's `meta` map or the server's `meta` message. `limit` is written by the server only. */
export interface RoomMeta {
  name?: string;
  language?: Language;
  limit?: number;
}

/** Plain facts a session reports; the page turns them into Redux actions. */
export interface SessionCallbacks {
  onStatus(status: ConnectionStatus): void;
  onSynced(): void;
  /** The server closed the connection for good (see isFatalClose); the session stops reconnecting. */
  onFatal(close: { code: number; reason: string }): void;
  onPeers(peers: Peer[]): void;
  onMeta(meta: RoomMeta): void;
  /** A local edit while the server cannot see it; it is kept and sent on reconnect. */
  onOfflineEdit(): void;
  /** Whether the server holds every local edit yet (see SaveState); only when `reportsSaveState`. */
  onSaveState?(state: SaveState): void;
}

/** What a sync mode can do and how the page describes it: known from the URL, before any session exists. */
export interface SyncTraits {
  readonly mode: SyncMode;
  /** Undo and redo of one's own edits only (the CRDT knows whose edit is whose). */
  readonly supportsUndo: boolean;
  /** The session reports a SaveState (whether the server holds every local edit). */
  readonly reportsSaveState: boolean;
  /** How edits merge, for the status bar. */
  readonly mergeLabel: string;
  /** What happens to an editor's typing while offline, for the offline banner. */
  readonly offlineHint: string;
  /** A standing banner about the mode's trade-off, or null. */
  readonly notice: { readonly title: string; readonly text: string } | null;
}

export const SYNC_TRAITS: Readonly<Record<SyncMode, SyncTraits>> = Object.freeze({
  yjs: {
    mode: 'yjs',
    supportsUndo: true,
    reportsSaveState: true,
    mergeLabel: 'live merge (CRDT)',
    offlineHint: 'Keep typing: your edits are kept and merge with everyone else’s when the connection is back.',
    notice: null,
  },
  lww: {
    mode: 'lww',
    supportsUndo: false,
    reportsSaveState: false,
    mergeLabel: 'last write wins',
    offlineHint: 'Keep typing: your edits are merged with what others typed meanwhile when the connection is back.',
    notice: {
      title: 'Simple sync',
      text:
        'the whole buffer is sent on each change; the server merges it with what others typed meanwhile, and the last write wins only where two people change the same characters.',
    },
  },
});

/** The Yjs text: the editor binds to it with y-monaco and shares cursors through awareness. */
export interface CrdtText {
  readonly doc: Y.Doc;
  readonly text: Y.Text;
  readonly awareness: Awareness;
  readonly readOnly: boolean;
  /** An undo manager that only ever touches changes made with `origin` (this user's editor binding). */
  createUndoManager(origin: unknown): Y.UndoManager;
}

/** The whole-buffer text of the simple-sync mode. */
export interface BufferText {
  /** The last buffer the server sent; an editor that mounts late starts from it. */
  readonly latestCode: string | null;
  /** Calls `listener` with each whole buffer from the server; returns the unsubscribe. */
  onCode(listener: (code: string) => void): () => void;
  sendCode(code: string): void;
}

/** One function per kind of text; a session calls the one for its own kind (see RoomSession.bindText). */
export interface TextBinders<R> {
  crdt(text: CrdtText): R;
  buffer(text: BufferText): R;
}

export interface RoomSession {
  readonly traits: SyncTraits;
  readonly readOnly: boolean;
  /** Marks this user as typing for a moment (presence panel, cursor label). */
  markTyping(): void;
  /** Shares a new language or room name with everyone at once, where the mode can (the PATCH stores it either way). */
  setLanguage(language: Language): void;
  setRoomName(name: string): void;
  /** Hands the session's text to the matching binder, so an editor binds without asking which mode it has. */
  bindText<R>(binders: TextBinders<R>): R;
  destroy(): void;
}
