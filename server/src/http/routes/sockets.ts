import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import { CloseCode, type Role } from '@pairpad/shared';
import type { Config } from '../../config';
import { resolveAccess, type RoomDirectory } from '../../rooms/access';
import type { RoomRegistry } from '../../rooms/room-registry';
import { LwwSession } from '../../sync/lww-session';
import type { SessionDeps, SessionIdentity } from '../../sync/session-options';
import { admissionRefusal, type SocketRefusal } from '../../sync/refusals';
import type { IncomingFrame, SocketLike } from '../../sync/socket';
import type { ChannelOpen } from '../../cluster/link-protocol';
import type { ClusterNode } from '../../cluster/node';
import { LINK_INSTANCE_HEADER, LINK_PATH, LINK_SECRET_HEADER, serveLink, type ForwardedConnection } from '../../cluster/peer-links';
import type { RoomSettings } from '../../rooms/room';
import type { Logger } from '../../log';
import { YjsSession } from '../../sync/yjs-session';
import { roomRef } from '../../log';
import { createKeepalive } from '../keepalive';
import { PreloadBuffer } from '../preload-buffer';
import { frameBytes, limitFrameReads, toFrame, toSocketLike } from '../socket-adapter';
import { AddressCounter, checkSocketRequest } from '../socket-admission';

export interface SocketRoutesDeps {
  config: Readonly<Config>;
  registry: RoomRegistry;
  directory: RoomDirectory;
  /** Several instances: rooms served elsewhere are forwarded, and peers forward theirs here. */
  cluster: ClusterNode | null;
}

/**
 * Bytes a client may send before its room has loaded: a sync step 1, awareness and one offline
 * edit of the largest size fit; as many frames of a megabyte each as the count allows would not.
 */
