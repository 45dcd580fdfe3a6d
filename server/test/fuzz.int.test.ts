import { performance } from 'node:perf_hooks';
import type { CreatedRoom } from '@pairpad/shared';
import * as encoding from 'lib0/encoding';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { awarenessFrame, createRoom, getJson, lwwClient, prng, rawSocket, startServer, restartableDatabase, waitFor, yClient, type LwwClient, type YClient } from './helpers';

/**
 * A seeded fuzzer against live rooms: malformed y-protocol and LWW frames from many sockets while
 * honest clients keep editing. Replay a failure with FUZZ_SEED; run longer with FUZZ_FRAMES.
 */

const FRAMES = Number(process.env.FUZZ_FRAMES ?? 2_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261123);
const CONCURRENCY = 6;
const ROOMS = 3;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

type Random = () => number;
const int = (random: Random, max: number) => Math.floor(random() * max);
const pick = <T>(random: Random, items: readonly T[]): T => items[int(random, items.length)]!;

function bytes(random: Random, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = int(random, 256);
  return out;
}

function frame(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  write(encoder);
  return encoding.toUint8Array(encoder);
}

const HUGE = [2 ** 28, 2 ** 31 - 1, 2 ** 32 - 1, 2 ** 40, Number.MAX_SAFE_INTEGER];

function randomString(random: Random, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    const r = random();
    if (r < 0.6) out += String.fromCharCode(32 + int(random, 95));
    else if (r < 0.75) out += String.fromCharCode(0xd800 + int(random, 0x800)); // lone surrogates
    else if (r < 0.85) out += String.fromCharCode(int(random, 32));
    else out += String.fromCodePoint(int(random, 0x10ffff - 0xe000) + 0xe000);
  }
  return out;
}

/** A real small update, to mutate: the decoder sees plausible structure, not just noise. */
function realUpdate(random: Random): Uint8Array {
  const doc = new Y.Doc();
  if (random() < 0.5) doc.clientID = int(random, 2 ** 32);
  const text = doc.getText('code');
  text.insert(0, randomString(random, 1 + int(random, 20)));
  if (random() < 0.3) text.delete(0, 1);
  if (random() < 0.3) doc.getMap('meta').set(pick(random, ['language', 'name', 'other']), pick(random, [42, null, 'x'.repeat(200), ['a'], { n: 1 }, 'python']));
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  if (random() < 0.2) {
    // The shared text's name, written as an array by another client: the same root, another type.
    const other = new Y.Doc();
    other.getArray('code').insert(0, [1, { a: 'b' }, new Uint8Array([1, 2])]);
    const odd = Y.encodeStateAsUpdate(other);
    other.destroy();
    return odd;
  }
  return update;
}

function mutate(random: Random, input: Uint8Array): Uint8Array {
  const out = Uint8Array.from(input);
  const edits = 1 + int(random, 4);
  for (let i = 0; i < edits && out.length > 0; i++) out[int(random, out.length)] = int(random, 256);
  return random() < 0.4 ? out.subarray(0, int(random, out.length + 1)) : out;
}

function awarenessPayload(random: Random): Uint8Array {
  const states = [
    '{"user":{"name":"Fuzz","color":"#ff0000","role":"editor"}}',
    'null',
    '[]',
    '{"user":5}',
    '{"user":{"name":{"nested":true},"color":"red"}}',
    `{"user":{"name":"${'n'.repeat(int(random, 5_000))}"}}`,
    '{not json',
    randomString(random, int(random, 40)),
  ];
  return frame((encoder) => {
    const count = random() < 0.1 ? pick(random, HUGE) : 1 + int(random, 3);
    encoding.writeVarUint(encoder, count);
    for (let i = 0; i < Math.min(count, 3); i++) {
      encoding.writeVarUint(encoder, random() < 0.5 ? int(random, 2 ** 32) : int(random, 100));
      encoding.writeVarUint(encoder, random() < 0.2 ? pick(random, HUGE) : int(random, 1000));
      encoding.writeVarString(encoder, pick(random, states));
    }
  });
}

/** One malformed (or oddly formed) y-websocket frame, and a label for the histogram. */
/** An update that hangs on parts the room never saw (a clock gap): Yjs would park it as pending. */
function orphanUpdate(random: Random): Uint8Array {
  const doc = new Y.Doc();
  doc.clientID = 1 + int(random, 2 ** 31);
  doc.getText('code').insert(0, 'seen');
  const seen = Y.encodeStateVector(doc);
  doc.getText('code').insert(int(random, 4), 'o'.repeat(1 + int(random, random() < 0.2 ? 600_000 : 2_000)));
  if (random() < 0.5) doc.getText('code').delete(0, 2);
  const update = Y.encodeStateAsUpdate(doc, seen);
  doc.destroy();
  return update;
}

