import { YMessageType } from '@pairpad/shared';
import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as awarenessProtocol from 'y-protocols/awareness';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { editorFrameBytes } from '../src/http/routes/sockets';
import { createRoom, getJson, lwwClient, rawSocket, startServer, waitFor, yClient, type TestServer, type YClient, updateFrame } from './helpers';

let server: TestServer;
const ys: YClient[] = [];
const y = (...args: Parameters<typeof yClient>) => {
  const c = yClient(...args);
  ys.push(c);
  return c;
};

beforeAll(async () => {
  server = await startServer({ env: { MAX_MESSAGE_BYTES: '65536', PING_INTERVAL_MS: '1000' } });
});
afterAll(async () => {
  for (const c of ys) c.destroy();
  await server.close();
});

const url = (id: string, name: string, extra = '') => `${server.wsUrl}/yjs/${id}?name=${encodeURIComponent(name)}${extra}`;

describe('socket admission', () => {
  it('[WS-4404] refuses a socket for an unknown room on both endpoints', async () => {
    expect((await rawSocket(url('nosuchroom1', 'Ghost')).closed).code).toBe(4404);
    const lww = lwwClient(server, 'nosuchroom1', 'Ghost');
    expect((await lww.next('error')).code).toBe('room_not_found');
    expect((await lww.closed).code).toBe(4404);
  });

  it('[WS-1008] a missing or invalid display name is refused with 1008', async () => {
    const room = await createRoom(server);
    expect((await rawSocket(`${server.wsUrl}/yjs/${room.roomId}`).closed).code).toBe(1008);
    expect((await rawSocket(url(room.roomId, 'ab')).closed).code).toBe(1008);
    expect((await rawSocket(url(room.roomId, 'x'.repeat(33))).closed).code).toBe(1008);
    expect((await rawSocket(url(room.roomId, 'bad\u0007name')).closed).code).toBe(1008);
    // Invisible or direction-overriding characters: a name that looks empty, or like another.
    expect((await rawSocket(url(room.roomId, '\u200b\u200b\u200b')).closed).code).toBe(1008);
    expect((await rawSocket(url(room.roomId, 'Bob\u202eecilA')).closed).code).toBe(1008);
    // Emoji joined with a zero-width joiner are a name like any other.
    const family = rawSocket(url(room.roomId, 'Dad \u{1F468}\u200d\u{1F467}'));
    await family.opened;
    family.ws.close();
  });

  it('[WS-4409] a display name already online is refused; the same session replaces its old socket', async () => {
    const room = await createRoom(server);
    const first = rawSocket(url(room.roomId, 'Dup Name', '&session=tab1'));
    await first.opened;
    await waitFor(() => first.messages.length > 0);
    expect((await rawSocket(url(room.roomId, 'Dup Name')).closed).code).toBe(4409);
    expect((await rawSocket(url(room.roomId, 'Dup Name', '&session=tab2')).closed).code).toBe(4409);
    // Same session again (a reload or a reconnect after a network blip): the new socket wins.
    const again = rawSocket(url(room.roomId, 'Dup Name', '&session=tab1'));
    await again.opened;
    expect((await first.closed).code).toBe(4409);
    await waitFor(() => again.messages.length > 0);
    expect(again.ws.readyState).toBe(again.ws.OPEN);
    const { body } = await getJson(`${server.httpUrl}/rooms/${room.roomId}`);
    expect(body.participants.filter((p: { online: boolean }) => p.online)).toHaveLength(1);
    again.ws.close();
  });

  it('[WS-4429] capacity counts both endpoints and viewers', async () => {
    const room = await createRoom(server, { limit: 3 });
    const a = y(server, room.roomId, 'Cap One');
    const v = y(server, room.viewId, 'Cap Viewer');
    await Promise.all([a.synced(), v.synced()]);
    const l = lwwClient(server, room.roomId, 'Cap Lww');
    await l.next('init');
    expect((await rawSocket(url(room.roomId, 'Cap Four')).closed).code).toBe(4429);
    const overflowLww = lwwClient(server, room.roomId, 'Cap Five');
    expect((await overflowLww.next('error')).code).toBe('room_full');
    expect((await overflowLww.closed).code).toBe(4429);
    // A seat frees when someone leaves.
    l.close();
    await waitFor(async () => (await getJson(`${server.httpUrl}/rooms/${room.roomId}`)).body.online === 2);
    const late = rawSocket(url(room.roomId, 'Cap Late'));
    await late.opened;
    await waitFor(() => late.messages.length > 0);
    late.ws.close();
  });
});

