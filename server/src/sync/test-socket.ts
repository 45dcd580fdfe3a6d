import type { IncomingFrame, SocketLike } from './socket';

/** The transport side of a session: what the WebSocket adapter in http/ calls. */
export interface FrameHandler {
  handleFrame(frame: IncomingFrame): void;
  handleClose(): void;
}

export type ClientFrame = Uint8Array | string;

/**
 * Both ends of a connection in memory, for unit tests of the sync core (tldraw sync-core's
 * `TestSocketPair`). `socket` is the server's end, given to a session. Frames go nowhere until
 * the test flushes them, so a test decides what arrives in which order, and a close is recorded
 * with its code instead of happening somewhere on a network.
 */
export class TestSocketPair {
  /** Frames the server sent, not yet delivered to the client, oldest first. */
  private readonly toClient: ClientFrame[] = [];
  /** Frames the client sent, not yet handed to the session. */
  private readonly toServer: IncomingFrame[] = [];
  private handler: FrameHandler | null = null;
  private closeReported = false;
  /** Every frame delivered to the client so far, in order. */
  readonly received: ClientFrame[] = [];
  /** How the server closed its end; null while open. */
  closed: { code: number; reason: string } | null = null;
  /** The client's receiver, called for each frame as it is delivered. */
  onClientFrame: ((frame: ClientFrame) => void) | null = null;

  readonly socket: SocketLike;

  constructor() {
    const socket = {
      send: (data: ClientFrame) => {
        if (this.closed) return;
        this.toClient.push(data);
      },
      close: (code: number, reason = '') => {
        this.closed ??= { code, reason };
      },
    };
    this.socket = Object.defineProperties(socket, {
      // What a real socket would still have to write: what the client has not been given yet.
      bufferedAmount: { get: () => this.pendingToClientBytes() },
      isOpen: { get: () => this.closed === null },
    }) as typeof socket & Pick<SocketLike, 'bufferedAmount' | 'isOpen'>;
  }

  /** Connects the session that handles frames from the client. */
  attach(handler: FrameHandler): void {
    this.handler = handler;
  }

  /** The client sends a frame: binary for y-websocket, text for the JSON endpoint. */
  clientSend(data: ClientFrame): void {
    this.toServer.push(typeof data === 'string' ? { data, isBinary: false } : { data, isBinary: true });
  }

  /** The client goes away; the session hears of it at the next flush, as from the transport. */
  clientClose(): void {
    this.closed ??= { code: 1005, reason: 'client closed' };
  }

  /** Frames waiting in either direction, and a close the session has not heard of yet. */
  get pending(): number {
    return this.toClient.length + this.toServer.length + (this.closed && !this.closeReported ? 1 : 0);
  }

  private pendingToClientBytes(): number {
    let bytes = 0;
    for (const frame of this.toClient) bytes += typeof frame === 'string' ? Buffer.byteLength(frame) : frame.byteLength;
    return bytes;
  }

  /** Hands the client's frames to the session, in order; returns how many. */
  flushToServer(): number {
    let count = 0;
    while (this.toServer.length > 0) {
      const frame = this.toServer.shift()!;
      // A closed connection delivers nothing more; what was in flight is lost.
      if (this.closed) continue;
      this.handler?.handleFrame(frame);
      count++;
    }
    this.reportClose();
    return count;
  }

  /** Delivers the server's frames to the client, in order (frames sent before a close arrive). */
  flushToClient(): number {
    let count = 0;
    while (this.toClient.length > 0) {
      const frame = this.toClient.shift()!;
      this.received.push(frame);
      this.onClientFrame?.(frame);
      count++;
    }
    this.reportClose();
    return count;
  }

  /** Flushes both ways until nothing is in flight (answers may cause more frames). */
  flush(): void {
    for (let rounds = 0; this.pending > 0; rounds++) {
      if (rounds > 1_000) throw new Error('frames keep flowing: a reply loop?');
      this.flushToServer();
      this.flushToClient();
    }
  }

  /** Whichever end closed, the session is told once, as the transport's close event does. */
  private reportClose(): void {
    if (!this.closed || this.closeReported) return;
    this.closeReported = true;
    this.handler?.handleClose();
  }
}
