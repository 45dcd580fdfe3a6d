/**
 * Raw relay: the cost floor. Rebroadcasts every frame's bytes to the other sockets
 * of the same path (room) without decoding anything. No document, no persistence.
 * Env: PORT, HOST.
 */
import http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

const port = Number(process.env.PORT ?? 4000);
const host = process.env.HOST ?? '127.0.0.1';
const rooms = new Map<string, Set<WebSocket>>();

const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('relay');
});
const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });

wss.on('connection', (ws, req) => {
  const key = (req.url ?? '/').split('?')[0] ?? '/';
  let peers = rooms.get(key);
  if (!peers) {
    peers = new Set();
    rooms.set(key, peers);
  }
  const room = peers;
  room.add(ws);
  ws.on('message', (data, isBinary) => {
    for (const other of room) {
      if (other !== ws && other.readyState === 1) other.send(data, { binary: isBinary });
    }
  });
  ws.on('close', () => {
    room.delete(ws);
    if (room.size === 0) rooms.delete(key);
  });
  ws.on('error', () => ws.terminate());
});

server.listen(port, host);