describe('keepalive', () => {
  it('[WS-ping] a peer that stops answering pings is dropped and leaves the room', async () => {
    const room = await createRoom(server);
    const alive = y(server, room.roomId, 'Alive');
    await alive.synced();
    // A laptop whose lid closed: the TCP connection stays, nothing answers.
    const dead = new WebSocket(url(room.roomId, 'Silent Peer'), { autoPong: false });
    dead.on('error', () => {});
    await new Promise((resolve) => dead.once('open', resolve));
    await waitFor(async () => (await getJson(`${server.httpUrl}/rooms/${room.roomId}`)).body.online === 2);
    const closed = await new Promise<number>((resolve) => dead.once('close', (code) => resolve(code)));
    expect(closed).toBe(1006);
    await waitFor(async () => (await getJson(`${server.httpUrl}/rooms/${room.roomId}`)).body.online === 1);
    // The survivor's socket answered every ping and is still there.
    expect(alive.provider.wsconnected).toBe(true);
  });
});

describe('bad frames close only their own socket', () => {
  it('[WS-1007] malformed y-protocol frames close with 1007 and the room keeps syncing', async () => {
    const room = await createRoom(server, { code: 'intact' });
    const a = y(server, room.roomId, 'Steady A');
    const b = y(server, room.roomId, 'Steady B');
    await Promise.all([a.synced(), b.synced()]);
    const garbage = [
      new Uint8Array([0]), // sync without a step
      new Uint8Array([0, 2, 0xff, 0xff, 0xff, 0xff, 0x0f]), // declared length far past the end
      new Uint8Array([0, 2, 5, 1, 2]), // truncated payload
      new Uint8Array([1, 3, 1]), // awareness cut short
      new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), // varint overflow
    ];
    for (const [i, frame] of garbage.entries()) {
      const bad = rawSocket(url(room.roomId, `Broken ${i}`));
      await bad.opened;
      bad.ws.send(frame);
      expect([1007, 1003]).toContain((await bad.closed).code);
    }
    a.text.insert(0, '>');
    await waitFor(() => b.text.toString() === '>intact');
  });

  it('[WS-1003] unknown message types and text frames on /yjs close with 1003', async () => {
    const room = await createRoom(server);
    const unknown = rawSocket(url(room.roomId, 'Unknown'));
    await unknown.opened;
    unknown.ws.send(new Uint8Array([9, 0]));
    expect((await unknown.closed).code).toBe(1003);
    const text = rawSocket(url(room.roomId, 'Texter'));
    await text.opened;
    text.ws.send('hello');
    expect((await text.closed).code).toBe(1003);
  });

  it('[WS-1009] a frame over the connection\'s limit (MAX_MESSAGE_BYTES for viewers, past the document limit for editors) closes with 1009 and stores nothing of it', async () => {
    const room = await createRoom(server, { code: 'small' });
    const keeper = y(server, room.roomId, 'Keeper');
    await keeper.synced();
    const big = rawSocket(url(room.roomId, 'Big Sender', '&role=viewer'));
    await big.opened;
    const doc = new Y.Doc();
    doc.getText('code').insert(0, 'y'.repeat(100_000));
    big.ws.send(updateFrame(Y.encodeStateAsUpdate(doc)));
    expect((await big.closed).code).toBe(1009);
    const huge = rawSocket(url(room.roomId, 'Huge Sender'));
    await huge.opened;
    huge.ws.send(new Uint8Array(editorFrameBytes({ maxMessageBytes: 65536, maxDocumentBytes: 5 * 1024 * 1024 }) + 1));
    expect((await huge.closed).code).toBe(1009);
    keeper.text.insert(5, '!');
    await waitFor(async () => (await getJson(`${server.httpUrl}/rooms/${room.roomId}`)).body.code === 'small!');
  });

  it('[WS-awareness] a client cannot overwrite the awareness state of another client id', async () => {
    const room = await createRoom(server);
    const victim = y(server, room.roomId, 'Victim');
    const observer = y(server, room.roomId, 'Observer');
    await Promise.all([victim.synced(), observer.synced()]);
    victim.provider.awareness.setLocalStateField('user', { name: 'Victim', color: '#22c55e', role: 'editor' });
    await waitFor(() => (observer.provider.awareness.getStates().get(victim.doc.clientID) as any)?.user?.name === 'Victim');

    const attacker = rawSocket(url(room.viewId, 'Attacker'));
    await attacker.opened;
    const fake = new awarenessProtocol.Awareness(new Y.Doc());
    fake.clientID = victim.doc.clientID;
    fake.setLocalState({ user: { name: 'Impostor', color: '#000000', role: 'editor' } });
    // Bump the clock far ahead so a naive server would accept it.
    for (let i = 0; i < 50; i++) fake.setLocalState({ user: { name: 'Impostor', color: '#000000', role: 'editor' } });
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, YMessageType.Awareness);
    encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(fake, [fake.clientID]));
    attacker.ws.send(encoding.toUint8Array(encoder));
    // A marker update after the spoof proves the server processed it.
    victim.text.insert(0, 'm');
    await waitFor(() => observer.text.toString() === 'm');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((observer.provider.awareness.getStates().get(victim.doc.clientID) as any)?.user?.name).toBe('Victim');
    attacker.ws.close();
    fake.destroy();
  });
});
