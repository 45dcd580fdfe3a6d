import { afterEach, describe, expect, it, vi } from 'vitest';
import { CloseCode } from '@pairpad/shared';
import { fakeProviderFactory, syncProviders, type FakeProvider } from '../../testing/fake-provider';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { CollabSession, peersFromAwareness, shouldReconnect, type CollabCallbacks } from './collab-session';

function callbacks() {
  return {
    onStatus: vi.fn(),
    onSynced: vi.fn(),
    onFatal: vi.fn(),
    onPeers: vi.fn(),
    onMeta: vi.fn(),
    onOfflineEdit: vi.fn(),
    onSaveState: vi.fn(),
  } satisfies CollabCallbacks;
}

const sessions: CollabSession[] = [];
function open(name: string, role: 'editor' | 'viewer' = 'editor') {
  const factory = fakeProviderFactory();
  const cb = callbacks();
  const session = new CollabSession({
    id: 'room123456',
    name,
    sessionId: `s-${name}`,
    role,
    color: '#4dabf7',
    serverUrl: 'ws://test/yjs',
    callbacks: cb,
    createProvider: factory,
    typingMs: 50,
  });
  sessions.push(session);
  return { session, cb, provider: factory.made[0] as FakeProvider };
}

afterEach(() => {
  while (sessions.length) sessions.pop()?.destroy();
  vi.useRealTimers();
});