/** The hostile shapes of the attack suite, at random sizes. */
function hostileFrame(random: Random): [string, Uint8Array] {
  switch (int(random, 5)) {
    case 0: {
      const depth = pick(random, [40, 1_000, 20_000, 60_000]);
      return ['awareness-deep', awarenessFrame([{ clientID: int(random, 2 ** 32), clock: 1 + int(random, 10), state: `{"user":{"name":"Deep"},"x":${'['.repeat(depth)}${']'.repeat(depth)}}` }])];
    }
    case 1:
      return ['awareness-null-flood', awarenessFrame(Array.from({ length: 1 + int(random, 3_000) }, () => ({ clientID: int(random, 2 ** 32), clock: 1 + int(random, 100), state: 'null' })))];
    case 2:
      return ['awareness-roster-forged', awarenessFrame([{ clientID: int(random, 2 ** 32), clock: 1 + int(random, 10), state: JSON.stringify({ user: { name: 'Teacher' }, pairpad: { participants: [{ name: 'Teacher (room owner)', role: 'editor', online: true }] } }) }])];
    case 3:
      return ['update-orphan', frame((e) => (encoding.writeVarUint(e, 0), encoding.writeVarUint(e, 2), encoding.writeVarUint8Array(e, orphanUpdate(random))))];
    default:
      return ['sync-step1-varied-sv', frame((e) => (encoding.writeVarUint(e, 0), encoding.writeVarUint(e, 0), encoding.writeVarUint8Array(e, Y.encodeStateVector(new Map([[int(random, 2 ** 32), int(random, 1_000)]])))))];
  }
}

function yjsFrame(random: Random): [string, Uint8Array | string] {
  if (random() < 0.2) return hostileFrame(random);
  switch (int(random, 15)) {
    case 0:
      return ['random-bytes', bytes(random, int(random, 64))];
    case 1:
      return ['truncated-varint', new Uint8Array(1 + int(random, 12)).fill(0x80 | int(random, 128))];
    case 2:
      return ['sync-huge-length', frame((e) => (encoding.writeVarUint(e, 0), encoding.writeVarUint(e, int(random, 3)), encoding.writeVarUint(e, pick(random, HUGE)), encoding.writeUint8Array(e, bytes(random, int(random, 16)))))];
    case 3:
      return ['awareness-huge-length', frame((e) => (encoding.writeVarUint(e, 1), encoding.writeVarUint(e, pick(random, HUGE)), encoding.writeUint8Array(e, bytes(random, 4))))];
    case 4:
      return ['unknown-type', frame((e) => encoding.writeVarUint(e, 4 + int(random, 2 ** 31)))];
    case 5:
      return ['bad-sync-step', frame((e) => (encoding.writeVarUint(e, 0), encoding.writeVarUint(e, 3 + int(random, 1000)), encoding.writeVarUint8Array(e, bytes(random, 4))))];
    case 6:
      return ['update-random-payload', frame((e) => (encoding.writeVarUint(e, 0), encoding.writeVarUint(e, 2), encoding.writeVarUint8Array(e, bytes(random, int(random, 200)))))];
    case 7:
      return ['update-mutated', frame((e) => (encoding.writeVarUint(e, 0), encoding.writeVarUint(e, pick(random, [1, 2])), encoding.writeVarUint8Array(e, mutate(random, realUpdate(random)))))];
    case 8:
      return ['update-valid-odd', frame((e) => (encoding.writeVarUint(e, 0), encoding.writeVarUint(e, 2), encoding.writeVarUint8Array(e, realUpdate(random))))];
    case 9:
      return ['awareness-odd', frame((e) => (encoding.writeVarUint(e, 1), encoding.writeVarUint8Array(e, random() < 0.3 ? mutate(random, awarenessPayload(random)) : awarenessPayload(random))))];
    case 10:
      return ['auth', frame((e) => (encoding.writeVarUint(e, 2), encoding.writeVarString(e, randomString(random, int(random, 30)))))];
    case 11:
      return ['sync-step1-random-sv', frame((e) => (encoding.writeVarUint(e, 0), encoding.writeVarUint(e, 0), encoding.writeVarUint8Array(e, random() < 0.5 ? bytes(random, int(random, 20)) : Y.encodeStateVector(new Y.Doc())))) ];
    case 12: {
      // Several messages in one frame: query-awareness, then something broken.
      const tail = yjsFrame(random)[1];
      const head = frame((e) => encoding.writeVarUint(e, 3));
      return ['batched', typeof tail === 'string' ? head : new Uint8Array([...head, ...tail])];
    }
    case 13:
      return ['text-frame', randomString(random, int(random, 50))];
    default:
      return ['empty', new Uint8Array(0)];
  }
}

