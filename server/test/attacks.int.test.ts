import { Writable } from 'node:stream';
import { createDatabase, migrateToLatest } from '@pairpad/db';
import { createTestDatabase } from '@pairpad/db/testing';
import { AWARENESS_IDS_PER_CONNECTION, YMessageType } from '@pairpad/shared';
import * as encoding from 'lib0/encoding';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { buildApp } from '../src/app';
import { loadConfig } from '../src/config';
import { TEST_DATABASE_URL, awarenessFrame, createRoom, getJson, rawSocket, startServer, updateFrame, waitFor, yClient, type RawSocket, type TestServer } from './helpers';

/**
 * Attacks a stranger can make with nothing but a room's view link (or, for a few, its edit link),
 * each with the guard that bounds it. Every test here fails without its guard.
 */

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function server(env: Record<string, string> = {}): Promise<TestServer> {
  const started = await startServer({ env });
  cleanups.push(() => started.close());
  return started;
}

function socket(url: string): RawSocket {
  const raw = rawSocket(url);
  cleanups.push(() => raw.ws.terminate());
  return raw;
}

function syncStep1Frame(stateVector: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, YMessageType.Sync);
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint8Array(encoder, stateVector);
  return encoding.toUint8Array(encoder);
}

const viewerUser = (name: string) => ({ name, color: '#4dabf7', role: 'editor' });

