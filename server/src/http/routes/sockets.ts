import type { Socket } from 'node:net';
import { CloseCode, checkDisplayName, type Role } from '@pairpad/shared';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import type { Config } from '../../config';
import { resolveAccess, type RoomDirectory } from '../../rooms/access';
import type { RoomRegistry } from '../../rooms/room-registry';
import { LwwSession } from '../../sync/lww-session';
import type { SessionDeps, SessionIdentity } from '../../sync/session-options';
import { admissionRefusal } from '../../sync/refusals';
import type { IncomingFrame, SocketLike } from '../../sync/socket';
import { YjsSession } from '../../sync/yjs-session';
import { roomRef } from '../../log';
import { isOriginAllowed } from '../origin';

export interface SocketRoutesDeps {
  config: Readonly<Config>;
  registry: RoomRegistry;
  directory: RoomDirectory;
}

/** Frames a client may send before its room has loaded; more means it is not waiting for sync. */
const MAX_BUFFERED_FRAMES = 256;

/**
 * Bytes a client may send before its room has loaded: a sync step 1, awareness and one offline
 * edit of the largest size fit; 256 frames of a megabyte each would not.
 */
export function preloadBufferBytes(maxMessageBytes: number): number {
  return maxMessageBytes * 2;
}

/** The keepalive pings a twentieth of the sockets every twentieth of its interval. */
const PING_SLICES = 20;

const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The largest frame an editor may send. Any edit that keeps the document under
 * MAX_DOCUMENT_BYTES must be deliverable: as one Yjs update (a paste of that size), or as one
 * whole LWW buffer, whose JSON escapes can double its bytes. MAX_MESSAGE_BYTES bounds viewers'
 * frames (and editors' too, when it is larger).
 */
export function editorFrameBytes(limits: { maxMessageBytes: number; maxDocumentBytes: number }): number {
  return Math.max(limits.maxMessageBytes, 2 * limits.maxDocumentBytes + 64 * 1024);
}

/**
 * The largest frame ws reads at all. Frames between a connection's limit and this are read and
 * answered with an error (`message_too_large` on the LWW endpoint) and close 1009; larger ones
 * are closed with 1009 at their header, so a huge frame costs no memory.
 */
export function frameCeiling(limits: { maxMessageBytes: number; maxDocumentBytes: number }): number {
  return editorFrameBytes(limits) + limits.maxMessageBytes;
}

/**
 * Lowers the largest frame ws reads for one socket (its server-wide `maxPayload` is sized for
 * editors' largest edits): a viewer's oversized frame is then closed with 1009 at its header,
 * unread, instead of being read into memory first. ws keeps the limit on the socket's receiver;
 * if a ws version moves it, viewers' frames are still refused after reading, as before.
 */
function limitFrameReads(ws: WebSocket, maxBytes: number): void {
  const receiver = (ws as unknown as { _receiver?: { _maxPayload?: unknown } })._receiver;
  if (receiver && typeof receiver._maxPayload === 'number') receiver._maxPayload = maxBytes;
}

function frameBytes(data: RawData): number {
  return Array.isArray(data) ? data.reduce((sum, part) => sum + part.byteLength, 0) : data.byteLength;
}

function toSocketLike(ws: WebSocket): SocketLike {
  // Frames sent to one socket in the same tick (an edit and the cursor move that came with it,
  // or several peers' edits) leave in one write instead of one syscall each. `_socket` is ws's
  // underlying net.Socket; ws corks it itself around each frame, and corks nest.
  const stream = (ws as unknown as { _socket?: Socket })._socket;
  let corked = false;
  const uncork = () => {
    corked = false;
    stream?.uncork();
  };
  return {
    send: (data) => {
      if (stream && !corked) {
        corked = true;
        stream.cork();
        process.nextTick(uncork);
      }
      ws.send(data, { binary: typeof data !== 'string' });
    },
    close: (code, reason) => {
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason);
    },
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    get isOpen() {
      return ws.readyState === ws.OPEN;
    },
    probe: (timeoutMs) =>
      new Promise<boolean>((resolve) => {
        if (ws.readyState !== ws.OPEN) return resolve(false);
        const answered = () => {
          clearTimeout(timer);
          resolve(true);
        };
        const timer = setTimeout(() => {
          ws.off('pong', answered);
          ws.terminate();
          resolve(false);
        }, timeoutMs);
        ws.once('pong', answered);
        ws.ping();
      }),
  };
}

