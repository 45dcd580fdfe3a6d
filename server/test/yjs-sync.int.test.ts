import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { colorForName } from '@pairpad/shared';
import * as Y from 'yjs';
import { createRoom, getJson, prng, startServer, waitFor, yClient, type TestServer, type YClient } from './helpers';

let server: TestServer;
const clients: YClient[] = [];
const client = (...args: Parameters<typeof yClient>): YClient => {
  const made = yClient(...args);
  clients.push(made);
  return made;
};

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  for (const made of clients) made.destroy();
  await server.close();
});

const allEqual = (group: YClient[]) => group.every((c) => c.text.toString() === group[0]!.text.toString());

describe('Yjs sync over the stock WebsocketProvider', () => {
  it('[YJS-init] a fresh client receives the stored document on connect', async () => {
    const room = await createRoom(server, { code: 'print("hi")\n', language: 'python' });
    const ada = client(server, room.roomId, 'Ada');
    await ada.synced();
    expect(ada.text.toString()).toBe('print("hi")\n');
    expect(ada.doc.getMap('meta').get('language')).toBe('python');
  });

  it('[YJS-converge] two clients making 200 interleaved random inserts each converge with every insert kept', async () => {
    const room = await createRoom(server, { code: 'start' });
    const a = client(server, room.roomId, 'Alice');
    const b = client(server, room.roomId, 'Bob');
    await Promise.all([a.synced(), b.synced()]);
    const random = prng(42);
    for (let i = 0; i < 200; i++) {
      for (const [who, char] of [[a, 'a'], [b, 'b']] as const) {
        who.text.insert(Math.floor(random() * (who.text.length + 1)), char);
      }
      if (i % 25 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor(() => allEqual([a, b]) && a.text.length === 405, 10_000, 'convergence');
    const text = a.text.toString();
    expect(text.match(/a/g)?.length).toBe(200 + 1); // "start" holds one a
    expect(text.match(/b/g)?.length).toBe(200);
    expect(text.replace(/[ab]/g, '').length).toBe(4);
    const stored = await getJson(`${server.httpUrl}/rooms/${room.roomId}`);
    expect(stored.body.code).toBe(text);
  });

  it('[YJS-converge] five clients inserting and deleting at once converge', async () => {
    const room = await createRoom(server, { code: 'x'.repeat(50), limit: 5 });
    const group = ['Ann', 'Ben', 'Cid', 'Dee', 'Eve'].map((name) => client(server, room.roomId, name));
    await Promise.all(group.map((c) => c.synced()));
    const random = prng(7);
    for (let round = 0; round < 60; round++) {
      for (const [i, c] of group.entries()) {
        const length = c.text.length;
        if (random() < 0.35 && length > 0) {
          const at = Math.floor(random() * length);
          c.text.delete(at, Math.min(1 + Math.floor(random() * 3), length - at));
        } else {
          c.text.insert(Math.floor(random() * (length + 1)), String(i));
        }
      }
      if (round % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor(() => allEqual(group), 10_000, 'five-way convergence');
    const reference = await waitFor(async () => {
      const { body } = await getJson(`${server.httpUrl}/rooms/${room.roomId}`);
      return body.code === group[0]!.text.toString() ? body.code : null;
    });
    expect(reference).toBe(group[4]!.text.toString());
  });

  it('[YJS-fuzz] seeded concurrent edits, disconnects and reconnects over several rooms always converge', async () => {
    for (const seed of [1, 2, 3]) {
      const random = prng(seed);
      const rooms = await Promise.all([0, 1].map(() => createRoom(server, { limit: 3 })));
      const groups = rooms.map((room, r) =>
        ['P', 'Q', 'R'].map((who) => client(server, room.roomId, `${who}${who}${r}s${seed}`, { session: `${who}${r}s${seed}` })),
      );
      await Promise.all(groups.flat().map((c) => c.synced()));
      for (let step = 0; step < 120; step++) {
        const group = groups[Math.floor(random() * groups.length)]!;
        const c = group[Math.floor(random() * group.length)]!;
        const action = random();
        if (action < 0.08) {
          if (c.provider.wsconnected || c.provider.wsconnecting) c.provider.disconnect();
          else c.provider.connect();
        } else if (action < 0.3 && c.text.length > 0) {
          const at = Math.floor(random() * c.text.length);
          c.text.delete(at, 1);
        } else {
          c.text.insert(Math.floor(random() * (c.text.length + 1)), String.fromCharCode(97 + Math.floor(random() * 26)));
        }
        if (step % 15 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      for (const c of groups.flat()) if (!c.provider.wsconnected && !c.provider.wsconnecting) c.provider.connect();
      for (const group of groups) await waitFor(() => group.every((c) => c.provider.synced) && allEqual(group), 10_000, `seed ${seed} convergence`);
    }
  });

  it('[YJS-awareness] awareness states carry the user and are removed when their socket closes', async () => {
    const room = await createRoom(server);
    const ada = client(server, room.roomId, 'Ada');
    const bob = client(server, room.roomId, 'Bob');
    await Promise.all([ada.synced(), bob.synced()]);
    ada.provider.awareness.setLocalStateField('user', { name: 'Ada', color: '#22c55e', role: 'editor' });
    await waitFor(() => (bob.provider.awareness.getStates().get(ada.doc.clientID) as any)?.user?.name === 'Ada');
    // The server publishes the roster in its own awareness state.
    await waitFor(() =>
      [...bob.provider.awareness.getStates().values()].some((state: any) => state.pairpad?.participants?.length === 2),
    );
    ada.provider.disconnect();
    await waitFor(() => !bob.provider.awareness.getStates().has(ada.doc.clientID), 5_000, 'awareness removal');
  });

  it('[YJS-awareness-identity] an awareness user is the connection as the server knows it: no borrowed name, no editor role for a viewer', async () => {
    const room = await createRoom(server);
    const editor = client(server, room.roomId, 'Editor');
    const watcher = client(server, room.viewId, 'Watcher');
    const bare = client(server, room.roomId, 'Bare Client');
    await Promise.all([editor.synced(), watcher.synced(), bare.synced()]);
    watcher.provider.awareness.setLocalStateField('user', { name: 'Editor', color: '#22c55e', role: 'editor', extra: 1 });
    watcher.provider.awareness.setLocalStateField('selection', { anchor: 1, head: 2 });
    const seen = (clientID: number) => editor.provider.awareness.getStates().get(clientID) as any;
    await waitFor(() => seen(watcher.doc.clientID)?.selection?.head === 2, 5_000, "the viewer's cursor");
    const roster = (await getJson(`${server.httpUrl}/rooms/${room.roomId}`)).body.participants as { name: string; color: string }[];
    const colorOf = (name: string) => roster.find((p) => p.name === name)?.color;
    expect(seen(watcher.doc.clientID).user).toEqual({ name: 'Watcher', color: colorOf('Watcher'), role: 'viewer', extra: 1 });
    // A client that never set `user` (or set a colour that is not a CSS hex colour) still gets one.
    bare.provider.awareness.setLocalStateField('user', { color: 'red;background:url(x)' });
    await waitFor(() => seen(bare.doc.clientID)?.user?.name === 'Bare Client', 5_000, 'the bare client user');
    expect(seen(bare.doc.clientID).user).toEqual({ name: 'Bare Client', role: 'editor', color: colorOf('Bare Client') });
  });

  it('[YJS-colors] people online in a room get different colours, even when their names hash to the same one; a reconnect keeps it', async () => {
    expect(colorForName('Alice')).toBe(colorForName('Vera'));
    const room = await createRoom(server);
    // One after the other: whoever joins first keeps the colour the name hashes to.
    const alice = client(server, room.roomId, 'Alice', { session: 'alice-tab' });
    await alice.synced();
    const vera = client(server, room.roomId, 'Vera');
    await vera.synced();
    const colors = async () =>
      Object.fromEntries(((await getJson(`${server.httpUrl}/rooms/${room.roomId}`)).body.participants as { name: string; color: string }[]).map((p) => [p.name, p.color]));
    const first = await colors();
    expect(first.Alice).toBe(colorForName('Alice'));
    expect(first.Vera).toMatch(/^#[0-9a-f]{6}$/i);
    expect(first.Vera).not.toBe(first.Alice);
    // Others draw Vera's cursor in her room colour, whatever her client announces.
    vera.provider.awareness.setLocalStateField('user', { name: 'Vera', color: colorForName('Vera'), role: 'editor' });
    await waitFor(() => (alice.provider.awareness.getStates().get(vera.doc.clientID) as any)?.user?.color === first.Vera, 5_000, "Vera's colour at Alice");
    alice.provider.disconnect();
    alice.provider.connect();
    await alice.synced();
    expect((await colors()).Alice).toBe(first.Alice);
  });

  it('[YJS-viewer] a viewer receives edits but its own updates never reach the document or others', async () => {
    const room = await createRoom(server, { code: 'base' });
    const editor = client(server, room.roomId, 'Editor');
    const watcher = client(server, room.viewId, 'Watcher');
    const byChoice = client(server, room.roomId, 'Chooser', { role: 'viewer' });
    await Promise.all([editor.synced(), watcher.synced(), byChoice.synced()]);
    expect(watcher.text.toString()).toBe('base');
    editor.text.insert(4, '!');
    await waitFor(() => watcher.text.toString() === 'base!' && byChoice.text.toString() === 'base!');
    watcher.text.insert(0, 'HACK ');
    byChoice.text.insert(0, 'ALSO ');
    editor.text.insert(0, '>');
    // The viewer still holds its own rejected insert locally; Yjs orders same-spot inserts by client id.
    await waitFor(() => watcher.text.toString().replace('HACK ', '') === '>base!');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(editor.text.toString()).toBe('>base!');
    expect((await getJson(`${server.httpUrl}/rooms/${room.roomId}`)).body.code).toBe('>base!');
  });

  it('[YJS-persist] the update log is flushed in batches and a new client sees edits after the room unloads', async () => {
    const room = await createRoom(server);
    const a = client(server, room.roomId, 'Writer');
    await a.synced();
    for (let i = 0; i < 50; i++) a.text.insert(a.text.length, `${i},`);
    await waitFor(async () => (await getJson(`${server.httpUrl}/rooms/${room.roomId}`)).body.code.endsWith('49,'));
    a.destroy();
    await waitFor(() => server.app.registry.get(room.roomId) === undefined, 5_000, 'room unload');
    const b = client(server, room.roomId, 'Reader');
    await b.synced();
    expect(b.text.toString()).toBe(Array.from({ length: 50 }, (_, i) => `${i},`).join(''));
  });

  it('[YJS-state] a client that edited offline merges its edits on reconnect without duplicates', async () => {
    const room = await createRoom(server, { code: 'shared' });
    const a = client(server, room.roomId, 'Online');
    // A browser keeps a session id, so its reconnect replaces a socket the server has not yet seen close.
    const b = client(server, room.roomId, 'Offline', { session: 'tab-offline-1' });
    await Promise.all([a.synced(), b.synced()]);
    b.provider.disconnect();
    b.text.insert(0, 'B:');
    a.text.insert(a.text.length, ':A');
    b.provider.connect();
    await waitFor(() => allEqual([a, b]) && a.text.toString() === 'B:shared:A');
  });
});

describe('Yjs document model', () => {
  it('[YJS-meta] language changed by one client is seen by the other and saved for REST', async () => {
    const room = await createRoom(server, { language: 'python' });
    const a = client(server, room.roomId, 'Lang1');
    const b = client(server, room.roomId, 'Lang2');
    await Promise.all([a.synced(), b.synced()]);
    a.doc.getMap('meta').set('language', 'rust');
    await waitFor(() => b.doc.getMap('meta').get('language') === 'rust');
    await waitFor(async () => (await getJson(`${server.httpUrl}/rooms/${room.roomId}`)).body.language === 'rust');
    // An unknown language is put back.
    a.doc.getMap('meta').set('language', 'klingon');
    await waitFor(() => a.doc.getMap('meta').get('language') === 'rust' && b.doc.getMap('meta').get('language') === 'rust');
  });

  it('[YJS-patch] PATCH of language reaches connected clients live', async () => {
    const room = await createRoom(server);
    const a = client(server, room.roomId, 'Patchy');
    await a.synced();
    const response = await fetch(`${server.httpUrl}/rooms/${room.roomId}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ language: 'go', name: 'Go pair' }),
    });
    expect(response.status).toBe(200);
    await waitFor(() => a.doc.getMap('meta').get('language') === 'go' && a.doc.getMap('meta').get('name') === 'Go pair');
  });

  it('[YJS-limit] the room limit is published in meta, follows PATCH live, and a client cannot change it', async () => {
    const room = await createRoom(server, { limit: 4 });
    const a = client(server, room.roomId, 'Limit One');
    const b = client(server, room.roomId, 'Limit Two');
    await Promise.all([a.synced(), b.synced()]);
    await waitFor(() => a.doc.getMap('meta').get('limit') === 4);
    const response = await fetch(`${server.httpUrl}/rooms/${room.roomId}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ limit: 7 }),
    });
    expect(response.status).toBe(200);
    await waitFor(() => a.doc.getMap('meta').get('limit') === 7 && b.doc.getMap('meta').get('limit') === 7);
    // Written by a client (which would skip the 409 check): the server puts its own value back.
    a.doc.getMap('meta').set('limit', 20);
    await waitFor(() => a.doc.getMap('meta').get('limit') === 7 && b.doc.getMap('meta').get('limit') === 7);
    expect((await getJson(`${server.httpUrl}/rooms/${room.roomId}`)).body.limit).toBe(7);
  });
});

void Y;
