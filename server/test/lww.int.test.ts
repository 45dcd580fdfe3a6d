import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Yjs from 'yjs';
import { createRoom, getJson, lwwClient, startServer, waitFor, yClient, type LwwClient, type TestServer, type YClient } from './helpers';

let server: TestServer;
const ys: YClient[] = [];
const lwws: LwwClient[] = [];
const y = (...args: Parameters<typeof yClient>) => {
  const c = yClient(...args);
  ys.push(c);
  return c;
};
const lww = (...args: Parameters<typeof lwwClient>) => {
  const c = lwwClient(...args);
  lwws.push(c);
  return c;
};

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  for (const c of ys) c.destroy();
  for (const c of lwws) c.close();
  await server.close();
});

describe('last-write-wins endpoint /ws', () => {
  it('[LWW-init] sends init with code, language and participants on join', async () => {
    const room = await createRoom(server, { code: 'SELECT 1;', language: 'sql' });
    const c = lww(server, room.roomId, 'Simple');
    const init = await c.next('init');
    expect(init.code).toBe('SELECT 1;');
    expect(init.language).toBe('sql');
    expect(init.limit).toBe(5);
    expect(init.participants.map((p) => p.name)).toContain('Simple');
    expect(c.messages[0]?.type).toBe('init');
    // Others hear about the join as presence.
    const other = lww(server, room.roomId, 'Second');
    await other.next('init');
    await c.next('presence', (m) => m.participants.some((p) => p.name === 'Second' && p.online));
    expect(other.messages[0]?.type).toBe('init');
  });

  it('[LWW-meta] a name or language change, by PATCH or by a Yjs client, reaches LWW clients as a meta message', async () => {
    const room = await createRoom(server, { name: 'Before', language: 'sql' });
    const c = lww(server, room.roomId, 'Meta Watcher');
    await c.next('init');
    const patched = await fetch(`${server.httpUrl}/rooms/${room.roomId}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ language: 'rust' }),
    });
    expect(patched.status).toBe(200);
    expect(await c.next('meta', (m) => m.language === 'rust')).toEqual({ type: 'meta', name: 'Before', language: 'rust', limit: 5 });
    const editor = y(server, room.roomId, 'Meta Editor');
    await editor.synced();
    editor.doc.getMap('meta').set('name', 'After');
    expect(await c.next('meta', (m) => m.name === 'After')).toEqual({ type: 'meta', name: 'After', language: 'rust', limit: 5 });
    // Extension: a limit change reaches LWW clients too (issue 14, defect 5).
    await fetch(`${server.httpUrl}/rooms/${room.roomId}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ limit: 6 }) });
    expect(await c.next('meta', (m) => m.limit === 6)).toEqual({ type: 'meta', name: 'After', language: 'rust', limit: 6 });
    // A Yjs client writing the limit into meta changes nothing and announces nothing.
    const before = c.messages.length;
    editor.doc.getMap('meta').set('limit', 2);
    editor.text.insert(0, 'x');
    await c.next('code', (m) => m.code === 'x');
    expect(c.messages.slice(before).some((m) => m.type === 'meta')).toBe(false);
    await waitFor(() => editor.doc.getMap('meta').get('limit') === 6);
  });

  it('[LWW-yjs] LWW and Yjs clients in one room see each other, as ordinary edits', async () => {
    const room = await createRoom(server, { code: 'hello world' });
    const yc = y(server, room.roomId, 'YjsUser');
    await yc.synced();
    const lc = lww(server, room.roomId, 'LwwUser');
    await lc.next('init');

    // A Yjs cursor after "hello" must survive a whole-buffer write that only touches the end.
    const cursor = yc.text.length > 5 ? Y_relative(yc, 5) : null;
    lc.send({ type: 'code', code: 'hello world!!' });
    await waitFor(() => yc.text.toString() === 'hello world!!');
    expect(cursor?.()).toBe(5);

    yc.text.insert(0, '// ');
    const update = await lc.next('code', (m) => m.code === '// hello world!!');
    expect(update.from).toBe('YjsUser');
  });

  it('[LWW-concurrent] two LWW clients writing whole buffers concurrently never duplicate text', async () => {
    const room = await createRoom(server, { code: 'base' });
    const a = lww(server, room.roomId, 'Writer A');
    const b = lww(server, room.roomId, 'Writer B');
    await Promise.all([a.next('init'), b.next('init')]);
    for (let i = 0; i < 20; i++) {
      a.send({ type: 'code', code: `base A${i}` });
      b.send({ type: 'code', code: `base B${i}` });
    }
    // Both wrote at the same spot: both edits are kept, whole, each once.
    const final = await waitFor(async () => {
      const { body } = await getJson(`${server.httpUrl}/rooms/${room.roomId}`);
      return /^base (A19 B19|B19 A19)$/.test(body.code) ? body.code : null;
    });
    // Each client ends holding the server's text.
    const last = (c: LwwClient) => [...c.messages].reverse().find((m) => m.type === 'code') as { code: string } | undefined;
    await waitFor(() => last(a)?.code === final && last(b)?.code === final);
  });

  it('[LWW-merge] two LWW clients typing two lines at once, each write on a stale base: no interleaving, both lines kept', async () => {
    const room = await createRoom(server, { code: '\n' });
    const a = lww(server, room.roomId, 'Typist A');
    const b = lww(server, room.roomId, 'Typist B');
    await Promise.all([a.next('init'), b.next('init')]);
    const lineA = 'x la = 1';
    const lineB = 'py = is';
    // Neither applies what the server pushes meanwhile: every write but the first is based on
    // the client's own previous write, and each crosses the other's.
    for (let i = 1; i <= lineA.length; i++) {
      a.send({ type: 'code', code: `${lineA.slice(0, i)}\n` });
      if (i <= lineB.length) b.send({ type: 'code', code: `\n${lineB.slice(0, i)}` });
    }
    const expected = 'x la = 1\npy = is';
    await waitFor(async () => (await getJson(`${server.httpUrl}/rooms/${room.roomId}`)).body.code === expected, 5_000, 'both lines');
    await a.next('code', (m) => m.code === expected);
    await b.next('code', (m) => m.code === expected);
  });

  it('[LWW-merge] a write names its base (version): merged against exactly that text', async () => {
    const room = await createRoom(server, { code: 'one\ntwo\n' });
    const a = lww(server, room.roomId, 'Versioned A');
    const b = lww(server, room.roomId, 'Versioned B');
    const [initA] = await Promise.all([a.next('init'), b.next('init')]);
    expect(initA.version).toBe(1);
    expect(initA.ack).toBe(0);
    b.send({ type: 'code', code: 'ONE\ntwo\n' });
    // A has the push, but says its write is based on the init text: B's change survives.
    await a.next('code', (m) => m.code === 'ONE\ntwo\n');
    a.send({ type: 'code', code: 'one\ntwo\nthree\n', base: initA.version });
    await waitFor(async () => (await getJson(`${server.httpUrl}/rooms/${room.roomId}`)).body.code === 'ONE\ntwo\nthree\n');
    // A's write left the server with a text A does not have yet, so it gets it, acknowledged.
    const merged = await a.next('code', (m) => m.ack === 1);
    expect(merged.code).toBe('ONE\ntwo\nthree\n');
    expect(merged.version).toBeGreaterThan(initA.version!);
  });

  it('[LWW-merge] an LWW writer and a y-websocket typist at once: no interleaving, both kept, the Yjs cursor stays', async () => {
    const room = await createRoom(server, { code: '\n' });
    const yc = y(server, room.roomId, 'Yjs Typist');
    await yc.synced();
    const lc = lww(server, room.roomId, 'Lww Typist');
    await lc.next('init');
    const lineY = 'let a = 1;';
    const lineL = 'let b = 2;';
    for (let i = 1; i <= lineY.length; i++) {
      // The Yjs user types at the end of line 1 (its caret), the LWW user sends its whole buffer.
      yc.text.insert(i - 1, lineY[i - 1]!);
      lc.send({ type: 'code', code: `\n${lineL.slice(0, i)}` });
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const expected = `${lineY}\n${lineL}`;
    const caret = Y_relative(yc, lineY.length);
    await waitFor(() => yc.text.toString() === expected, 5_000, 'the Yjs client to converge');
    expect(caret()).toBe(lineY.length);
    await lc.next('code', (m) => m.code === expected);
  });

  it('[LWW-merge] deleting text a Yjs user already deleted deletes nothing more', async () => {
    const room = await createRoom(server, { code: 'keep; drop; keep too' });
    const yc = y(server, room.roomId, 'Yjs Deleter');
    await yc.synced();
    const lc = lww(server, room.roomId, 'Lww Deleter');
    await lc.next('init');
    yc.text.delete(4, 6);
    yc.text.insert(yc.text.length, '!');
    await waitFor(async () => (await getJson(`${server.httpUrl}/rooms/${room.roomId}`)).body.code === 'keep; keep too!');
    // A stale write (based on init) that deletes the same "; drop".
    lc.send({ type: 'code', code: 'keep; keep too', base: 1 });
    await lc.next('code', (m) => m.code === 'keep; keep too!');
    expect(yc.text.toString()).toBe('keep; keep too!');
  });

  it('[LWW-coalesce] a burst of Yjs edits reaches LWW clients as few full-text messages', async () => {
    const room = await createRoom(server);
    const yc = y(server, room.roomId, 'Typist');
    const lc = lww(server, room.roomId, 'Watcher');
    await Promise.all([yc.synced(), lc.next('init')]);
    for (let i = 0; i < 100; i++) yc.text.insert(yc.text.length, 'x');
    await lc.next('code', (m) => m.code === 'x'.repeat(100));
    const codeMessages = lc.messages.filter((m) => m.type === 'code').length;
    expect(codeMessages).toBeLessThan(20);
  });

  it('[LWW-typing] typing is relayed to others and shown in presence', async () => {
    const room = await createRoom(server);
    const a = lww(server, room.roomId, 'Typer');
    const b = lww(server, room.roomId, 'Seer');
    await Promise.all([a.next('init'), b.next('init')]);
    a.send({ type: 'typing' });
    expect((await b.next('typing')).name).toBe('Typer');
    await b.next('presence', (m) => m.participants.some((p) => p.name === 'Typer' && p.typing === true));
    expect(a.messages.some((m) => m.type === 'typing')).toBe(false);
    // Typing on past the first expiry sweep changes nothing others see; a few seconds after the
    // last keystroke the flag clears, with exactly one more presence message.
    const presenceBefore = b.messages.filter((m) => m.type === 'presence').length;
    const seenBefore = b.messages.length;
    for (let i = 0; i < 4; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      a.send({ type: 'typing' });
    }
    // Only a presence sent from here on counts: one from Typer's join (if Seer was in first)
    // also shows Typer not typing.
    await waitFor(
      () => b.messages.slice(seenBefore).some((m) => m.type === 'presence' && m.participants.some((p) => p.name === 'Typer' && p.typing === false)),
      8_000,
      'the typing flag to clear',
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(b.messages.filter((m) => m.type === 'presence').length).toBe(presenceBefore + 1);
  }, 20_000);

  it('[LWW-viewer] a view-only LWW client cannot write and never learns the roomId', async () => {
    const room = await createRoom(server, { code: 'safe' });
    const v = lww(server, room.viewId, 'Viewer');
    const init = await v.next('init');
    expect(JSON.stringify(init)).not.toContain(room.roomId);
    v.send({ type: 'code', code: 'pwned' });
    const error = await v.next('error');
    expect(error.code).toBe('forbidden');
    expect((await v.closed).code).toBe(1008);
    expect((await getJson(`${server.httpUrl}/rooms/${room.roomId}`)).body.code).toBe('safe');
  });

  it('[LWW-1007] invalid JSON and wrong field types get an error then close; the room keeps working', async () => {
    const room = await createRoom(server, { code: 'ok' });
    const good = lww(server, room.roomId, 'Good');
    await good.next('init');
    for (const bad of ['{not json', JSON.stringify({ type: 'code', code: 42 }), JSON.stringify({ type: 'nope' }), '[]']) {
      const c = lww(server, room.roomId, `Bad${lwws.length}`);
      await c.next('init');
      c.send(bad);
      expect((await c.next('error')).code).toBe('malformed_message');
      expect((await c.closed).code).toBe(1007);
    }
    good.send({ type: 'code', code: 'still ok' });
    await waitFor(async () => (await getJson(`${server.httpUrl}/rooms/${room.roomId}`)).body.code === 'still ok');
  });

  it('[LWW-1003] a binary frame on the JSON endpoint closes with 1003', async () => {
    const room = await createRoom(server);
    const c = lww(server, room.roomId, 'Binary');
    await c.next('init');
    c.ws.send(new Uint8Array([1, 2, 3]));
    expect((await c.closed).code).toBe(1003);
  });
});

/** Tracks a Yjs relative position so the test can check a cursor survives remote edits. */
function Y_relative(client: YClient, index: number): () => number | null {
  const rel = Yjs.createRelativePositionFromTypeIndex(client.text, index);
  return () => Yjs.createAbsolutePositionFromRelativePosition(rel, client.doc)?.index ?? null;
}
