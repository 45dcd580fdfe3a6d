import type { Peer } from '../../lib/peer';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { Awareness } from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import { WebsocketProvider } from 'y-websocket';
import {
  DOC_META_KEY,
  DOC_TEXT_KEY,
  META_KEYS,
  ROOM_LIMIT_MAX,
  ROOM_LIMIT_MIN,
  SERVER_AWARENESS_KEY,
  YMessageType,
  isCssHexColor,
  isLanguage,
  type AwarenessUser,
  type Language,
  type Participant,
  type Role,
} from '@pairpad/shared';
import { safeColor } from '../../lib/colors';
import { isFatalClose } from '../../lib/room-errors';
import { loadPersonId } from '../../lib/person-id';
import type { ConnectionStatus, SaveState } from './connection-slice';
import { SYNC_TRAITS, type CrdtText, type RoomMeta, type RoomSession, type SessionCallbacks, type TextBinders } from './room-session';

/** y-websocket's reconnect rule: not after a close that says the server will not take us (see room-errors). */
export const shouldReconnect = (event: { code: number }): boolean => !isFatalClose(event.code);

export type { Peer } from '../../lib/peer';
export type { RoomMeta } from './room-session';
/** The Yjs session reports through the callbacks every session uses. */
export type CollabCallbacks = SessionCallbacks;

interface ProviderEvents {
  status: (event: { status: 'connected' | 'disconnected' | 'connecting' }) => void;
  sync: (synced: boolean) => void;
  closed: (event: { code: number; reason: string }) => void;
}

/** The part of y-websocket's WebsocketProvider the session uses; tests pass a fake. */
export interface ProviderLike {
  readonly awareness: Awareness;
  on<K extends keyof ProviderEvents>(name: K, handler: ProviderEvents[K]): void;
  off<K extends keyof ProviderEvents>(name: K, handler: ProviderEvents[K]): void;
  connect(): void;
  disconnect(): void;
  destroy(): void;
  /**
   * Sends a sync step 1 on the open socket and calls `onReply` when the server's step 2 answer
   * arrives. The server handles one socket's messages in order, so the answer proves it has
   * applied everything this client sent before. False when there is no open socket.
   */
  probeSync?(onReply: () => void): boolean;
}

export interface ProviderArgs {
  serverUrl: string;
  room: string;
  doc: Y.Doc;
  awareness: Awareness;
  params: Record<string, string>;
}

export type ProviderFactory = (args: ProviderArgs) => ProviderLike;

export const createWebsocketProvider: ProviderFactory = ({ serverUrl, room, doc, awareness, params }) =>
  withSyncProbe(
    new WebsocketProvider(serverUrl, room, doc, {
      awareness,
      params,
      // Another tab of the same browser is another participant; it must not sync behind the server's back.
      disableBc: true,
      maxBackoffTime: 4000,
      shouldReconnect,
    }),
  );

type SyncHandler = (encoder: encoding.Encoder, decoder: decoding.Decoder, provider: WebsocketProvider, emitSynced: boolean, messageType: number) => void;

/**
 * Adds probeSync to y-websocket's provider. Step 2 messages from the server only ever answer
 * this client's step 1s (the one y-websocket sends when a socket opens, then ours), in order,
 * so a queue per socket tells which answer is which.
 */
