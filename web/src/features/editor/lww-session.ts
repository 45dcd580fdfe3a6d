import { isLanguage, type Language, type LwwServerMessage, type Participant, type Role } from '@pairpad/shared';
import { safeColor } from '../../lib/colors';
import { loadPersonId } from '../../lib/person-id';
import type { ConnectionStatus } from './connection-slice';
import { isFatalClose } from '../../lib/room-errors';
import { isRoomLimit, type Peer } from './collab-session';
import { SYNC_TRAITS, type BufferText, type RoomSession, type SessionCallbacks, type TextBinders } from './room-session';
import type * as TextMerge from '@pairpad/shared/text-merge';

/** The LWW session reports through the same callbacks as the Yjs session, so the page treats both alike. */
export type LwwCallbacks = SessionCallbacks;

type CodeListener = (code: string) => void;

export interface LwwSessionOptions {
  id: string;
  name: string;
  sessionId: string;
  /** This browser's person id (all its tabs); defaults to the stored one. */
  personId?: string;
  role: Role;
  /** ws(s)://host/ws */
  serverUrl: string;
  callbacks: LwwCallbacks;
  WebSocketImpl?: typeof WebSocket;
}

const TYPING_THROTTLE_MS = 1000;
/** WebSocket.OPEN, without needing the global (tests pass their own socket class). */
const OPEN = 1;

/**
 * The simple-sync fallback on /ws/:roomId: the whole buffer goes both ways as JSON. The server
 * merges each buffer as the edit it makes to the text this client last had (the `base` we send
 * is that text's `version`), so two people typing at once both keep their text. A pushed text
 * that does not yet include all our writes (`ack`) is skipped: the server sends a newer one.
 * A buffer typed while the socket was down is merged here, on reconnect, the same way (a new
 * socket knows no older `base`): the edit it makes to the text the server last had from us is
 * applied to the room's text as it is now, so what others typed meanwhile stays.
 */
export class LwwSession implements RoomSession, BufferText {
  readonly traits = SYNC_TRAITS.lww;
  readonly role: Role;
  private ws: WebSocket | null = null;
  private status: ConnectionStatus = 'connecting';
  private everConnected = false;
  private fatal = false;
  private destroyed = false;
  /** The buffer typed while the socket was down; merged and sent as soon as it is back. */
  private pending: string | null = null;
  /** The text the server holds as far as we know: the last one it sent with all our writes, or our last write. */
  private serverText: string | null = null;
  /** The three-way merge, loaded with the first offline edit (most sessions never need it). */
  private merge: typeof TextMerge | null = null;
  private mergeLoading: Promise<typeof TextMerge> | null = null;
  /** Messages held while the merge loads, so they are handled in order after the init that needs it. */
  private held: LwwServerMessage[] | null = null;
  private mergeFailed = false;
  private lastTypingSent = 0;
  /** The `version` of the last server text we applied, and our writes on this socket. */
  private baseVersion: number | undefined;
  private writesSent = 0;
  private attempts = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly options: LwwSessionOptions;
  private readonly codeListeners = new Set<CodeListener>();
  /** The last buffer the server sent; an editor that mounts late starts from it. */
  latestCode: string | null = null;

  constructor(options: LwwSessionOptions) {
    this.options = options;
    this.role = options.role;
    if (typeof window !== 'undefined') {
      window.addEventListener('online', this.onBrowserOnline);
      window.addEventListener('offline', this.onBrowserOffline);
    }
    this.open();
  }

  /**
   * The browser says the network is gone: a socket may outlive that without any event, and a
   * write sent into it would be lost unseen. Drop it, so typing is kept as the offline buffer.
   */
  private readonly onBrowserOffline = (): void => {
    const ws = this.ws;
    if (!ws || this.destroyed || this.fatal) return;
    this.ws = null;
    ws.onclose = null;
    ws.onmessage = null;
    ws.close();
    this.setStatus('offline');
    this.retryLater();
  };

  /** Back online: connect now rather than at the end of the backoff. */
  private readonly onBrowserOnline = (): void => {
    if (this.ws || this.destroyed || this.fatal) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.attempts = 0;
    this.open();
  };

  get readOnly(): boolean {
    return this.role === 'viewer';
  }

  sendCode(code: string): void {
    if (this.readOnly || this.destroyed) return;
    this.latestCode = code;
    if (this.ws && this.ws.readyState === OPEN && this.status === 'connected') {
      this.sendWrite(code);
    } else {
      this.pending = code;
      void this.loadMerge().catch(() => {});
      this.options.callbacks.onOfflineEdit();
    }
  }

  private loadMerge(): Promise<typeof TextMerge> {
    this.mergeLoading ??= import('@pairpad/shared/text-merge').then((module) => (this.merge = module));
    this.mergeLoading.catch(() => {
      this.mergeLoading = null; // tried again at the next need
    });
    return this.mergeLoading;
  }

  private sendWrite(code: string): void {
    this.writesSent++;
    this.serverText = code;
    this.ws?.send(JSON.stringify({ type: 'code', code, ...(this.baseVersion !== undefined && { base: this.baseVersion }) }));
  }

  bindText<R>(binders: TextBinders<R>): R {
    return binders.buffer(this);
  }

  // Language and name reach the others through the server's `meta` message after the page's PATCH.
  setLanguage(_language: Language): void {}

  setRoomName(_name: string): void {}

  /** The whole buffer from the server (init or someone else's write). */
  onCode(listener: CodeListener): () => void {
    this.codeListeners.add(listener);
    return () => this.codeListeners.delete(listener);
  }

