import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import { CloseCode } from '@pairpad/shared';
import type { Config } from '../../config';
import { resolveAccess, type RoomDirectory } from '../../rooms/access';
import type { RoomRegistry } from '../../rooms/room-registry';
import { LwwSession } from '../../sync/lww-session';
import type { SessionDeps, SessionIdentity } from '../../sync/session-options';
import { admissionRefusal, type SocketRefusal } from '../../sync/refusals';
import type { SocketLike } from '../../sync/socket';
import type { ChannelOpen } from '../../cluster/link-protocol';
import type { ClusterNode } from '../../cluster/node';
import { LINK_INSTANCE_HEADER, LINK_PATH, serveLink, type ForwardedConnection } from '../../cluster/peer-links';
import { fromPeer } from '../cluster-forwarding';
import type { RoomSettings } from '../../rooms/room';
import type { Logger } from '../../log';
import { YjsSession } from '../../sync/yjs-session';
import { roomRef } from '../../log';
import { createKeepalive } from '../keepalive';
import { ConnectionGate, type Session } from '../connection-gate';
import { relayToOwner } from '../relay-session';
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
  const preloadBounds = { maxFrames: config.tuning.preloadMaxFrames, maxBytes: preloadBufferBytes(config.maxMessageBytes) };
  const editorFrameLimit = editorFrameBytes(config);

  const keepalive = createKeepalive({ intervalMs: config.pingIntervalMs, slices: config.tuning.pingSlices });
  app.addHook('onClose', async () => keepalive.stop());

  const connect = (kind: 'yjs' | 'lww') => (ws: WebSocket, request: FastifyRequest) => {
    const socket = toSocketLike(ws);
    const connectionId = `c${(++nextConnection).toString(36)}`;
    const log = request.log.child({ connectionId, endpoint: kind });
    const unwatch = keepalive.watch(ws);
    const counted = socketsPerAddress.add(request.ip);

    const gate = new ConnectionGate(socket, kind, preloadBounds);
    // Until the session knows its role, a client that did not ask to watch may send an editor's frame.
    const askedToWatch = (request.query as Record<string, unknown>).role === 'viewer';
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (gate.over) return;
      const size = frameBytes(data);
      const limit = (gate.role ? gate.role === 'viewer' : askedToWatch) ? config.maxMessageBytes : editorFrameLimit;
      if (size > limit) return gate.refuse(CloseCode.MessageTooLarge, `a message may be at most ${limit} bytes`, 'message_too_large');
      gate.receive(toFrame(data, isBinary), size);
    });
    ws.on('close', () => {
      unwatch();
      counted.release();
      gate.clientLeft();
    });
    ws.on('error', (error) => log.debug({ err: error }, 'socket error'));

    const checked = checkSocketRequest(request, counted.open, config);
    if (!checked.ok) return gate.refuse(checked.refusal.closeCode, checked.refusal.message, checked.refusal.errorCode);
    const { name, requestedRole, sessionId, personId } = checked.request;
    const id = (request.params as { roomId: string }).roomId;

    void (async () => {
      try {
        const access = await resolveAccess(id, requestedRole, registry, directory);
        if (gate.over) return;
        if (!access) return gate.refuse(CloseCode.RoomNotFound, 'room not found', 'room_not_found');
        if (access.role === 'viewer') limitFrameReads(ws, config.maxMessageBytes * 2);
        const identity: SessionIdentity = { connectionId, name, role: access.role, sessionId, personId, viaViewId: access.viaViewId };
        let relay: Session | 'unavailable' | null = null;
        if (cluster && !registry.get(access.settings.roomId)) {
          const open: ChannelOpen = {
            roomId: access.settings.roomId,
            endpoint: kind === 'yjs' ? 'sync' : 'lww',
            name,
            role: access.role,
            sessionId,
            personId: personId ?? null,
            viaViewId: access.viaViewId,
            ip: request.ip,
          };
          relay = await relayToOwner(cluster, socket, gate, open, limits.maxBufferedBytes);
          if (relay === 'unavailable') return gate.refuse(CloseCode.ServiceRestart, 'the room is moving between instances; reconnect');
        }
        if (relay) gate.open(relay);
        else {
          const joined = await join(socket, kind, access.settings, identity, log);
          if (!joined.ok) return gate.refuse(joined.closeCode, joined.message, joined.errorCode);
          gate.open(joined.session);
        }
        if (!gate.over) directory.touch(access.settings.roomId).catch((error: unknown) => log.warn({ err: error }, 'could not record that the room was opened'));
      } catch (error) {
        log.error({ err: error, room: roomRef(id) }, 'could not open room');
        gate.refuse(1011, 'room could not be loaded');
      }
    })();
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
  app.get(
    LINK_PATH,
    {
      websocket: true,
      // Before the upgrade: only an instance that knows the cluster secret may speak for clients.
      preValidation: async (request, reply) => {
        if (!fromPeer(request, cluster)) {
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
    const gate = new ConnectionGate(socket, kind, preloadBounds);
    node.stats.servedForPeers++;
    void (async () => {
      try {
        const placement = await node.ownership.place(open.roomId);
        if (gate.over) return;
        if (placement.kind !== 'local') return gate.refuse(CloseCode.ServiceRestart, 'the room moved to another instance; reconnect');
        const settings = registry.get(open.roomId)?.settings ?? (await directory.byRoomId(open.roomId));
        if (gate.over) return;
        if (!settings) return gate.refuse(CloseCode.RoomNotFound, 'room not found', 'room_not_found');
        const { roomId: _roomId, endpoint: _endpoint, ip: _ip, ...who } = open;
        const joined = await join(socket, kind, settings, { connectionId, ...who }, log);
        if (!joined.ok) return gate.refuse(joined.closeCode, joined.message, joined.errorCode);
        gate.open(joined.session);
      } catch (error) {
        log.error({ err: error, room: roomRef(open.roomId) }, 'could not open a forwarded room');
        gate.refuse(1011, 'room could not be loaded');
      }
    })();
    let left = false;
    return {
      receive: (frame) => gate.receive(frame, frame.isBinary ? frame.data.byteLength : Buffer.byteLength(frame.data)),
      closed: () => {
        if (left) return;
        left = true;
        node.stats.servedForPeers--;
        gate.clientLeft();
      },
    };
  }
}