function withSyncProbe(provider: WebsocketProvider): ProviderLike {
  // One entry per step 1 sent on this socket: y-websocket's own (null), then ours, each with the
  // callbacks its reply settles.
  let waiting: ((() => void)[] | null)[] = [];
  // Callbacks of probes asked for while one was unanswered: they need a probe sent after the
  // edits they follow, so one goes out for all of them once the outstanding one is answered.
  let next: (() => void)[] = [];
  // y-websocket emits 'connected' just before it sends its own step 1 on the new socket.
  provider.on('status', ({ status }: { status: string }) => {
    waiting = status === 'connected' ? [null] : [];
    next = [];
  });
  const send = (callbacks: (() => void)[]): boolean => {
    const ws = provider.ws;
    if (!provider.wsconnected || !provider.synced || !ws || ws.readyState !== ws.OPEN) return false;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, YMessageType.Sync);
    syncProtocol.writeSyncStep1(encoder, provider.doc);
    ws.send(encoding.toUint8Array(encoder));
    waiting.push(callbacks);
    return true;
  };
  const handlers = (provider as unknown as { messageHandlers: SyncHandler[] }).messageHandlers;
  const handleSync = handlers[YMessageType.Sync];
  if (handleSync) {
    handlers[YMessageType.Sync] = (encoder, decoder, p, emitSynced, messageType) => {
      const kind = decoding.readVarUint(decoding.clone(decoder));
      handleSync(encoder, decoder, p, emitSynced, messageType);
      if (kind !== syncProtocol.messageYjsSyncStep2) return;
      for (const settle of waiting.shift() ?? []) settle();
      if (waiting.length === 0 && next.length > 0) {
        const callbacks = next;
        next = [];
        send(callbacks);
      }
    };
  }
  const probing = provider as unknown as ProviderLike;
  probing.probeSync = (onReply) => {
    if (!handleSync || !provider.synced) return false;
    // At most one probe unanswered per socket, so a slow server never sees them pile up.
    if (waiting.length > 0) {
      if (!provider.wsconnected) return false;
      next.push(onReply);
      return true;
    }
    return send([onReply]);
  };
  return probing;
}

/** How long after the last local edit the session asks the server whether it has everything. */
const PROBE_DELAY_MS = 250;

export interface CollabSessionOptions {
  /** roomId (editors) or viewId (viewers). */
  id: string;
  name: string;
  sessionId: string;
  /** This browser's person id (all its tabs); defaults to the stored one. */
  personId?: string;
  role: Role;
  color: string;
  /** ws(s)://host/yjs */
  serverUrl: string;
  callbacks: CollabCallbacks;
  createProvider?: ProviderFactory;
  /** For tests: how long "typing" lasts after the last keystroke. */
  typingMs?: number;
}

const TYPING_MS = 1500;

/**
 * One user's live connection to one room: the Y.Doc, its provider and awareness. It lives
 * outside Redux; it reports plain facts (status, peers, meta) through callbacks.
 */
export class CollabSession implements RoomSession, CrdtText {
  readonly traits = SYNC_TRAITS.yjs;
  readonly doc = new Y.Doc();
  readonly text: Y.Text;
  readonly meta: Y.Map<unknown>;
  readonly awareness: Awareness;
  readonly provider: ProviderLike;
  private user: AwarenessUser;
  readonly role: Role;
  private status: ConnectionStatus = 'connecting';
  private everConnected = false;
  private fatal = false;
  private destroyed = false;
  private typingTimer: ReturnType<typeof setTimeout> | null = null;
  /** Local edits made, and how many of them the server is known to hold (see SaveState). */
  private localEdits = 0;
  private ackedEdits = 0;
  private probing = false;
  private synced = false;
  private probeTimer: ReturnType<typeof setTimeout> | null = null;
  private saveState: SaveState = 'saved';
  private readonly callbacks: CollabCallbacks;
  private readonly typingMs: number;

  constructor(options: CollabSessionOptions) {
    this.callbacks = options.callbacks;
    this.role = options.role;
    this.typingMs = options.typingMs ?? TYPING_MS;
    this.text = this.doc.getText(DOC_TEXT_KEY);
    this.meta = this.doc.getMap(DOC_META_KEY);
    this.awareness = new Awareness(this.doc);
    this.user = { name: options.name, color: options.color, role: options.role };
    this.awareness.setLocalStateField('user', this.user);
    this.awareness.on('change', this.onAwarenessChange);
    this.meta.observe(this.onMetaChange);
    this.doc.on('update', this.onDocUpdate);

    const params: Record<string, string> = { name: options.name, session: options.sessionId, person: options.personId ?? loadPersonId() };
    if (options.role === 'viewer') params.role = 'viewer';
    const factory = options.createProvider ?? createWebsocketProvider;
    this.provider = factory({ serverUrl: options.serverUrl, room: options.id, doc: this.doc, awareness: this.awareness, params });
    this.provider.on('status', this.onProviderStatus);
    this.provider.on('sync', this.onProviderSync);
    this.provider.on('closed', this.onProviderClosed);
    if (typeof window !== 'undefined') {
      window.addEventListener('online', this.onBrowserOnline);
      window.addEventListener('offline', this.onBrowserOffline);
    }
    this.emitPeers();
  }

  get readOnly(): boolean {
    return this.role === 'viewer';
  }

