import type { Socket } from 'node:net';
import type { RawData, WebSocket } from 'ws';
import type { IncomingFrame, SocketLike } from '../sync/socket';

/** The sync core's view of a `ws` socket. */
export function toSocketLike(ws: WebSocket): SocketLike {
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

export function frameBytes(data: RawData): number {
  return Array.isArray(data) ? data.reduce((sum, part) => sum + part.byteLength, 0) : data.byteLength;
}

export function toFrame(data: RawData, isBinary: boolean): IncomingFrame {
  const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
  return isBinary
    ? { data: new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength), isBinary: true }
    : { data: buffer.toString('utf8'), isBinary: false };
}

/**
 * Lowers the largest frame ws reads for one socket (its server-wide `maxPayload` is sized for
 * editors' largest edits): a viewer's oversized frame is then closed with 1009 at its header,
 * unread, instead of being read into memory first. ws keeps the limit on the socket's receiver;
 * if a ws version moves it, viewers' frames are still refused after reading, as before.
 */
export function limitFrameReads(ws: WebSocket, maxBytes: number): void {
  const receiver = (ws as unknown as { _receiver?: { _maxPayload?: unknown } })._receiver;
  if (receiver && typeof receiver._maxPayload === 'number') receiver._maxPayload = maxBytes;
}
