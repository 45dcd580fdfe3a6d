import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { silentLogger } from '../log';
import type { IncomingFrame, SocketLike } from '../sync/socket';
import type { ChannelOpen } from './link-protocol';
import { LINK_LOST_CLOSE, LINK_SECRET_HEADER, PeerLinks, serveLink, type ChannelHandlers } from './peer-links';

const open = (roomId: string, name = 'Ada'): ChannelOpen => ({
  roomId,
  endpoint: 'sync',
  name,
  role: 'editor',
  sessionId: 'sess-1',
  personId: 'person-1',
  viaViewId: false,
  ip: '127.0.0.1',
});

/** An owner instance's link endpoint: records what each forwarded connection receives. */
async function owner(secret = 'shh') {
  const accepted: { open: ChannelOpen; socket: SocketLike; frames: IncomingFrame[]; closed: boolean }[] = [];
  const peers: WebSocket[] = [];
  const server = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    verifyClient: ({ req }: { req: IncomingMessage }) => req.headers[LINK_SECRET_HEADER] === secret,
  });
  server.on('connection', (ws) => {
    peers.push(ws);
    serveLink(
      ws,
      (channelOpen, socket) => {
        const entry = { open: channelOpen, socket, frames: [] as IncomingFrame[], closed: false };
        accepted.push(entry);
        return { receive: (frame) => entry.frames.push(frame), closed: () => (entry.closed = true) };
      },
      silentLogger,
    );
  });
  await new Promise((resolve) => server.once('listening', resolve));
  const address = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, address, accepted, peers };
}

function edgeClient() {
  const received: (Uint8Array | string)[] = [];
  const closes: { code: number; reason: string }[] = [];
  const handlers: ChannelHandlers = {
    onData: (data) => received.push(data),
    onClose: (code, reason) => closes.push({ code, reason }),
    probe: async () => true,
  };
  return { handlers, received, closes };
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('cluster links', () => {
  it('[CLU-link] many clients share one link; frames go both ways unchanged, binary and text, and closes reach the other side', async () => {
    const peer = await owner();
    cleanups.push(() => new Promise((resolve) => peer.server.close(resolve)));
    const links = new PeerLinks({ instanceId: 'edge', secret: 'shh', logger: silentLogger });
    cleanups.push(() => links.close());
    const ada = edgeClient();
    const bob = edgeClient();
    const adaChannel = await links.open(peer.address, open('room_one', 'Ada'), ada.handlers);
    const bobChannel = await links.open(peer.address, open('room_one', 'Bob'), bob.handlers);
    await expect.poll(() => peer.accepted.length).toBe(2);
    expect(peer.peers).toHaveLength(1);
    expect(peer.accepted.map((entry) => entry.open.name)).toEqual(['Ada', 'Bob']);

    const update = new Uint8Array([0, 2, 5, 0, 255, 1]);
    adaChannel.send(update);
    bobChannel.send('{"type":"edit"}');
    await expect.poll(() => peer.accepted[0]!.frames.length + peer.accepted[1]!.frames.length).toBe(2);
    expect(peer.accepted[0]!.frames).toEqual([{ data: update, isBinary: true }]);
    expect(peer.accepted[1]!.frames).toEqual([{ data: '{"type":"edit"}', isBinary: false }]);

    peer.accepted[0]!.socket.send(new Uint8Array([9, 9]));
    peer.accepted[1]!.socket.send('{"type":"text"}');
    await expect.poll(() => ada.received.length + bob.received.length).toBe(2);
    expect(ada.received).toEqual([new Uint8Array([9, 9])]);
    expect(bob.received).toEqual(['{"type":"text"}']);

    // The owner closes one member with a contract code; the edge hears it and only that one.
    peer.accepted[0]!.socket.close(4409, 'replaced by a newer connection');
    await expect.poll(() => ada.closes).toEqual([{ code: 4409, reason: 'replaced by a newer connection' }]);
    expect(peer.accepted[0]!.closed).toBe(true);
    // The edge's client leaves; the owner lets that member go.
    bobChannel.close(1000, 'bye');
    await expect.poll(() => peer.accepted[1]!.closed).toBe(true);
    expect(bob.closes).toEqual([]);
  });

  it('[CLU-link] when the link dies every forwarded client is closed with 1012, and the next open dials again', async () => {
    const peer = await owner();
    cleanups.push(() => new Promise((resolve) => peer.server.close(resolve)));
    const links = new PeerLinks({ instanceId: 'edge', secret: 'shh', logger: silentLogger });
    cleanups.push(() => links.close());
    const clients = [edgeClient(), edgeClient(), edgeClient()];
    for (const client of clients) await links.open(peer.address, open('room_two'), client.handlers);
    await expect.poll(() => peer.accepted.length).toBe(3);
    peer.peers[0]!.terminate();
    for (const client of clients) await expect.poll(() => client.closes.map((close) => close.code)).toEqual([LINK_LOST_CLOSE]);
    await expect.poll(() => peer.accepted.every((entry) => entry.closed)).toBe(true);

    const again = edgeClient();
    await links.open(peer.address, open('room_two'), again.handlers);
    await expect.poll(() => peer.peers.length).toBe(2);
  });

  it('[CLU-link] a peer without the cluster secret is refused', async () => {
    const peer = await owner('right');
    cleanups.push(() => new Promise((resolve) => peer.server.close(resolve)));
    const links = new PeerLinks({ instanceId: 'edge', secret: 'wrong', logger: silentLogger });
    cleanups.push(() => links.close());
    await expect(links.open(peer.address, open('room_three'), edgeClient().handlers)).rejects.toThrow();
    expect(peer.accepted).toEqual([]);
  });

  it("[CLU-link] the owner's probe of a forwarded client is answered by the edge", async () => {
    const peer = await owner();
    cleanups.push(() => new Promise((resolve) => peer.server.close(resolve)));
    const links = new PeerLinks({ instanceId: 'edge', secret: 'shh', logger: silentLogger });
    cleanups.push(() => links.close());
    const alive = edgeClient();
    const gone = edgeClient();
    gone.handlers.probe = async () => false;
    await links.open(peer.address, open('room_four', 'Ada'), alive.handlers);
    await links.open(peer.address, open('room_four', 'Bob'), gone.handlers);
    await expect.poll(() => peer.accepted.length).toBe(2);
    expect(await peer.accepted[0]!.socket.probe!(500)).toBe(true);
    expect(await peer.accepted[1]!.socket.probe!(500)).toBe(false);
  });
});