  setLanguage(language: Language): void {
    if (this.readOnly) return;
    this.doc.transact(() => this.meta.set(META_KEYS.language, language), 'meta');
  }

  setRoomName(name: string): void {
    if (this.readOnly) return;
    this.doc.transact(() => this.meta.set(META_KEYS.name, name), 'meta');
  }

  bindText<R>(binders: TextBinders<R>): R {
    return binders.crdt(this);
  }

  /** Marks this user as typing for a moment (presence panel, cursor label). */
  markTyping(): void {
    if (this.destroyed) return;
    if (this.awareness.getLocalState()?.typing !== true) this.awareness.setLocalStateField('typing', true);
    if (this.typingTimer) clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => {
      this.typingTimer = null;
      if (!this.destroyed) this.awareness.setLocalStateField('typing', false);
    }, this.typingMs);
  }

  /** An undo manager that only ever touches changes made with `origin` (this user's editor binding). */
  createUndoManager(origin: unknown): Y.UndoManager {
    return new Y.UndoManager(this.text, { trackedOrigins: new Set([origin]), captureTimeout: 400 });
  }

  /** Resumes after a fatal close (e.g. after picking another name the page makes a new session instead). */
  reconnect(): void {
    this.fatal = false;
    this.provider.connect();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.typingTimer) clearTimeout(this.typingTimer);
    if (this.probeTimer) clearTimeout(this.probeTimer);
    if (typeof window !== 'undefined') {
      window.removeEventListener('online', this.onBrowserOnline);
      window.removeEventListener('offline', this.onBrowserOffline);
    }
    this.provider.off('status', this.onProviderStatus);
    this.provider.off('sync', this.onProviderSync);
    this.provider.off('closed', this.onProviderClosed);
    this.awareness.off('change', this.onAwarenessChange);
    this.meta.unobserve(this.onMetaChange);
    this.doc.off('update', this.onDocUpdate);
    // Tell the others we left before the socket goes.
    this.awareness.setLocalState(null);
    this.provider.destroy();
    this.awareness.destroy();
    this.doc.destroy();
  }

  private setStatus(status: ConnectionStatus): void {
    if (this.fatal || this.status === status) return;
    this.status = status;
    if (status !== 'connected') {
      // Answers to probes on the old socket never come; ask again once synced on the next one.
      this.synced = false;
      this.probing = false;
    }
    this.callbacks.onStatus(status);
    this.updateSaveState();
  }

  private updateSaveState(): void {
    const state: SaveState = this.ackedEdits >= this.localEdits ? 'saved' : this.status === 'connected' ? 'saving' : 'offline';
    if (state === this.saveState) return;
    this.saveState = state;
    this.callbacks.onSaveState?.(state);
  }

  private scheduleProbe(delay = PROBE_DELAY_MS): void {
    if (this.destroyed) return;
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.probeTimer = setTimeout(this.probe, delay);
  }

  private readonly probe = (): void => {
    this.probeTimer = null;
    if (this.destroyed || this.probing || this.ackedEdits >= this.localEdits) return;
    if (this.status !== 'connected' || !this.synced) return; // the next sync asks again
    const through = this.localEdits;
    const sent = this.provider.probeSync?.(() => {
      this.probing = false;
      this.ackedEdits = Math.max(this.ackedEdits, through);
      this.updateSaveState();
      if (this.ackedEdits < this.localEdits) this.scheduleProbe();
    });
    this.probing = sent === true;
  };

  private readonly onProviderStatus = ({ status }: { status: 'connected' | 'disconnected' | 'connecting' }): void => {
    if (status === 'connected') {
      this.everConnected = true;
      this.setStatus('connected');
      return;
    }
    if (typeof navigator !== 'undefined' && navigator.onLine === false) this.setStatus('offline');
    else this.setStatus(this.everConnected ? 'reconnecting' : 'connecting');
  };

  private readonly onProviderSync = (isSynced: boolean): void => {
    if (!isSynced) return;
    this.synced = true;
    this.callbacks.onSynced();
    this.emitMeta();
    // Edits made while away went out in this sync's step 2; ask whether the server has them.
    if (this.ackedEdits < this.localEdits) this.scheduleProbe(0);
  };

  private readonly onProviderClosed = (event: { code: number; reason: string }): void => {
    if (!isFatalClose(event.code)) return;
    this.fatal = true;
    this.provider.disconnect();
    this.callbacks.onFatal({ code: event.code, reason: event.reason });
  };

  private readonly onBrowserOffline = (): void => this.setStatus('offline');

  private readonly onBrowserOnline = (): void => {
    if (this.fatal || this.status === 'connected') return;
    this.setStatus('reconnecting');
    // The socket may have outlived a short outage (then no event would ever say "connected"
    // again) or be half-dead after a long one. A fresh connection re-runs the sync handshake,
    // which is what proves the server holds the edits made offline, and skips any backoff.
    this.provider.disconnect();
    this.provider.connect();
  };

  private readonly onDocUpdate = (_update: Uint8Array, origin: unknown): void => {
    if (origin === this.provider) return;
    if (this.status !== 'connected') this.callbacks.onOfflineEdit();
    if (this.readOnly) return;
    this.localEdits++;
    this.updateSaveState();
    this.scheduleProbe();
  };

  private readonly onMetaChange = (): void => this.emitMeta();

  private emitMeta(): void {
    const meta: RoomMeta = {};
    const language = this.meta.get(META_KEYS.language);
    const name = this.meta.get(META_KEYS.name);
    const limit = this.meta.get(META_KEYS.limit);
    if (isLanguage(language)) meta.language = language;
    if (typeof name === 'string') meta.name = name;
    if (isRoomLimit(limit)) meta.limit = limit;
    if (meta.language !== undefined || meta.name !== undefined || meta.limit !== undefined) this.callbacks.onMeta(meta);
  }

  private readonly onAwarenessChange = (): void => {
    this.adoptServerColor();
    this.emitPeers();
  };

  /** The server gives everyone in a room a different colour; show ours as others see it. */
  private adoptServerColor(): void {
    for (const state of this.awareness.getStates().values()) {
      const roster = serverRoster(state);
      if (!roster) continue;
      const own = roster.find((p) => p?.name === this.user.name);
      if (own && isCssHexColor(own.color) && own.color !== this.user.color) {
        this.user = { ...this.user, color: own.color };
        this.awareness.setLocalStateField('user', this.user);
      }
      return;
    }
  }

  private emitPeers(): void {
    this.callbacks.onPeers(peersFromAwareness(this.awareness, this.doc.clientID));
  }
}

