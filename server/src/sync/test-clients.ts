import { DEFAULT_TUNING } from '../config';
import { YMessageType, type LwwClientMessage, type LwwServerMessage, type Role } from '@pairpad/shared';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { silentLogger } from '../log';
import type { RoomSettings } from '../rooms/room';
import type { RoomRegistry } from '../rooms/room-registry';
import { LwwSession } from './lww-session';
import type { SessionIdentity, SessionLimits } from './session-options';
import { TestSocketPair, type ClientFrame } from './test-socket';
import { YjsSession } from './yjs-session';

/** Per-socket limits roomy enough that nothing refuses unless a test is about it. */
export const SESSION_TEST_LIMITS: SessionLimits = {
  lwwCoalesceMs: DEFAULT_TUNING.lwwCoalesceMs,
  maxMessagesPerSecond: 1_000,
  messageBurst: 1_000,
  maxBufferedBytes: 16 * 1024 * 1024,
  syncBytesPerSecond: 1024 * 1024,
  syncBurstBytes: 16 * 1024 * 1024,
};

let connections = 0;

/**
 * Opens a session as the WebSocket route does (registry admission, then the greeting), on an
 * in-memory socket pair. Throws when the room refuses: tests of refusals use the registry.
 */
export async function connect<Kind extends 'yjs' | 'lww'>(
  registry: RoomRegistry,
  settings: RoomSettings,
  kind: Kind,
  who: { name: string; role?: Role; sessionId?: string | null; viaViewId?: boolean; limits?: Partial<SessionLimits> },
): Promise<{ pair: TestSocketPair; session: Kind extends 'yjs' ? YjsSession : LwwSession }> {
  const pair = new TestSocketPair();
  const role = who.role ?? 'editor';
  const identity: SessionIdentity = {
    connectionId: `test-${++connections}`,
    name: who.name,
    role,
    sessionId: who.sessionId ?? null,
    viaViewId: who.viaViewId ?? role === 'viewer',
  };
  let session: YjsSession | LwwSession | null = null;
  const result = await registry.enter(settings, identity, (room) => {
    const deps = { logger: silentLogger, limits: { ...SESSION_TEST_LIMITS, ...who.limits }, onLeave: () => registry.leave(room, session!) };
    session = kind === 'yjs' ? new YjsSession(pair.socket, room, identity, deps) : new LwwSession(pair.socket, room, identity, deps);
    return session;
  });
  if (!result.ok) throw new Error(`${who.name} was refused: ${JSON.stringify(result)}`);
  const joined: YjsSession | LwwSession = session!;
  pair.attach(joined);
  joined.start();
  return { pair, session: joined as Kind extends 'yjs' ? YjsSession : LwwSession };
}

/**
 * A y-websocket client reduced to the protocol (sync steps, updates, awareness), over a test
 * socket pair: what a WebsocketProvider would send and apply, with nothing sent until flushed.
 */
export class YjsTestClient {
  readonly doc = new Y.Doc();
  readonly text = this.doc.getText('code');
  readonly awareness = new awarenessProtocol.Awareness(this.doc);

  constructor(readonly pair: TestSocketPair) {
    pair.onClientFrame = (frame) => this.receive(frame);
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === this) return;
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, YMessageType.Sync);
      syncProtocol.writeUpdate(encoder, update);
      pair.clientSend(encoding.toUint8Array(encoder));
    });
    this.awareness.on('update', ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
      if (origin === 'local') this.sendAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, added.concat(updated, removed)));
    });
  }

  /** What the provider sends on open: its sync step 1 and its own awareness state. */
  open(): this {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, YMessageType.Sync);
    syncProtocol.writeSyncStep1(encoder, this.doc);
    this.pair.clientSend(encoding.toUint8Array(encoder));
    if (this.awareness.getLocalState() !== null) this.sendAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, [this.doc.clientID]));
    return this;
  }

  /** Sends an awareness update as is: a client may claim any client id in it. */
  sendAwareness(update: Uint8Array): void {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, YMessageType.Awareness);
    encoding.writeVarUint8Array(encoder, update);
    this.pair.clientSend(encoding.toUint8Array(encoder));
  }

  /** The awareness states this client knows, by client id. */
  states(): Map<number, Record<string, unknown>> {
    return this.awareness.getStates() as Map<number, Record<string, unknown>>;
  }

  private receive(frame: ClientFrame): void {
    if (typeof frame === 'string') throw new Error('y-websocket frames are binary');
    const decoder = decoding.createDecoder(frame);
    while (decoding.hasContent(decoder)) {
      const type = decoding.readVarUint(decoder);
      if (type === YMessageType.Sync) {
        const reply = encoding.createEncoder();
        encoding.writeVarUint(reply, YMessageType.Sync);
        syncProtocol.readSyncMessage(decoder, reply, this.doc, this);
        if (encoding.length(reply) > 1) this.pair.clientSend(encoding.toUint8Array(reply));
      } else if (type === YMessageType.Awareness) {
        awarenessProtocol.applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(decoder), this);
      } else {
        throw new Error(`unexpected message type ${type}`);
      }
    }
  }

  destroy(): void {
    this.awareness.destroy();
    this.doc.destroy();
  }
}

/** A client of the JSON endpoint over a test socket pair: what it sent, what it was told. */
export class LwwTestClient {
  readonly messages: LwwServerMessage[] = [];
  /** The text the client holds: its init, its own writes and every full-text push. */
  text: string | undefined;

  constructor(readonly pair: TestSocketPair) {
    pair.onClientFrame = (frame) => {
      if (typeof frame !== 'string') throw new Error('the JSON endpoint sends text frames');
      const message = JSON.parse(frame) as LwwServerMessage;
      this.messages.push(message);
      if (message.type === 'init' || message.type === 'code') this.text = message.code;
    };
  }

  /** Sends the whole buffer, as a simple client does after every change. */
  write(code: string): void {
    this.text = code;
    this.send({ type: 'code', code });
  }

  send(message: LwwClientMessage): void {
    this.pair.clientSend(JSON.stringify(message));
  }

  /** The latest message of a type, if any arrived. */
  last<Type extends LwwServerMessage['type']>(type: Type): Extract<LwwServerMessage, { type: Type }> | undefined {
    return this.messages.findLast((message): message is Extract<LwwServerMessage, { type: Type }> => message.type === type);
  }
}