export function preloadBufferBytes(maxMessageBytes: number): number {
  return maxMessageBytes * 2;
}

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
  const { config, registry, directory, cluster } = deps;
  const socketsPerAddress = new AddressCounter();
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

  const keepalive = createKeepalive({ intervalMs: config.pingIntervalMs, slices: config.tuning.pingSlices });
  app.addHook('onClose', async () => keepalive.stop());

  const connect = (kind: 'yjs' | 'lww') => (ws: WebSocket, request: FastifyRequest) => {
    const socket = toSocketLike(ws);
    const connectionId = `c${(++nextConnection).toString(36)}`;
    const log = request.log.child({ connectionId, endpoint: kind });
    const unwatch = keepalive.watch(ws);
    const counted = socketsPerAddress.add(request.ip);

    let session: Session | null = null;
    let buffered: PreloadBuffer | null = new PreloadBuffer(config.tuning.preloadMaxFrames, maxPreloadBytes);
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
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (refused) return;
      const size = frameBytes(data);
      const limit = (session ? session.role === 'viewer' : askedToWatch) ? config.maxMessageBytes : editorFrameLimit;
      if (size > limit) {
        return refuse(CloseCode.MessageTooLarge, `a message may be at most ${limit} bytes`, 'message_too_large');
      }
      const frame = toFrame(data, isBinary);
      if (session) return session.handleFrame(frame);
      if (!buffered) return;
      if (!buffered.add(frame, size)) {
        buffered = null;
        socket.close(CloseCode.RoomFullOrRateLimited, 'too many messages before the room loaded');
      }
    });
    ws.on('close', () => {
      closed = true;
      unwatch();
      counted.release();
      session?.handleClose();
    });
    ws.on('error', (error) => log.debug({ err: error }, 'socket error'));

    const checked = checkSocketRequest(request, counted.open, config);
    if (!checked.ok) return refuse(checked.refusal.closeCode, checked.refusal.message, checked.refusal.errorCode);
    const { name, requestedRole, sessionId, personId } = checked.request;
    const id = (request.params as { roomId: string }).roomId;

    void (async () => {
      try {
        const access = await resolveAccess(id, requestedRole, registry, directory);
        if (closed) return;
        if (!access) return refuse(CloseCode.RoomNotFound, 'room not found', 'room_not_found');
        if (access.role === 'viewer') limitFrameReads(ws, config.maxMessageBytes * 2);
        const identity: SessionIdentity = { connectionId, name, role: access.role, sessionId, personId, viaViewId: access.viaViewId };
        if (cluster && !registry.get(access.settings.roomId)) {
          const forwarded = await forwardIfServedElsewhere(access.settings.roomId, identity, request.ip);
          if (forwarded === 'unavailable') return refuse(CloseCode.ServiceRestart, 'the room is moving between instances; reconnect');
          if (forwarded) {
            if (closed) return forwarded.handleClose();
            session = forwarded;
            for (const frame of buffered?.take() ?? []) forwarded.handleFrame(frame);
            buffered = null;
            return;
          }
        }
        const joined = await join(socket, kind, access.settings, identity, log);
        if (!joined.ok) return refuse(joined.closeCode, joined.message, joined.errorCode);
        if (closed) {
          // The client left while we were loading: undo the join.
          joined.session.handleClose();
          return;
        }
        session = joined.session;
        joined.session.start();
        directory.touch(access.settings.roomId).catch((error: unknown) => log.warn({ err: error }, 'could not record that the room was opened'));
        const pending = buffered?.take() ?? [];
        buffered = null;
        for (const frame of pending) joined.session.handleFrame(frame);
      } catch (error) {
        log.error({ err: error, room: roomRef(id) }, 'could not open room');
        refuse(1011, 'room could not be loaded');
      }
    })();

    /**
     * Several instances: if another instance serves the room, relays this client's frames to it
     * (undecoded) and its frames back. Null when the room is (now) served here.
     */
    async function forwardIfServedElsewhere(roomId: string, identity: SessionIdentity, ip: string): Promise<Session | 'unavailable' | null> {
      const node = cluster!;
      const open: ChannelOpen = {
        roomId,
        endpoint: kind === 'yjs' ? 'sync' : 'lww',
        name: identity.name,
        role: identity.role,
        sessionId: identity.sessionId,
        personId: identity.personId ?? null,
        viaViewId: identity.viaViewId,
        ip,
      };
      const route = await node.route(
        open,
        {
          onData: (data) => {
            node.stats.forwardedFrames++;
            // The owner cannot see this client's backlog: the edge sheds a client that cannot keep up.
            if (socket.bufferedAmount > limits.maxBufferedBytes) return refuse(CloseCode.RoomFullOrRateLimited, 'too far behind');
            socket.send(data);
          },
          onClose: (code, reason) => refuse(code, reason),
          probe: (timeoutMs) => socket.probe?.(timeoutMs) ?? Promise.resolve(true),
        },
        () => !closed,
      );
      if (route.kind === 'local') return null;
      if (route.kind === 'unavailable') return 'unavailable';
      const { channel } = route;
      node.stats.forwardedClients++;
      let left = false;
      return {
        role: identity.role,
        start: () => {},
        handleFrame: (frame) => {
          node.stats.forwardedFrames++;
          channel.send(frame.data);
        },
        handleClose: () => {
          if (left) return;
          left = true;
          node.stats.forwardedClients--;
          channel.close(1000, 'client left');
        },
      };
    }
  };

  type Joined = { ok: true; session: Session } | ({ ok: false; message: string } & SocketRefusal);

  /** Enters the room (loading it if needed) with a new session for `socket`; not started yet. */
  async function join(socket: SocketLike, kind: 'yjs' | 'lww', settings: RoomSettings, identity: SessionIdentity, log: Logger): Promise<Joined> {
    let created: YjsSession | LwwSession | null = null;
    const result = await registry.enter(settings, identity, (room) => {
      const sessionDeps: SessionDeps = {
        logger: log,
        limits,
        onLeave: () => registry.leave(room, created!),
      };
      created = kind === 'yjs' ? new YjsSession(socket, room, identity, sessionDeps) : new LwwSession(socket, room, identity, sessionDeps);
      return created;
    });
    if (!result.ok) return { ok: false, message: result.message, ...admissionRefusal(result.reason) };
    return { ok: true, session: created! };
  }

  app.get('/yjs/:roomId', { websocket: true }, connect('yjs'));
  app.get('/ws/:roomId', { websocket: true }, connect('lww'));

  if (!cluster) return;
  const secret = Buffer.from(cluster.config.secret);
  app.get(
    LINK_PATH,
    {
      websocket: true,
      // Before the upgrade: only an instance that knows the cluster secret may speak for clients.
      preValidation: async (request, reply) => {
        const presented = Buffer.from(String(request.headers[LINK_SECRET_HEADER] ?? ''));
        if (presented.length !== secret.length || !timingSafeEqual(presented, secret)) {
          await reply.code(401).send({ error: { code: 'forbidden', message: 'not a member of this cluster' } });
        }
      },
    },
    (ws, request) => {
      const log = request.log.child({ peer: String(request.headers[LINK_INSTANCE_HEADER] ?? '?') });
      serveLink(ws, (open, socket) => acceptForwarded(cluster, open, socket, log), log);
    },
  );

  /**
   * A client of another instance, forwarded here because this instance owns (or now takes) its
   * room: it gets the same session a direct client gets, with the identity the edge resolved.
   */
  function acceptForwarded(node: ClusterNode, open: ChannelOpen, socket: SocketLike, parentLog: Logger): ForwardedConnection {
    const kind = open.endpoint === 'sync' ? 'yjs' : 'lww';
    const connectionId = `f${(++nextConnection).toString(36)}`;
    const log = parentLog.child({ connectionId, endpoint: kind, forwarded: true });
    let session: Session | null = null;
    let buffered: PreloadBuffer | null = new PreloadBuffer(config.tuning.preloadMaxFrames, maxPreloadBytes);
    let closed = false;
    node.stats.servedForPeers++;
    const refuse = (code: number, reason: string, errorCode?: string) => {
      buffered = null;
      if (kind === 'lww' && errorCode && socket.isOpen) socket.send(JSON.stringify({ type: 'error', code: errorCode, message: reason }));
      socket.close(code, reason);
    };
    void (async () => {
      try {
        const placement = await node.ownership.place(open.roomId);
        if (closed) return;
        if (placement.kind !== 'local') return refuse(CloseCode.ServiceRestart, 'the room moved to another instance; reconnect');
        const settings = registry.get(open.roomId)?.settings ?? (await directory.byRoomId(open.roomId));
        if (closed) return;
        if (!settings) return refuse(CloseCode.RoomNotFound, 'room not found', 'room_not_found');
        const identity: SessionIdentity = {
          connectionId,
          name: open.name,
          role: open.role,
          sessionId: open.sessionId,
          personId: open.personId,
          viaViewId: open.viaViewId,
        };
        const joined = await join(socket, kind, settings, identity, log);
        if (!joined.ok) return refuse(joined.closeCode, joined.message, joined.errorCode);
        if (closed) return joined.session.handleClose();
        session = joined.session;
        joined.session.start();
        for (const frame of buffered?.take() ?? []) joined.session.handleFrame(frame);
        buffered = null;
      } catch (error) {
        log.error({ err: error, room: roomRef(open.roomId) }, 'could not open a forwarded room');
        refuse(1011, 'room could not be loaded');
      }
    })();
    return {
      receive: (frame) => {
        if (session) return session.handleFrame(frame);
        const size = frame.isBinary ? frame.data.byteLength : Buffer.byteLength(frame.data);
        if (buffered && !buffered.add(frame, size)) {
          buffered = null;
          socket.close(CloseCode.RoomFullOrRateLimited, 'too many messages before the room loaded');
        }
      },
      closed: () => {
        if (closed) return;
        closed = true;
        node.stats.servedForPeers--;
        session?.handleClose();
      },
    };
  }
}