export function isRoomLimit(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= ROOM_LIMIT_MIN && value <= ROOM_LIMIT_MAX;
}

/**
 * Reads awareness states into plain rows; states without a valid `user` are skipped. The
 * server's own state carries the roster (LWW clients, people who left), which fills in
 * whoever has no awareness state of their own.
 */
export function peersFromAwareness(awareness: Awareness, selfId: number): Peer[] {
  const peers: Peer[] = [];
  const roster: Participant[] = [];
  awareness.getStates().forEach((state, clientId) => {
    roster.push(...(serverRoster(state) ?? []));
    const user = (state as { user?: Partial<AwarenessUser> }).user;
    if (!user || typeof user.name !== 'string' || user.name.length === 0) return;
    peers.push({
      clientId,
      name: user.name.slice(0, 64),
      color: safeColor(user.color, user.name),
      role: user.role === 'viewer' ? 'viewer' : 'editor',
      online: true,
      typing: (state as { typing?: unknown }).typing === true,
      self: clientId === selfId,
    });
  });
  const named = new Set(peers.map((peer) => peer.name));
  for (const p of roster) {
    if (!p || typeof p.name !== 'string' || !p.name || named.has(p.name)) continue;
    named.add(p.name);
    peers.push({
      clientId: null,
      name: p.name.slice(0, 64),
      color: safeColor(p.color, p.name),
      role: p.role === 'viewer' ? 'viewer' : 'editor',
      online: p.online === true,
      typing: p.typing === true,
      self: false,
    });
  }
  return peers;
}

/**
 * The roster the server publishes in its own awareness state, if `state` is that one. The
 * server's state is the only one without a `user` (the server sets `user` on every client's
 * state and strips the roster key from them); a client's state claiming to be the roster is
 * ignored, so nobody can add fake participants.
 */
function serverRoster(state: Record<string, unknown>): Participant[] | undefined {
  if ('user' in state) return undefined;
  const server = state[SERVER_AWARENESS_KEY] as { participants?: unknown } | undefined;
  return server && Array.isArray(server.participants) ? (server.participants as Participant[]) : undefined;
}