describe('attacks', () => {
  it('[ATK-awareness-depth] a viewer whose awareness state is nested 20,000 deep (or just too deep) is closed; nobody else notices and later joins work', async () => {
    const s = await server();
    const room = await createRoom(s, { code: 'def main():\n' });
    const alice = yClient(s, room.roomId, 'Alice');
    cleanups.push(() => alice.destroy());
    await alice.synced();

    const huge = socket(`${s.wsUrl}/yjs/${room.viewId}?name=Vera`);
    await huge.opened;
    const nested = `{"user":${JSON.stringify(viewerUser('Alice'))},"x":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    huge.ws.send(awarenessFrame([{ clientID: 777, clock: 1, state: nested }]));
    expect((await huge.closed).code).toBe(1009);

    const deep = socket(`${s.wsUrl}/yjs/${room.viewId}?name=Vera`);
    await deep.opened;
    deep.ws.send(awarenessFrame([{ clientID: 778, clock: 1, state: `{"x":${'['.repeat(100)}${']'.repeat(100)}}` }]));
    expect((await deep.closed).code).toBe(1007);

    const scalar = socket(`${s.wsUrl}/yjs/${room.viewId}?name=Vera`);
    await scalar.opened;
    scalar.ws.send(awarenessFrame([{ clientID: 779, clock: 1, state: '[1,2,3]' }]));
    expect((await scalar.closed).code).toBe(1007);

    // Nothing was kept: a stock client joins and syncs, and Alice is still connected.
    const bob = yClient(s, room.roomId, 'Bob');
    cleanups.push(() => bob.destroy());
    await bob.synced();
    expect(bob.text.toString()).toBe('def main():\n');
    expect([...bob.provider.awareness.getStates().keys()]).not.toContain(777);
    expect(alice.closes).toEqual([]);
    const live = s.app.registry.get(room.roomId)!;
    expect([...live.awareness.getStates().keys()].filter((id) => id >= 777 && id <= 779)).toEqual([]);
  });

  it('[ATK-pending] updates whose earlier parts never arrive cannot grow the room: past a small bound they are dropped and the sender closed (1007); a short gap still heals', async () => {
    const s = await server();
    const room = await createRoom(s, { code: '' });
    const live = async () => {
      await waitFor(() => s.app.registry.get(room.roomId), 5_000, 'room to load');
      return s.app.registry.get(room.roomId)!;
    };

    // A gap that heals: the later part first, then the earlier one.
    const healing = new Y.Doc();
    healing.getText('code').insert(0, 'first ');
    const early = Y.encodeStateAsUpdate(healing);
    const afterEarly = Y.encodeStateVector(healing);
    healing.getText('code').insert(6, 'second');
    const late = Y.encodeStateAsUpdate(healing, afterEarly);
    const editor = socket(`${s.wsUrl}/yjs/${room.roomId}?name=Editor`);
    await editor.opened;
    editor.ws.send(updateFrame(late));
    await waitFor(async () => (await live()).doc.store.pendingStructs !== null, 5_000, 'the late part to be parked');
    editor.ws.send(updateFrame(early));
    await waitFor(async () => (await live()).currentText() === 'first second', 5_000, 'the gap to heal');
    expect((await live()).doc.store.pendingStructs).toBeNull();

    // A large update hanging on a clock the room never saw.
    const attacker = new Y.Doc();
    attacker.getText('code').insert(0, 'x');
    const seen = Y.encodeStateVector(attacker);
    attacker.getText('code').insert(1, 'y'.repeat(400_000));
    const orphan = Y.encodeStateAsUpdate(attacker, seen);
    const bad = socket(`${s.wsUrl}/yjs/${room.roomId}?name=Mallory`);
    await bad.opened;
    bad.ws.send(updateFrame(orphan));
    expect((await bad.closed).code).toBe(1007);
    const after = await live();
    expect(after.doc.store.pendingStructs).toBeNull();
    // The full state a newcomer gets, and the snapshot, stay at the document's real size.
    expect(after.syncStep2For(new Uint8Array([0])).message.byteLength).toBeLessThan(1_000);
    await after.compact();
    const bob = yClient(s, room.roomId, 'Bob');
    cleanups.push(() => bob.destroy());
    await bob.synced();
    expect(bob.text.toString()).toBe('first second');
    expect(editor.ws.readyState).toBe(editor.ws.OPEN);
  });

  it('[ATK-awareness-ids] a connection speaks only for the few awareness ids it introduced: removals of unknown ids leave nothing behind', async () => {
    const s = await server();
    const room = await createRoom(s);
    const alice = yClient(s, room.roomId, 'Alice');
    cleanups.push(() => alice.destroy());
    await alice.synced();
    const live = s.app.registry.get(room.roomId)!;
    alice.provider.awareness.setLocalStateField('cursor', 1);
    await waitFor(() => live.awareness.getStates().has(alice.doc.clientID), 5_000, 'Alice’s state to reach the server');
    const baseline = live.awareness.meta.size;

    const viewer = socket(`${s.wsUrl}/yjs/${room.viewId}?name=Vera`);
    await viewer.opened;
    for (let frame = 0; frame < 5; frame++) {
      viewer.ws.send(awarenessFrame(Array.from({ length: 2_000 }, (_, i) => ({ clientID: 10_000 + frame * 2_000 + i, clock: 5, state: 'null' }))));
    }
    // Non-null states for many ids: only the first few are kept.
    viewer.ws.send(awarenessFrame(Array.from({ length: 50 }, (_, i) => ({ clientID: 50_000 + i, clock: 1, state: JSON.stringify({ cursor: i }) }))));
    // Someone else's id (Alice's) cannot be spoken for either.
    viewer.ws.send(awarenessFrame([{ clientID: alice.doc.clientID, clock: 1_000, state: 'null' }]));
    await waitFor(() => live.awareness.getStates().has(50_000), 5_000, 'the viewer state to arrive');
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(live.awareness.meta.size).toBeLessThanOrEqual(baseline + AWARENESS_IDS_PER_CONNECTION);
    const viewerIds = [...live.awareness.getStates().keys()].filter((id) => id >= 50_000 && id < 50_050);
    expect(viewerIds.length).toBe(AWARENESS_IDS_PER_CONNECTION);
    expect(live.awareness.getStates().has(alice.doc.clientID)).toBe(true);
    expect(viewer.ws.readyState).toBe(viewer.ws.OPEN);

    // Leaving frees every record it held.
    viewer.ws.close();
    await waitFor(() => live.awareness.meta.size <= baseline, 5_000, 'the viewer records to go');
  });

  it('[ATK-roster] only the server publishes the roster: a client state carrying the roster key reaches others without it', async () => {
    const s = await server();
    const room = await createRoom(s);
    const alice = yClient(s, room.roomId, 'Alice');
    cleanups.push(() => alice.destroy());
    await alice.synced();
    const viewer = socket(`${s.wsUrl}/yjs/${room.viewId}?name=Vera`);
    await viewer.opened;
    const forged = { user: viewerUser('Teacher'), pairpad: { participants: [{ name: 'Teacher (room owner)', color: '#000000', role: 'editor', online: true }] } };
    viewer.ws.send(awarenessFrame([{ clientID: 4242, clock: 1, state: JSON.stringify(forged) }]));
    await waitFor(() => alice.provider.awareness.getStates().get(4242), 5_000, 'the viewer state to reach Alice');
    const seen = alice.provider.awareness.getStates().get(4242)!;
    expect(seen).not.toHaveProperty('pairpad');
    expect(seen.user).toMatchObject({ name: 'Vera', role: 'viewer' });
  });

  it('[ATK-sync-budget] a socket that keeps asking for sync replies is paced by its budget of bytes and closed (4429) once requests pile up; honest joins are unaffected', async () => {
    const s = await server({ MAX_DOCUMENT_BYTES: '16384', MAX_SYNC_BYTES_PER_SECOND: '1024' });
    const room = await createRoom(s, { code: 'x'.repeat(5_000) });
    const viewer = socket(`${s.wsUrl}/yjs/${room.viewId}?name=Vera`);
    await viewer.opened;
    // Burst is two full documents (32 KiB); each reply is about 5 KB, cached or not.
    for (let i = 0; i < 30 && viewer.ws.readyState === viewer.ws.OPEN; i++) {
      const vector = Y.encodeStateVector(new Map([[1 + i, 1]]));
      viewer.ws.send(syncStep1Frame(vector));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect((await viewer.closed).code).toBe(4429);
    const replies = viewer.messages.filter((m) => typeof m !== 'string' && m[0] === YMessageType.Sync && m[1] === 1).length;
    expect(replies).toBeGreaterThanOrEqual(5);
    expect(replies).toBeLessThan(12);

    const bob = yClient(s, room.roomId, 'Bob');
    cleanups.push(() => bob.destroy());
    await bob.synced();
    expect(bob.text.length).toBe(5_000);
  });

  it('[ATK-rest-cache] repeated GETs of an idle stored room decode it once', async () => {
    const s = await server();
    const room = await createRoom(s, { code: 'print(1)\n'.repeat(1_000) });
    let loads = 0;
    const store = (s.app.registry as unknown as { options: { store: { load: (id: string) => Promise<unknown> } } }).options.store;
    const load = store.load.bind(store);
    store.load = (id: string) => {
      loads++;
      return load(id);
    };
    const reads = await Promise.all(Array.from({ length: 5 }, () => getJson(`${s.httpUrl}/rooms/${room.viewId}`)));
    for (const read of reads) expect(read.body.code).toBe('print(1)\n'.repeat(1_000));
    expect((await getJson(`${s.httpUrl}/rooms/${room.viewId}`)).body.code.length).toBe(9_000);
    expect(loads).toBe(1);

    // An edit through a live room is seen by the next read after it unloads.
    const alice = yClient(s, room.roomId, 'Alice');
    await alice.synced();
    alice.text.insert(0, '# edited\n');
    await waitFor(async () => (await getJson(`${s.httpUrl}/rooms/${room.viewId}`)).body.code.startsWith('# edited'), 5_000, 'the live edit');
    alice.destroy();
    await waitFor(() => !s.app.registry.get(room.roomId), 5_000, 'the room to unload');
    expect((await getJson(`${s.httpUrl}/rooms/${room.viewId}`)).body.code.startsWith('# edited\n')).toBe(true);
  });

  it('[ATK-rest-budget] a room’s text is served by REST at a bounded rate (429 with retry-after past it); ?code=false is always answered', async () => {
    const s = await server({ MAX_DOCUMENT_BYTES: '16384', ROOM_READ_BYTES_PER_SECOND: '1024' });
    const room = await createRoom(s, { code: 'z'.repeat(10_000) });
    // The burst is two full documents (32 KiB): three reads of 10,000 characters, then the fourth waits.
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await getJson(`${s.httpUrl}/rooms/${room.viewId}`)).status);
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    const refused = await fetch(`${s.httpUrl}/rooms/${room.viewId}`);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    const light = await getJson(`${s.httpUrl}/rooms/${room.viewId}?code=false`);
    expect(light.status).toBe(200);
    expect(light.body).not.toHaveProperty('code');
    expect(light.body).not.toHaveProperty('roomId');
    // Another room is not affected.
    const other = await createRoom(s, { code: 'print(1)' });
    expect((await getJson(`${s.httpUrl}/rooms/${other.roomId}`)).body.code).toBe('print(1)');
    expect((await getJson(`${s.httpUrl}/rooms/${room.viewId}?code=maybe`)).status).toBe(400);
  });

  it('[ATK-rest-ip] GET /rooms/:id is limited per client address (ROOM_READS_PER_IP_PER_MINUTE), also when refused reads are cheap', async () => {
    const s = await server({ RATE_LIMIT_ALLOW: '', ROOM_READS_PER_IP_PER_MINUTE: '5' });
    const room = await createRoom(s);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await getJson(`${s.httpUrl}/rooms/${room.viewId}?code=false`)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect((await getJson(`${s.httpUrl}/healthz`)).status).toBe(200);
    // A refusal is answered after RATE_LIMIT_DELAY_MS (a lower bound: a timer never fires early),
    // so a client looping on refusals waits instead of spinning.
    const started = performance.now();
    expect((await getJson(`${s.httpUrl}/rooms/${room.viewId}?code=false`)).status).toBe(429);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('[ATK-seats] view links cannot fill a room: seats stay free for a pair of editors', async () => {
    const s = await server();
    const room = await createRoom(s, { limit: 3 });
    const first = yClient(s, room.viewId, 'Viewer One');
    cleanups.push(() => first.destroy());
    await first.synced();
    const second = socket(`${s.wsUrl}/yjs/${room.viewId}?name=Viewer%20Two`);
    expect((await second.closed).code).toBe(4429);
    const alice = yClient(s, room.roomId, 'Alice');
    const bob = yClient(s, room.roomId, 'Bob');
    cleanups.push(() => alice.destroy(), () => bob.destroy());
    await Promise.all([alice.synced(), bob.synced()]);
    expect([...alice.closes, ...bob.closes]).toEqual([]);
  });

  it('[ATK-session] a view link presenting an editor’s session id cannot replace (kick) that editor', async () => {
    const s = await server();
    const room = await createRoom(s);
    const alice = yClient(s, room.roomId, 'Alice', { session: 'alice-session-1' });
    cleanups.push(() => alice.destroy());
    await alice.synced();
    const impostor = socket(`${s.wsUrl}/yjs/${room.viewId}?name=Alice&session=alice-session-1`);
    expect((await impostor.closed).code).toBe(4409);
    // Nor does an editor's browser identity let a view link watch under the editor's name.
    const dora = yClient(s, room.roomId, 'Dora', { person: 'dora-person-1' });
    cleanups.push(() => dora.destroy());
    await dora.synced();
    const disguised = socket(`${s.wsUrl}/yjs/${room.viewId}?name=Dora&person=dora-person-1`);
    expect((await disguised.closed).code).toBe(4409);
    const other = socket(`${s.wsUrl}/yjs/${room.viewId}?name=Mallory&session=alice-session-1`);
    await other.opened;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(alice.closes).toEqual([]);
    expect(alice.provider.wsconnected).toBe(true);
    // The same editor reconnecting with its session still replaces its old socket.
    const again = socket(`${s.wsUrl}/yjs/${room.roomId}?name=Alice&session=alice-session-1`);
    await again.opened;
    await waitFor(() => alice.closes.includes(4409), 5_000, 'the old socket to be replaced');
  });

  it('[ATK-logs] logs name rooms by a hash: no room id and no session id in them, at any level', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const testDb = await createTestDatabase(TEST_DATABASE_URL);
    const config = { ...loadConfig({ PORT: '0', WEB_DIR: '/nonexistent-web-dir', PERSIST_FLUSH_MS: '20', ROOM_UNLOAD_DELAY_MS: '0' }), database: testDb.config };
    const database = await createDatabase(testDb.config);
    await migrateToLatest(database.db);
    const app = await buildApp({ config, database, logger: pino({ level: 'trace' }, stream) });
    await app.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(async () => {
      await app.close();
      await testDb.drop();
    });
    const address = app.server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    const target = { httpUrl: `http://127.0.0.1:${address.port}`, wsUrl: `ws://127.0.0.1:${address.port}` };
    const room = await createRoom(target, { code: 'secret plans' });
    const alice = yClient(target, room.roomId, 'Alice', { session: 'sessionSecret42', person: 'personSecret42' });
    await alice.synced();
    alice.text.insert(0, 'x');
    await getJson(`${target.httpUrl}/rooms/${room.roomId}`);
    const bad = rawSocket(`${target.wsUrl}/yjs/${room.roomId}?name=Bad&session=sessionSecret43`);
    await bad.opened;
    bad.ws.send(new Uint8Array([9, 9, 9]));
    await bad.closed;
    alice.destroy();
    await waitFor(() => !app.registry.get(room.roomId), 5_000, 'the room to unload');
    const log = lines.join('');
    expect(log).toContain('incoming request');
    expect(log).not.toContain(room.roomId);
    expect(log).not.toContain('sessionSecret4');
    expect(log).not.toContain('personSecret42');
  });

  it('[ATK-viewer-frames] a viewer’s frame far over MAX_MESSAGE_BYTES is refused at its header, unread (editors may send bigger frames, viewers may not)', async () => {
    const s = await server({ MAX_MESSAGE_BYTES: '65536' });
    const room = await createRoom(s);
    const open = async () => {
      const viewer = socket(`${s.wsUrl}/ws/${room.viewId}?name=Vera`);
      await viewer.opened;
      await waitFor(() => viewer.messages.some((m) => typeof m === 'string' && m.includes('"init"')), 5_000, 'init');
      return viewer;
    };
    // Just over the limit: read, answered with message_too_large, then 1009.
    const near = await open();
    near.ws.send(JSON.stringify({ type: 'code', code: 'n'.repeat(100_000) }));
    expect((await near.closed).code).toBe(1009);
    expect(near.messages.some((m) => typeof m === 'string' && m.includes('message_too_large'))).toBe(true);
    // Far over it (but within what an editor may send): closed by ws at the frame header.
    const far = await open();
    far.ws.send(JSON.stringify({ type: 'code', code: 'f'.repeat(300_000) }));
    expect((await far.closed).code).toBe(1009);
    expect(far.messages.some((m) => typeof m === 'string' && m.includes('message_too_large'))).toBe(false);
  });

  it('[ATK-preload] frames sent before the room has loaded are bounded by bytes, not only by count', async () => {
    const s = await server({ MAX_MESSAGE_BYTES: '65536' });
    const room = await createRoom(s, { code: 'y'.repeat(200_000) });
    const viewer = socket(`${s.wsUrl}/yjs/${room.viewId}?name=Vera`);
    // Auth messages are ignored once a session handles them: only the pre-load buffer can object.
    const auth = encoding.createEncoder();
    encoding.writeVarUint(auth, YMessageType.Auth);
    encoding.writeVarString(auth, 'a'.repeat(60_000));
    const frame = encoding.toUint8Array(auth);
    viewer.ws.once('open', () => {
      for (let i = 0; i < 4; i++) viewer.ws.send(frame);
    });
    const closed = await Promise.race([viewer.closed, new Promise<null>((resolve) => setTimeout(() => resolve(null), 2_000))]);
    expect(closed?.code).toBe(4429);
  });
});