describe('CollabSession', () => {
  it('connects with name and session params and publishes the user in awareness', () => {
    const { session, provider } = open('Ada');
    expect(provider.room).toBe('room123456');
    expect(provider.params).toEqual({ name: 'Ada', session: 's-Ada', person: expect.any(String) });
    expect(session.awareness.getLocalState()?.user).toEqual({ name: 'Ada', color: '#4dabf7', role: 'editor' });
    const viewer = open('Vic', 'viewer');
    expect(viewer.provider.params).toEqual({ name: 'Vic', session: 's-Vic', person: provider.params.person, role: 'viewer' });
  });

  it('reports connecting, connected, then reconnecting after a drop', () => {
    const { cb, provider } = open('Ada');
    provider.emit('status', { status: 'connecting' });
    expect(cb.onStatus).not.toHaveBeenCalled(); // already "connecting"
    provider.open();
    expect(cb.onStatus).toHaveBeenLastCalledWith('connected');
    expect(cb.onSynced).toHaveBeenCalledTimes(1);
    provider.drop();
    expect(cb.onStatus).toHaveBeenLastCalledWith('reconnecting');
  });

  it('stops for good on 4404/4409/4429/1008 but not on other closes', () => {
    expect([4404, 4409, 4429, 1008].map((code) => shouldReconnect({ code }))).toEqual([false, false, false, false]);
    expect([1000, 1001, 1006, 1011].map((code) => shouldReconnect({ code }))).toEqual([true, true, true, true]);
    const { cb, provider } = open('Ada');
    provider.open();
    provider.close(CloseCode.NameTaken, 'name taken');
    expect(cb.onFatal).toHaveBeenCalledWith({ code: 4409, reason: 'name taken' });
    expect(provider.shouldConnect).toBe(false);
  });

  it('a close for "too large" (1009) is final: no reconnect that would re-send the edit forever', () => {
    expect(shouldReconnect({ code: CloseCode.MessageTooLarge })).toBe(false);
    const { cb, provider } = open('Ada');
    provider.open();
    provider.close(CloseCode.MessageTooLarge, 'document size limit reached');
    expect(cb.onFatal).toHaveBeenCalledWith({ code: 1009, reason: 'document size limit reached' });
    expect(provider.shouldConnect).toBe(false);
  });

  it('two sessions converge and see each other as peers', () => {
    const a = open('Ada');
    const b = open('Bob');
    a.session.text.insert(0, 'hello');
    b.session.text.insert(0, 'world ');
    syncProviders(a.provider, b.provider);
    expect(a.session.text.toString()).toBe(b.session.text.toString());
    expect(a.session.text.toString()).toContain('hello');
    expect(a.session.text.toString()).toContain('world ');
    const peers = a.cb.onPeers.mock.lastCall?.[0] as { name: string; self: boolean }[];
    expect(peers.map((p) => [p.name, p.self]).sort()).toEqual([
      ['Ada', true],
      ['Bob', false],
    ]);
  });

  it('meta changes reach the other side (language, room name)', () => {
    const a = open('Ada');
    const b = open('Bob');
    a.session.setLanguage('rust');
    a.session.setRoomName('Pairing');
    syncProviders(a.provider, b.provider);
    expect(b.cb.onMeta).toHaveBeenLastCalledWith({ language: 'rust', name: 'Pairing' });
  });

  it('reports the room limit the server publishes in meta, ignoring values outside 2..20', () => {
    const a = open('Ada');
    const server = new Y.Doc();
    server.getMap('meta').set('limit', 7);
    Y.applyUpdate(a.session.doc, Y.encodeStateAsUpdate(server), a.provider);
    expect(a.cb.onMeta).toHaveBeenLastCalledWith({ limit: 7 });
    server.getMap('meta').set('limit', 50);
    Y.applyUpdate(a.session.doc, Y.encodeStateAsUpdate(server), a.provider);
    expect(a.cb.onMeta).not.toHaveBeenCalledWith({ limit: 50 });
  });

  it('says "saving" after a local edit until the server answers a sync probe sent after it, then "saved"', () => {
    vi.useFakeTimers();
    const { session, cb, provider } = open('Ada');
    provider.open();
    session.text.insert(0, 'x');
    expect(cb.onSaveState).toHaveBeenLastCalledWith('saving');
    expect(provider.probes).toHaveLength(0); // asked once typing pauses
    vi.advanceTimersByTime(250);
    expect(provider.probes).toHaveLength(1);
    // An edit after the probe went out is not covered by its answer.
    session.text.insert(1, 'y');
    provider.answerProbes();
    expect(cb.onSaveState).toHaveBeenLastCalledWith('saving');
    vi.advanceTimersByTime(250);
    provider.answerProbes();
    expect(cb.onSaveState).toHaveBeenLastCalledWith('saved');
    // Offline: the edit waits, and the state says so until a probe after the resync is answered.
    provider.drop();
    session.text.insert(0, 'z');
    expect(cb.onSaveState).toHaveBeenLastCalledWith('offline');
    vi.advanceTimersByTime(1000);
    expect(provider.probes).toHaveLength(0);
    provider.open();
    expect(cb.onSaveState).toHaveBeenLastCalledWith('saving');
    vi.advanceTimersByTime(0);
    expect(provider.probes).toHaveLength(1);
    provider.answerProbes();
    expect(cb.onSaveState).toHaveBeenLastCalledWith('saved');
  });

  it('viewers cannot change meta', () => {
    const v = open('Vic', 'viewer');
    v.session.setLanguage('go');
    expect(v.session.meta.size).toBe(0);
  });

  it('flags local edits made while offline (they stay in the doc and merge later)', () => {
    const a = open('Ada');
    const b = open('Bob');
    a.provider.open();
    a.provider.drop();
    a.session.text.insert(0, 'offline work');
    expect(a.cb.onOfflineEdit).toHaveBeenCalled();
    b.session.text.insert(0, 'online ');
    syncProviders(a.provider, b.provider);
    expect(b.session.text.toString()).toContain('offline work');
    expect(b.session.text.toString()).toContain('online ');
  });

  it('after the browser was offline, coming back online resyncs even when the socket outlived the outage', () => {
    const { cb, provider } = open('Ada');
    provider.open();
    window.dispatchEvent(new Event('offline'));
    expect(cb.onStatus).toHaveBeenLastCalledWith('offline');
    // The socket never closed (a short blip): only a fresh connection can say "connected" again.
    window.dispatchEvent(new Event('online'));
    expect(cb.onStatus).toHaveBeenLastCalledWith('reconnecting');
    expect(provider.connected).toBe(false);
    expect(provider.shouldConnect).toBe(true);
    provider.open();
    expect(cb.onStatus).toHaveBeenLastCalledWith('connected');
    expect(cb.onSynced).toHaveBeenCalledTimes(2);
    // An 'online' event while connected changes nothing.
    window.dispatchEvent(new Event('online'));
    expect(provider.connected).toBe(true);
  });

  it('takes the colour the server gives it in the roster, so it looks to itself as others see it', () => {
    const { session } = open('Ada');
    expect(session.awareness.getLocalState()?.user).toMatchObject({ color: '#4dabf7' });
    const server = new Awareness(new Y.Doc());
    server.setLocalState({ pairpad: { participants: [{ name: 'Ada', color: '#a855f7', role: 'editor', online: true }] } });
    applyAwarenessUpdate(session.awareness, encodeAwarenessUpdate(server, [server.clientID]), 'server');
    expect(session.awareness.getLocalState()?.user).toEqual({ name: 'Ada', color: '#a855f7', role: 'editor' });
    // Someone else's entry, or a colour that is not a CSS hex colour, changes nothing.
    server.setLocalState({ pairpad: { participants: [{ name: 'Ada', color: 'red', role: 'editor', online: true }, { name: 'Bob', color: '#22c55e' }] } });
    applyAwarenessUpdate(session.awareness, encodeAwarenessUpdate(server, [server.clientID]), 'server');
    expect(session.awareness.getLocalState()?.user).toMatchObject({ color: '#a855f7' });
    server.destroy();
  });

  it('undo only reverts this user’s own edits', () => {
    const a = open('Ada');
    const b = open('Bob');
    const origin = { binding: 'ada' };
    const undo = a.session.createUndoManager(origin);
    a.session.doc.transact(() => a.session.text.insert(0, 'mine '), origin);
    syncProviders(a.provider, b.provider);
    b.session.text.insert(b.session.text.length, 'theirs');
    syncProviders(a.provider, b.provider);
    expect(a.session.text.toString()).toBe('mine theirs');
    undo.undo();
    expect(a.session.text.toString()).toBe('theirs');
    undo.destroy();
  });

  it('marks typing in awareness for a moment', () => {
    vi.useFakeTimers();
    const a = open('Ada');
    a.session.markTyping();
    expect(a.session.awareness.getLocalState()?.typing).toBe(true);
    vi.advanceTimersByTime(60);
    expect(a.session.awareness.getLocalState()?.typing).toBe(false);
  });

  it('destroy tears down the provider', () => {
    const a = open('Ada');
    sessions.pop();
    a.session.destroy();
    expect(a.provider.destroyed).toBe(true);
  });
});