/** One malformed (or oddly formed) LWW frame. */
function lwwFrame(random: Random): [string, Uint8Array | string] {
  switch (int(random, 11)) {
    case 0:
      return ['invalid-json', randomString(random, int(random, 60))];
    case 1:
      return ['wrong-type', JSON.stringify(pick(random, [{ type: 'code', code: 5 }, { type: 5 }, [], null, 'code', { type: 'code' }, { type: 'code', code: null }, { type: 'typing', extra: [1, 2] }, { type: 'presence', participants: [] }, { type: 'init' }, true, 1e308]))];
    case 2:
      return ['huge-string', JSON.stringify({ type: 'code', code: 'h'.repeat(10_000 + int(random, 200_000)) })];
    case 3:
      return ['deep-nesting', '['.repeat(10_000 + int(random, 100_000))];
    case 4:
      return ['binary', bytes(random, int(random, 40))];
    case 5:
      return ['unicode-code', JSON.stringify({ type: 'code', code: randomString(random, int(random, 200)) })];
    case 6:
      return ['proto-pollution', '{"type":"code","code":"p","__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}'];
    case 7:
      return ['typing', JSON.stringify({ type: 'typing' })];
    case 8:
      return ['huge-number-and-keys', `{"type":"code","code":"k",${Array.from({ length: 2_000 }, (_, i) => `"k${i}":${i}`).join(',')}}`];
    case 9:
      return ['empty', ''];
    default:
      return ['truncated-json', JSON.stringify({ type: 'code', code: randomString(random, 30) }).slice(0, int(random, 20))];
  }
}


