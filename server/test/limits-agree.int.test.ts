import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editorFrameBytes } from '../src/http/routes/sockets';
import { createRoom, getJson, lwwClient, rawSocket, startServer, updateFrame, waitFor, yClient, type TestServer, type YClient } from './helpers';

/** A frame limit well under the document limit, as with the defaults (1 MiB and 5 MiB). */
const MAX_MESSAGE_BYTES = 64 * 1024;
const MAX_DOCUMENT_BYTES = 512 * 1024;

let server: TestServer;
const clients: YClient[] = [];
const y = (...args: Parameters<typeof yClient>) => {
  const client = yClient(...args);
  clients.push(client);
  return client;
};

beforeAll(async () => {
  server = await startServer({ env: { MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES), MAX_DOCUMENT_BYTES: String(MAX_DOCUMENT_BYTES) } });
});
afterAll(async () => {
  for (const client of clients) client.destroy();
  await server.close();
});

describe('frame and document limits agree', () => {
  it('[LIM-agree] editors can deliver any edit that keeps the document under MAX_DOCUMENT_BYTES, whatever MAX_MESSAGE_BYTES is', () => {
    for (const limits of [
      { maxMessageBytes: 1024 * 1024, maxDocumentBytes: 5 * 1024 * 1024 },
      { maxMessageBytes: MAX_MESSAGE_BYTES, maxDocumentBytes: MAX_DOCUMENT_BYTES },
      { maxMessageBytes: 8 * 1024 * 1024, maxDocumentBytes: 1024 * 1024 },
    ]) {
      // A whole buffer of the document's size as JSON, with every character escaped to two bytes.
      expect(editorFrameBytes(limits)).toBeGreaterThanOrEqual(2 * limits.maxDocumentBytes);
      expect(editorFrameBytes(limits)).toBeGreaterThanOrEqual(limits.maxMessageBytes);
    }
  });

  it('[LIM-paste] a paste bigger than MAX_MESSAGE_BYTES but within the document limit reaches the partner (y-websocket)', async () => {
    const room = await createRoom(server, { code: 'start\n' });
    const paster = y(server, room.roomId, 'Paster');
    const partner = y(server, room.roomId, 'Partner');
    await Promise.all([paster.synced(), partner.synced()]);
    const log = 'log line 0123456789\n'.repeat(10_000); // 200 KB, three times the frame limit
    paster.text.insert(6, log);
    await waitFor(() => partner.text.length === 6 + log.length, 10_000, 'the paste to reach the partner');
    expect(paster.closes).toEqual([]);
    // And the pair goes on editing.
    partner.text.insert(0, '// ');
    await waitFor(() => paster.text.toString().startsWith('// start'), 5_000, 'the next edit');
  });

  it('[LIM-paste] an LWW editor sends a whole buffer bigger than MAX_MESSAGE_BYTES within the document limit', async () => {
    const room = await createRoom(server, { code: 'x' });
    const lww = lwwClient(server, room.roomId, 'Big Buffer');
    await lww.next('init');
    const code = 'quote "this" and \\\\ that\n'.repeat(6_000); // 150 K characters, escapes on every line
    lww.send({ type: 'code', code });
    await waitFor(async () => (await getJson(`${server.httpUrl}/rooms/${room.roomId}`)).body.code === code, 10_000, 'the buffer to be applied');
    expect(lww.messages.some((m) => m.type === 'error')).toBe(false);
    lww.close();
  });

  it('[LIM-viewer] viewers\' frames stay small: a viewer frame over MAX_MESSAGE_BYTES closes with 1009', async () => {
    const room = await createRoom(server);
    const viewer = rawSocket(`${server.wsUrl}/yjs/${room.viewId}?name=Watcher`);
    await viewer.opened;
    await new Promise((resolve) => setTimeout(resolve, 100));
    const doc = new Y.Doc();
    doc.getText('code').insert(0, 'v'.repeat(MAX_MESSAGE_BYTES + 1_000));
    viewer.ws.send(updateFrame(Y.encodeStateAsUpdate(doc)));
    expect((await viewer.closed).code).toBe(1009);
  });

  it('[LIM-doc-size] an edit that would take the document past MAX_DOCUMENT_BYTES is still refused with 1009', async () => {
    const room = await createRoom(server);
    const big = rawSocket(`${server.wsUrl}/yjs/${room.roomId}?name=Overflow`);
    await big.opened;
    const doc = new Y.Doc();
    doc.getText('code').insert(0, 'o'.repeat(MAX_DOCUMENT_BYTES + 1_000));
    big.ws.send(updateFrame(Y.encodeStateAsUpdate(doc)));
    expect((await big.closed).code).toBe(1009);
    expect((await getJson(`${server.httpUrl}/rooms/${room.roomId}`)).body.code).toBe('');
  });
});
