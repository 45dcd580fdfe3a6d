/**
 * Black-box check of a running server: `npm run smoke -- http://127.0.0.1:3000`.
 * Creates a room, connects two stock y-websocket clients and one LWW client, and checks that
 * all three converge. Exits non-zero on any failure.
 */
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

const base = (process.argv[2] ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
const wsBase = base.replace(/^http/, 'ws');

async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const response = await fetch(`${base}/rooms`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ name: 'smoke', language: 'typescript', code: '// smoke\n' }),
});
if (response.status !== 201) throw new Error(`POST /rooms answered ${response.status}`);
const room = (await response.json()) as { roomId: string };

const docs = ['Smoke A', 'Smoke B'].map((name) => {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(`${wsBase}/yjs`, room.roomId, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    params: { name },
    disableBc: true,
  });
  return { doc, provider, text: doc.getText('code') };
});
const lwwTexts: string[] = [];
const lww = new WebSocket(`${wsBase}/ws/${room.roomId}?name=Smoke%20LWW`);
lww.on('message', (data) => {
  const message = JSON.parse(data.toString()) as { type: string; code?: string };
  if ((message.type === 'init' || message.type === 'code') && message.code !== undefined) lwwTexts.push(message.code);
});

await waitFor(() => docs.every((d) => d.provider.synced) && lwwTexts.length > 0, 'initial sync');
docs[0]!.text.insert(docs[0]!.text.length, 'const a = 1;\n');
docs[1]!.text.insert(docs[1]!.text.length, 'const b = 2;\n');
await waitFor(() => docs[0]!.text.toString() === docs[1]!.text.toString() && docs[0]!.text.length > 30, 'yjs convergence');
lww.send(JSON.stringify({ type: 'code', code: `${docs[0]!.text.toString()}// from lww\n` }));
await waitFor(() => docs.every((d) => d.text.toString().endsWith('// from lww\n')), 'lww -> yjs');
docs[0]!.text.insert(0, '/* yjs */ ');
await waitFor(() => lwwTexts.at(-1) === docs[0]!.text.toString(), 'yjs -> lww');

console.log(`smoke ok: room ${room.roomId}, ${docs[0]!.text.length} characters, 3 clients converged`);
for (const d of docs) d.provider.destroy();
lww.close();
process.exit(0);