describe('fuzz', () => {
  it(`[FUZZ] ${FRAMES} malformed y-protocol and LWW frames: the server stays up, honest clients keep syncing, the stored document loads`, async () => {
    const random = prng(SEED);
    const database = await restartableDatabase(cleanups);
    const server = await startServer({ database, env: { COMPACT_MAX_LOG_ROWS: '20' } });
    let serverClosed = false;
    cleanups.push(() => (serverClosed ? undefined : server.close()));

    const rooms: CreatedRoom[] = [];
    const honest: { a: YClient; b: YClient; lww: LwwClient }[] = [];
    const seenByB = new Set<string>();
    for (let r = 0; r < ROOMS; r++) {
      const room = await createRoom(server, { code: `room ${r}\n`, limit: 20 });
      rooms.push(room);
      const a = yClient(server, room.roomId, `Honest A${r}`);
      const b = yClient(server, room.roomId, `Honest B${r}`);
      const lww = lwwClient(server, room.roomId, `Honest L${r}`);
      cleanups.push(() => {
        a.destroy();
        b.destroy();
        lww.close();
      });
      honest.push({ a, b, lww });
      // Fuzzed LWW writes may replace the text right after a marker lands: record markers as they arrive.
      b.text.observe((event) => {
        for (const op of event.delta) if (typeof op.insert === 'string') for (const m of op.insert.matchAll(/<ok [0-9.]+>/g)) seenByB.add(m[0]);
      });
    }
    await Promise.all(honest.flatMap(({ a, b, lww }) => [a.synced(), b.synced(), lww.next('init')]));

    const kinds = new Map<string, number>();
    const closeCodes = new Map<number, number>();
    let sent = 0;
    let connections = 0;
    let unclosed = 0;
    let checks = 0;
    const started = performance.now();

    const honestCheck = async () => {
      checks++;
      for (const [r, { a, b }] of honest.entries()) {
        const marker = `<ok ${r}.${checks}>`;
        a.text.insert(0, marker);
        try {
          await waitFor(() => seenByB.has(marker), 10_000, `honest client B${r} to see ${marker}`);
        } catch (error) {
          const rest = await getJson(`${server.httpUrl}/rooms/${rooms[r]!.roomId}`);
          console.error(
            `[FUZZ] room ${r} stopped syncing: ${JSON.stringify({
              a: a.text.toString().slice(0, 200),
              b: b.text.toString().slice(0, 200),
              server: String(rest.body.code).slice(0, 200),
              aCloses: a.closes,
              bCloses: b.closes,
              aPending: Boolean(a.doc.store.pendingStructs),
              bPending: Boolean(b.doc.store.pendingStructs),
              aConnected: a.provider.wsconnected,
              bConnected: b.provider.wsconnected,
            })}`,
          );
          throw error;
        }
      }
    };

    const connection = async (index: number) => {
      const room = rooms[index % ROOMS]!;
      const endpoint = random() < 0.7 ? 'yjs' : 'ws';
      const id = random() < 0.15 ? room.viewId : room.roomId;
      const socket = rawSocket(`${server.wsUrl}/${endpoint}/${id}?name=${encodeURIComponent(`Fuzz ${index}`)}`);
      connections++;
      try {
        await socket.opened;
      } catch {
        return;
      }
      const count = 1 + int(random, 6);
      for (let i = 0; i < count && sent < FRAMES; i++) {
        const [kind, data] = endpoint === 'yjs' ? yjsFrame(random) : lwwFrame(random);
        kinds.set(`${endpoint}:${kind}`, (kinds.get(`${endpoint}:${kind}`) ?? 0) + 1);
        if (socket.ws.readyState !== socket.ws.OPEN) break;
        socket.ws.send(data);
        sent++;
      }
      // A final frame every endpoint refuses, so the socket always ends and every earlier frame was handled.
      if (socket.ws.readyState === socket.ws.OPEN) socket.ws.send(endpoint === 'yjs' ? 'probe' : '{');
      const result = await Promise.race([socket.closed, new Promise<null>((resolve) => setTimeout(() => resolve(null), 10_000))]);
      if (result === null) {
        unclosed++;
        socket.ws.terminate();
      } else closeCodes.set(result.code, (closeCodes.get(result.code) ?? 0) + 1);
    };

    let next = 0;
    const worker = async () => {
      while (sent < FRAMES && performance.now() - started < Math.max(120_000, FRAMES * 20)) {
        await connection(next++);
        if (next % 150 === 0) await honestCheck();
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await honestCheck();
    const elapsed = performance.now() - started;

    // The server is up, nobody honest was disconnected, and each room converged everywhere.
    expect((await getJson(`${server.httpUrl}/healthz`)).status).toBe(200);
    expect(unclosed).toBe(0);
    const expected: string[] = [];
    for (const [r, { a, b, lww }] of honest.entries()) {
      expect(a.closes, `honest A${r}`).toEqual([]);
      expect(b.closes, `honest B${r}`).toEqual([]);
      expect(lww.ws.readyState, `honest LWW ${r}`).toBe(lww.ws.OPEN);
      await waitFor(() => a.text.toString() === b.text.toString(), 10_000, `room ${r} clients to converge`);
      const rest = await getJson(`${server.httpUrl}/rooms/${rooms[r]!.roomId}`);
      expect(rest.body.code, `room ${r}: server text equals the clients'`).toBe(a.text.toString());
      await lww.next('code', (m) => m.code === a.text.toString(), 10_000).catch(() => {
        // The LWW client only hears about changes; an unchanged text sends nothing.
        expect(lww.messages.some((m) => (m.type === 'code' || m.type === 'init') && m.code === a.text.toString())).toBe(true);
      });
      expected.push(a.text.toString());
    }
    // No fuzz awareness entry impersonates an honest client, and only the server carries the roster.
    for (const { a, b } of honest) {
      expect((b.provider.awareness.getStates().get(a.doc.clientID) as any)?.user?.name ?? 'Honest').not.toBe('Fuzz');
      for (const state of b.provider.awareness.getStates().values()) if ('user' in state) expect(state).not.toHaveProperty('pairpad');
    }

    // The stored documents load after a restart on the same database.
    for (const { a, b, lww } of honest) {
      a.destroy();
      b.destroy();
      lww.close();
    }
    await server.close();
    serverClosed = true;
    const again = await startServer({ database });
    cleanups.push(() => again.close());
    for (const [r, room] of rooms.entries()) {
      const fresh = yClient(again, room.roomId, `Reader ${r}`);
      cleanups.push(() => fresh.destroy());
      await fresh.synced();
      expect(fresh.text.toString(), `room ${r} after restart`).toBe(expected[r]);
    }

    console.log(
      `[FUZZ] ${JSON.stringify({
        seed: SEED,
        framesTried: sent,
        connections,
        seconds: Math.round(elapsed / 100) / 10,
        honestChecks: checks,
        closeCodes: Object.fromEntries([...closeCodes].sort((x, y) => x[0] - y[0])),
        kinds: Object.fromEntries([...kinds].sort()),
      })}`,
    );
  }, Math.max(300_000, FRAMES * 30));
});