function toFrame(data: RawData, isBinary: boolean): IncomingFrame {
  const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
  return isBinary
    ? { data: new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength), isBinary: true }
    : { data: buffer.toString('utf8'), isBinary: false };
}

interface Session {
  readonly role: Role;
  handleFrame(frame: IncomingFrame): void;
  handleClose(): void;
  start(): void;
}

/**
 * `/yjs/:roomId` and `/ws/:roomId`: thin adapters from @fastify/websocket to the sync core.
 * Message handlers are attached before any await and frames are buffered until the room has
 * loaded, so nothing a fast client sends during the load is lost.
 */
export async function socketRoutes(app: FastifyInstance, deps: SocketRoutesDeps): Promise<void> {
  const { config, registry, directory } = deps;
  const socketsPerIp = new Map<string, number>();
  let nextConnection = 0;

  const limits = {
    // An LWW buffer as long as the document may be in characters (a UTF-16 unit is at least a byte).
    maxTextLength: config.maxDocumentBytes,
    maxMessagesPerSecond: config.maxMessagesPerSecond,
    messageBurst: Math.max(config.maxMessagesPerSecond * 2, 100),
    maxBufferedBytes: Math.max(config.maxMessageBytes * 8, 16 * 1024 * 1024),
    syncBytesPerSecond: config.maxSyncBytesPerSecond,
    // Two full documents: a join and one resync of the largest room, whatever the rate.
    syncBurstBytes: config.maxDocumentBytes * 2,
    lwwCoalesceMs: config.tuning.lwwCoalesceMs,
  };
  const maxPreloadBytes = preloadBufferBytes(config.maxMessageBytes);
  const editorFrameLimit = editorFrameBytes(config);

  // Dead peers (laptop lid closed, network gone) never send a close; ping them out. Each socket
  // is pinged once per interval, a slice of them per tick: pinging thousands in one burst would
  // hold every room's fan-out for tens of milliseconds. One that answered neither the last ping
  // nor with any frame is dropped, so a partner whose network went shows offline within two
  // intervals (8 s by default), unless a big reply is still leaving for it (the ping waits
  // behind it): progress there counts as alive.
  const alive = new WeakMap<WebSocket, boolean>();
  const backlogAtPing = new WeakMap<WebSocket, number>();
  const pingSlices = Array.from({ length: PING_SLICES }, () => new Set<WebSocket>());
  let nextPingSlice = 0;
  const keepalive = setInterval(() => {
    const slice = pingSlices[nextPingSlice] as Set<WebSocket>;
    nextPingSlice = (nextPingSlice + 1) % PING_SLICES;
    for (const ws of slice) {
      if (alive.get(ws) === false) {
        const backlog = ws.bufferedAmount;
        if (!(backlog > 0 && backlog < (backlogAtPing.get(ws) ?? 0))) {
          ws.terminate();
          continue;
        }
      }
      alive.set(ws, false);
      backlogAtPing.set(ws, ws.bufferedAmount);
      ws.ping();
    }
  }, config.pingIntervalMs / PING_SLICES);
  keepalive.unref();
  app.addHook('onClose', async () => clearInterval(keepalive));

  const connect = (kind: 'yjs' | 'lww') => (ws: WebSocket, request: FastifyRequest) => {
    const socket = toSocketLike(ws);
    const connectionId = `c${(++nextConnection).toString(36)}`;
    const log = request.log.child({ connectionId, endpoint: kind });
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    ws.on('message', () => alive.set(ws, true));
    const pingSlice = pingSlices[nextConnection % PING_SLICES] as Set<WebSocket>;
    pingSlice.add(ws);

    const ip = request.ip;
    const openForIp = (socketsPerIp.get(ip) ?? 0) + 1;
    socketsPerIp.set(ip, openForIp);
    let counted = true;
    const uncount = () => {
      if (!counted) return;
      counted = false;
      const left = (socketsPerIp.get(ip) ?? 1) - 1;
      if (left <= 0) socketsPerIp.delete(ip);
      else socketsPerIp.set(ip, left);
    };

    let session: Session | null = null;
    let buffered: IncomingFrame[] | null = [];
    let bufferedBytes = 0;
    let largestBuffered = 0;
    // Until the session knows its role, a client that did not ask to watch may send an editor's frame.
    const askedToWatch = (request.query as Record<string, unknown>).role === 'viewer';
    let closed = false;
    let refused = false;
    const refuse = (code: number, reason: string, errorCode?: string) => {
      refused = true;
      buffered = null;
      if (kind === 'lww' && errorCode && socket.isOpen) {
        socket.send(JSON.stringify({ type: 'error', code: errorCode, message: reason }));
      }
      socket.close(code, reason);
    };
    ws.on('message', (data, isBinary) => {
      if (refused) return;
      const size = frameBytes(data);
      const limit = (session ? session.role === 'viewer' : askedToWatch) ? config.maxMessageBytes : editorFrameLimit;
      if (size > limit) {
        return refuse(CloseCode.MessageTooLarge, `a message may be at most ${limit} bytes`, 'message_too_large');
      }
      const frame = toFrame(data, isBinary);
      if (session) return session.handleFrame(frame);
      if (!buffered) return;
      bufferedBytes += size;
      largestBuffered = Math.max(largestBuffered, size);
      // One edit of any deliverable size (an offline paste) plus the usual small frames.
      if (buffered.length >= MAX_BUFFERED_FRAMES || bufferedBytes - largestBuffered > maxPreloadBytes) {
        buffered = null;
        socket.close(CloseCode.RoomFullOrRateLimited, 'too many messages before the room loaded');
        return;
      }
      buffered.push(frame);
    });
    ws.on('close', () => {
      closed = true;
      pingSlice.delete(ws);
      uncount();
      session?.handleClose();
    });
    ws.on('error', (error) => log.debug({ err: error }, 'socket error'));

    if (openForIp > config.maxSocketsPerIp && !config.rateLimitAllow.includes(ip)) {
      return refuse(CloseCode.RoomFullOrRateLimited, 'too many connections from this address', 'rate_limited');
    }
    if (!isOriginAllowed(request.headers.origin, request.headers.host, config.allowedOrigins)) {
      return refuse(CloseCode.Policy, 'origin not allowed', 'forbidden');
    }
    const query = request.query as Record<string, unknown>;
    const nameCheck = checkDisplayName(query.name);
    if (!nameCheck.ok) return refuse(CloseCode.Policy, nameCheck.message, 'invalid_request');
    const requestedRole: Role | undefined = query.role === 'viewer' ? 'viewer' : undefined;
    const sessionId = typeof query.session === 'string' && SESSION_ID_PATTERN.test(query.session) ? query.session : null;
    const personId = typeof query.person === 'string' && SESSION_ID_PATTERN.test(query.person) ? query.person : null;
    const id = (request.params as { roomId: string }).roomId;

    void (async () => {
      try {
        const access = await resolveAccess(id, requestedRole, registry, directory);
        if (closed) return;
        if (!access) return refuse(CloseCode.RoomNotFound, 'room not found', 'room_not_found');
        if (access.role === 'viewer') limitFrameReads(ws, config.maxMessageBytes * 2);
        const identity: SessionIdentity = { connectionId, name: nameCheck.name, role: access.role, sessionId, personId, viaViewId: access.viaViewId };
        let created: YjsSession | LwwSession | null = null;
        const result = await registry.enter(access.settings, identity, (room) => {
          const sessionDeps: SessionDeps = {
            logger: log,
            limits,
            onLeave: () => registry.leave(room, created!),
          };
          created =
            kind === 'yjs'
              ? new YjsSession(socket, room, identity, sessionDeps)
              : new LwwSession(socket, room, identity, sessionDeps);
          return created;
        });
        if (!result.ok) {
          const { closeCode, errorCode } = admissionRefusal(result.reason);
          return refuse(closeCode, result.message, errorCode);
        }
        const joined: Session = created!;
        if (closed) {
          // The client left while we were loading: undo the join.
          joined.handleClose();
          return;
        }
        session = joined;
        joined.start();
        directory.touch(access.settings.roomId).catch((error: unknown) => log.warn({ err: error }, 'could not record that the room was opened'));
        const pending = buffered ?? [];
        buffered = null;
        for (const frame of pending) joined.handleFrame(frame);
      } catch (error) {
        log.error({ err: error, room: roomRef(id) }, 'could not open room');
        refuse(1011, 'room could not be loaded');
      }
    })();
  };

  app.get('/yjs/:roomId', { websocket: true }, connect('yjs'));
  app.get('/ws/:roomId', { websocket: true }, connect('lww'));
}