  private emitCode(code: string): void {
    this.latestCode = code;
    for (const listener of this.codeListeners) listener(code);
  }

  markTyping(): void {
    const now = Date.now();
    if (now - this.lastTypingSent < TYPING_THROTTLE_MS) return;
    if (this.ws && this.ws.readyState === OPEN) {
      this.lastTypingSent = now;
      this.ws.send(JSON.stringify({ type: 'typing' }));
    }
  }

  destroy(): void {
    this.destroyed = true;
    this.codeListeners.clear();
    if (typeof window !== 'undefined') {
      window.removeEventListener('online', this.onBrowserOnline);
      window.removeEventListener('offline', this.onBrowserOffline);
    }
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onclose = null;
      ws.onmessage = null;
      ws.close(1000, 'leaving');
    }
  }

  private setStatus(status: ConnectionStatus): void {
    if (this.fatal || this.status === status) return;
    this.status = status;
    this.options.callbacks.onStatus(status);
  }

  private open(): void {
    if (this.destroyed || this.fatal) return;
    const { id, name, sessionId, role, serverUrl } = this.options;
    const query = new URLSearchParams({ name, session: sessionId, person: this.options.personId ?? loadPersonId() });
    if (role === 'viewer') query.set('role', 'viewer');
    const Impl = this.options.WebSocketImpl ?? WebSocket;
    const ws = new Impl(`${serverUrl}/${encodeURIComponent(id)}?${query.toString()}`);
    this.ws = ws;
    this.setStatus(this.everConnected ? 'reconnecting' : 'connecting');
    ws.onmessage = (event: MessageEvent) => {
      if (this.ws !== ws || typeof event.data !== 'string') return;
      let message: LwwServerMessage;
      try {
        message = JSON.parse(event.data) as LwwServerMessage;
      } catch {
        return;
      }
      if (this.held) this.held.push(message);
      else this.handle(message);
    };
    ws.onclose = (event: CloseEvent) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (isFatalClose(event.code)) {
        this.fatal = true;
        this.options.callbacks.onFatal({ code: event.code, reason: event.reason });
        return;
      }
      this.setStatus(typeof navigator !== 'undefined' && navigator.onLine === false ? 'offline' : 'reconnecting');
      this.retryLater();
    };
  }

  private retryLater(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.attempts++;
    const delay = Math.min(4000, 100 * 2 ** this.attempts);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.open();
    }, delay);
  }

  private handle(message: LwwServerMessage): void {
    const { callbacks } = this.options;
    switch (message.type) {
      case 'init': {
        if (this.pending !== null && this.pending !== message.code && this.serverText !== null && this.serverText !== message.code && !this.merge && !this.mergeFailed) {
          this.holdForMerge(message);
          return;
        }
        this.baseVersion = message.version;
        this.writesSent = 0;
        this.everConnected = true;
        this.attempts = 0;
        this.setStatus('connected');
        callbacks.onMeta({
          ...(isLanguage(message.language) ? { language: message.language } : {}),
          ...(isRoomLimit(message.limit) ? { limit: message.limit } : {}),
        });
        callbacks.onPeers(this.toPeers(message.participants));
        const offline = this.pending;
        const base = this.serverText;
        this.pending = null;
        this.serverText = message.code;
        const code = offline === null || offline === message.code ? message.code : this.mergeOffline(base, offline, message.code);
        if (code !== message.code) this.sendWrite(code);
        this.emitCode(code);
        callbacks.onSynced();
        return;
      }
      case 'code':
        if (message.ack === undefined) {
          // A server without versions: only others' writes are news.
          if (message.from !== this.options.name) this.emitCode(message.code);
          return;
        }
        // Written before our latest writes reached the server: a text that has them follows.
        if (message.ack < this.writesSent) return;
        this.baseVersion = message.version;
        this.serverText = message.code;
        if (message.code !== this.latestCode) this.emitCode(message.code);
        return;
      case 'presence':
        callbacks.onPeers(this.toPeers(message.participants));
        return;
      case 'meta':
        callbacks.onMeta({
          name: message.name,
          ...(isLanguage(message.language) ? { language: message.language } : {}),
          ...(isRoomLimit(message.limit) ? { limit: message.limit } : {}),
        });
        return;
      case 'typing':
      case 'error':
        return;
    }
  }

  /**
   * The room's text with the offline buffer's edit applied: the edit it makes to the text the
   * server last had from us, placed where that text now stands. Without a known base (nothing
   * was ever received) or without the merge (it failed to load), the buffer replaces the text.
   */
  private mergeOffline(base: string | null, offline: string, current: string): string {
    if (base === null || base === current || !this.merge) return offline;
    return this.merge.applyEdits(current, this.merge.mergeWrite(base, current, offline));
  }

  /** An init that needs the merge while it loads: it and what follows wait for it, in order. */
  private holdForMerge(init: LwwServerMessage): void {
    const ws = this.ws;
    this.held = [init];
    const release = (): void => {
      const held = this.held ?? [];
      this.held = null;
      // A socket that closed meanwhile is history: the next init merges the buffer again.
      if (this.ws !== ws || this.destroyed) return;
      for (const message of held) this.handle(message);
    };
    this.loadMerge().then(release, () => {
      this.mergeFailed = true;
      release();
    });
  }

  private toPeers(participants: Participant[]): Peer[] {
    return participants
      .filter((p) => p.online !== false)
      .map((p) => ({
        clientId: null,
        name: p.name,
        color: safeColor(p.color, p.name),
        role: p.role === 'viewer' ? 'viewer' : 'editor',
        online: true,
        typing: p.typing === true,
        self: p.name === this.options.name,
      }));
  }
}