describe('peersFromAwareness', () => {
  it('adds LWW and offline people from the server roster, without duplicating awareness users', () => {
    const doc = new Y.Doc();
    const awareness = new Awareness(doc);
    awareness.setLocalStateField('user', { name: 'Ada', color: '#ff0000', role: 'editor' });
    // A second doc plays the server, whose state holds only the roster.
    const serverDoc = new Y.Doc();
    const server = new Awareness(serverDoc);
    server.setLocalStateField('pairpad', {
      participants: [
        { name: 'Ada', color: '#ff0000', role: 'editor', online: true },
        { name: 'Lee', color: '#00ff00', role: 'editor', online: true, typing: true },
        { name: 'Old', color: 'red;}body{', role: 'viewer', online: false },
      ],
    });
    awareness.states.set(serverDoc.clientID, server.getLocalState()!);
    const peers = peersFromAwareness(awareness, doc.clientID);
    expect(peers.map((p) => [p.name, p.online, p.typing, p.self])).toEqual([
      ['Ada', true, false, true],
      ['Lee', true, true, false],
      ['Old', false, false, false],
    ]);
    expect(peers[2]?.color).toMatch(/^#[0-9a-f]{6}$/i);
    awareness.destroy();
    server.destroy();
  });

  it('[ATK-roster] reads the roster only from the server state, never from a client claiming to be it', () => {
    const doc = new Y.Doc();
    const awareness = new Awareness(doc);
    awareness.setLocalStateField('user', { name: 'Ada', color: '#ff0000', role: 'editor' });
    // A viewer's state: its server-set user, plus a forged roster key.
    awareness.states.set(4242, {
      user: { name: 'Vera', color: '#00ff00', role: 'viewer' },
      pairpad: { participants: [{ name: 'Teacher (room owner)', color: '#0000ff', role: 'editor', online: true }] },
    });
    const names = peersFromAwareness(awareness, doc.clientID).map((p) => p.name);
    expect(names).toEqual(['Ada', 'Vera']);
    awareness.destroy();
  });
});

describe('CollabSession as a RoomSession', () => {
  it('hands the editor its Yjs text, offers own-edit undo and a save state, and shares settings through the doc', () => {
    const { session } = open('Ada');
    expect(session.traits).toMatchObject({ mode: 'yjs', supportsUndo: true, reportsSaveState: true });
    const kind = session.bindText({ crdt: (text) => (text.text === session.text ? 'crdt' : 'other'), buffer: () => 'buffer' });
    expect(kind).toBe('crdt');
    session.setRoomName('Renamed');
    expect(session.meta.get('name')).toBe('Renamed');
  });
});

