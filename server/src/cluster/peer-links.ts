import { WebSocket, type RawData } from 'ws';
import type { Logger } from '../log';
import type { IncomingFrame, SocketLike } from '../sync/socket';
import {
  decodeLinkMessage,
  encodeClose,
  encodeData,
  encodeOpen,
  encodeProbe,
  encodeProbeResult,
  LinkMessage,
  type ChannelOpen,
  type DecodedLinkMessage,
} from './link-protocol';

/** Close code for clients whose path to the room's owner broke: y-websocket reconnects. */
export const LINK_LOST_CLOSE = 1012;
/** Header carrying the cluster secret; a peer without it is refused before the upgrade. */
export const LINK_SECRET_HEADER = 'x-pairpad-cluster-secret';
export const LINK_INSTANCE_HEADER = 'x-pairpad-instance';
/** Path of the internal link endpoint on every instance. */
export const LINK_PATH = '/_cluster/link';

const CONNECT_TIMEOUT_MS = 3_000;

const toBytes = (data: RawData): Uint8Array =>
  Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data;

/** The edge's end of one client's channel: frames to the owner, and what comes back. */
export interface ChannelHandlers {
  onData(data: Uint8Array | string): void;
  onClose(code: number, reason: string): void;
  /** The owner asks whether the client still answers (before letting another take its name). */
  probe(timeoutMs: number): Promise<boolean>;
}

export interface OutgoingChannel {
  send(data: Uint8Array | string): void;
  /** The client went away: tells the owner, which lets its member go. */
  close(code: number, reason: string): void;
}

/** One WebSocket to one peer, shared by every channel to it. */
class Link {
  private readonly channels = new Map<number, ChannelHandlers>();
  private nextChannel = 1;
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly onGone: () => void,
    private readonly log: Logger,
  ) {
    ws.on('message', (data: RawData) => this.receive(toBytes(data)));
    ws.on('close', () => this.drop('link to the room owner closed'));
    ws.on('error', (error) => {
      this.log.warn({ err: error }, 'cluster link failed');
      this.drop('link to the room owner failed');
    });
  }

  get isOpen(): boolean {
    return !this.closed && this.ws.readyState === WebSocket.OPEN;
  }

  open(open: ChannelOpen, handlers: ChannelHandlers): OutgoingChannel {
    const channel = this.nextChannel++;
    this.channels.set(channel, handlers);
    this.ws.send(encodeOpen(channel, open));
    return {
      send: (data) => {
        if (this.channels.has(channel)) this.ws.send(encodeData(channel, data));
      },
      close: (code, reason) => {
        if (!this.channels.delete(channel) || !this.isOpen) return;
        this.ws.send(encodeClose(channel, code, reason));
      },
    };
  }

  private receive(bytes: Uint8Array): void {
    let message: DecodedLinkMessage;
    try {
      message = decodeLinkMessage(bytes);
    } catch (error) {
      this.log.error({ err: error }, 'malformed frame on a cluster link; closing it');
      this.ws.terminate();
      return;
    }
    const handlers = this.channels.get(message.channel);
    if (!handlers) return;
    switch (message.type) {
      case LinkMessage.Binary:
      case LinkMessage.Text:
        handlers.onData(message.data);
        break;
      case LinkMessage.Close:
        this.channels.delete(message.channel);
        handlers.onClose(message.code, message.reason);
        break;
      case LinkMessage.Probe:
        void handlers.probe(message.timeoutMs).then((alive) => {
          if (this.isOpen) this.ws.send(encodeProbeResult(message.channel, alive));
        });
        break;
      default:
        break;
    }
  }

  private drop(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.onGone();
    const channels = [...this.channels.values()];
    this.channels.clear();
    for (const handlers of channels) handlers.onClose(LINK_LOST_CLOSE, reason);
  }

  close(): void {
    this.drop('server shutting down');
    this.ws.terminate();
  }
}

/**
 * The edge side of the cluster: one multiplexed link per peer instance, opened on first use
 * and shared by every client this instance forwards to that peer. When a link dies, each of its
 * channels closes with 1012, so clients reconnect and find the room's current owner.
 */
export class PeerLinks {
  private readonly links = new Map<string, Promise<Link>>();

  constructor(
    private readonly options: { instanceId: string; secret: string; logger: Logger },
  ) {}

  /** Opens a channel to the owner at `address` (its base URL, e.g. ws://10.0.0.2:3000). */
  async open(address: string, open: ChannelOpen, handlers: ChannelHandlers): Promise<OutgoingChannel> {
    const link = await this.link(address);
    return link.open(open, handlers);
  }

