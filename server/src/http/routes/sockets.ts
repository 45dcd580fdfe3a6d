import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import { CloseCode, type Role } from '@pairpad/shared';
import type { Config } from '../../config';
import { resolveAccess, type RoomDirectory } from '../../rooms/access';
import type { RoomRegistry } from '../../rooms/room-registry';
import { LwwSession } from '../../sync/lww-session';
import type { SessionDeps, SessionIdentity } from '../../sync/session-options';
import { admissionRefusal } from '../../sync/refusals';
import type { IncomingFrame } from '../../sync/socket';
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
  const { config, registry, directory } = deps;
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
        const pending = buffered?.take() ?? [];
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