  private link(address: string): Promise<Link> {
    const existing = this.links.get(address);
    if (existing) return existing;
    const connecting = new Promise<Link>((resolve, reject) => {
      const ws = new WebSocket(new URL(LINK_PATH, address), {
        headers: { [LINK_SECRET_HEADER]: this.options.secret, [LINK_INSTANCE_HEADER]: this.options.instanceId },
        handshakeTimeout: CONNECT_TIMEOUT_MS,
        perMessageDeflate: false,
      });
      ws.once('open', () => resolve(new Link(ws, () => this.forget(address, connecting), this.options.logger)));
      ws.once('error', (error) => {
        this.forget(address, connecting);
        reject(error);
      });
    });
    this.links.set(address, connecting);
    return connecting;
  }

  private forget(address: string, link: Promise<Link>): void {
    if (this.links.get(address) === link) this.links.delete(address);
  }

  close(): void {
    for (const link of this.links.values()) link.then((open) => open.close(), () => {});
    this.links.clear();
  }
}

/** What the owner does with a forwarded client: the same session a direct connection gets. */
export interface ForwardedConnection {
  receive(frame: IncomingFrame): void;
  /** The client (or the whole link) went away. */
  closed(): void;
}

/**
 * The owner side of one incoming link: each channel becomes a SocketLike the sync sessions use
 * exactly like a client's own WebSocket. `accept` decides what to do with each new channel.
 */
export function serveLink(
  ws: WebSocket,
  accept: (open: ChannelOpen, socket: SocketLike) => ForwardedConnection,
  log: Logger,
): void {
  const channels = new Map<number, { socket: ChannelSocket; connection: ForwardedConnection }>();
  const probes = new Map<number, (alive: boolean) => void>();

  class ChannelSocket implements SocketLike {
    open = true;
    constructor(readonly channel: number) {}
    get isOpen(): boolean {
      return this.open && ws.readyState === WebSocket.OPEN;
    }
    get bufferedAmount(): number {
      // The link's backlog: every client on it waits behind the same bytes.
      return ws.bufferedAmount;
    }
    send(data: Uint8Array | string): void {
      if (this.isOpen) ws.send(encodeData(this.channel, data));
    }
    close(code: number, reason = ''): void {
      if (!this.open) return;
      this.open = false;
      if (ws.readyState === WebSocket.OPEN) ws.send(encodeClose(this.channel, code, reason));
      const entry = channels.get(this.channel);
      channels.delete(this.channel);
      entry?.connection.closed();
    }
    probe(timeoutMs: number): Promise<boolean> {
      if (!this.isOpen) return Promise.resolve(false);
      return new Promise((resolve) => {
        const timer = setTimeout(() => finish(false), timeoutMs + 1_000);
        const finish = (alive: boolean) => {
          clearTimeout(timer);
          probes.delete(this.channel);
          resolve(alive);
        };
        probes.set(this.channel, finish);
        ws.send(encodeProbe(this.channel, timeoutMs));
      });
    }
  }

  ws.on('message', (data: RawData) => {
    let message: DecodedLinkMessage;
    try {
      message = decodeLinkMessage(toBytes(data));
    } catch (error) {
      log.error({ err: error }, 'malformed frame on a cluster link; closing it');
      ws.terminate();
      return;
    }
    if (message.type === LinkMessage.Open) {
      if (channels.has(message.channel)) return;
      const socket = new ChannelSocket(message.channel);
      channels.set(message.channel, { socket, connection: { receive: () => {}, closed: () => {} } });
      const connection = accept(message.open, socket);
      if (channels.has(message.channel)) channels.set(message.channel, { socket, connection });
      return;
    }
    const entry = channels.get(message.channel);
    switch (message.type) {
      case LinkMessage.Binary:
        entry?.connection.receive({ data: message.data, isBinary: true });
        break;
      case LinkMessage.Text:
        entry?.connection.receive({ data: message.data, isBinary: false });
        break;
      case LinkMessage.Close:
        if (entry) {
          entry.socket.open = false;
          channels.delete(message.channel);
          entry.connection.closed();
        }
        break;
      case LinkMessage.ProbeResult:
        probes.get(message.channel)?.(message.alive);
        break;
      default:
        break;
    }
  });
  ws.on('close', () => {
    const entries = [...channels.values()];
    channels.clear();
    for (const finish of probes.values()) finish(false);
    for (const { socket, connection } of entries) {
      socket.open = false;
      connection.closed();
    }
  });
  ws.on('error', (error) => log.warn({ err: error }, 'cluster link from a peer failed'));
}
