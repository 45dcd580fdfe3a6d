import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LwwSession, type LwwCallbacks } from './lww-session';

class FakeSocket {
  static OPEN = 1;
  static last: FakeSocket | null = null;
  readyState = 0;
  sent: unknown[] = [];
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.last = this;
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(): void {
    this.readyState = 3;
  }
  serverSends(message: unknown): void {
    this.readyState = 1;
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  serverCloses(code: number): void {
    this.readyState = 3;
    this.onclose?.({ code, reason: '' });
  }
}

function callbacks() {
  return { onStatus: vi.fn(), onSynced: vi.fn(), onFatal: vi.fn(), onPeers: vi.fn(), onMeta: vi.fn(), onOfflineEdit: vi.fn() } satisfies LwwCallbacks;
}

function open(name = 'Lee') {
  const cb = callbacks();
  const session = new LwwSession({
    id: 'room123456',
    name,
    sessionId: 's1',
    role: 'editor',
    serverUrl: 'ws://test/ws',
    callbacks: cb,
    WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
  });
  opened.push(session);
  const codes: string[] = [];
  session.onCode((code) => codes.push(code));
  return { session, cb, codes, socket: FakeSocket.last! };
}

const init = { type: 'init', code: 'hello', language: 'go', participants: [{ name: 'Lee', color: '#ff0000', role: 'editor', online: true }] };

const opened: LwwSession[] = [];
beforeEach(() => {
  vi.stubGlobal('WebSocket', FakeSocket);
});
afterEach(() => {
  for (const session of opened.splice(0)) session.destroy();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('LwwSession', () => {
  it('connects to /ws/:roomId with name and session, and takes the init buffer', () => {
    const { socket, cb, codes, session } = open();
    const url = new URL(socket.url);
    expect(`${url.origin}${url.pathname}`).toBe('ws://test/ws/room123456');
    expect(url.searchParams.get('name')).toBe('Lee');
    expect(url.searchParams.get('session')).toBe('s1');
    // The browser's person id: another tab sends the same one, with its own session.
    const other = open('Lee');
    expect(new URL(other.socket.url).searchParams.get('person')).toBe(url.searchParams.get('person'));
    expect(url.searchParams.get('person')).toMatch(/^[0-9a-f]{24}$/);
    socket.serverSends(init);
    expect(codes).toEqual(['hello']);
    expect(cb.onStatus).toHaveBeenLastCalledWith('connected');
    expect(cb.onMeta).toHaveBeenCalledWith({ language: 'go' });
    expect(cb.onPeers.mock.lastCall?.[0]).toMatchObject([{ name: 'Lee', self: true }]);
    session.sendCode('hello!');
    expect(socket.sent).toEqual([{ type: 'code', code: 'hello!' }]);
  });

  it('ignores the echo of its own writes and applies others', () => {
    const { socket, codes } = open();
    socket.serverSends(init);
    socket.serverSends({ type: 'code', code: 'mine', from: 'Lee' });
    socket.serverSends({ type: 'code', code: 'theirs', from: 'Yara' });
    expect(codes).toEqual(['hello', 'theirs']);
  });

  it('takes the room limit from init and from meta messages (a PATCH elsewhere shows live)', () => {
    const { socket, cb } = open();
    socket.serverSends({ ...init, limit: 4 });
    expect(cb.onMeta).toHaveBeenLastCalledWith({ language: 'go', limit: 4 });
    socket.serverSends({ type: 'meta', name: 'Kata', language: 'go', limit: 9 });
    expect(cb.onMeta).toHaveBeenLastCalledWith({ name: 'Kata', language: 'go', limit: 9 });
    socket.serverSends({ type: 'meta', name: 'Kata', language: 'go', limit: 99 });
    expect(cb.onMeta).toHaveBeenLastCalledWith({ name: 'Kata', language: 'go' });
  });

  it('names the base of each write and skips a pushed text that does not include its writes yet', () => {
    const { socket, codes, session } = open();
    socket.serverSends({ ...init, version: 1, ack: 0 });
    session.sendCode('hello A');
    session.sendCode('hello AB');
    expect(socket.sent).toEqual([
      { type: 'code', code: 'hello A', base: 1 },
      { type: 'code', code: 'hello AB', base: 1 },
    ]);
    // The server merged a partner's edit before our second write arrived: stale, skipped.
    socket.serverSends({ type: 'code', code: 'hello A!', from: 'Lee', version: 2, ack: 1 });
    expect(codes).toEqual(['hello']);
    // The merged text that includes both writes is applied, even though it names us as author.
    socket.serverSends({ type: 'code', code: 'hello AB!', from: 'Lee', version: 3, ack: 2 });
    expect(codes).toEqual(['hello', 'hello AB!']);
    session.sendCode('hello AB!?');
    expect(socket.sent.at(-1)).toEqual({ type: 'code', code: 'hello AB!?', base: 3 });
  });

  it('keeps the buffer typed while disconnected and sends it after the next init', () => {
    vi.useFakeTimers();
    const { socket, cb, session } = open();
    socket.serverSends(init);
    socket.serverCloses(1006);
    expect(cb.onStatus).toHaveBeenLastCalledWith('reconnecting');
    session.sendCode('offline work');
    expect(cb.onOfflineEdit).toHaveBeenCalled();
    vi.advanceTimersByTime(5000);
    const next = FakeSocket.last!;
    expect(next).not.toBe(socket);
    next.serverSends(init);
    expect(next.sent).toEqual([{ type: 'code', code: 'offline work' }]);
  });

  it('merges the buffer typed while disconnected with what others typed meanwhile, instead of replacing it', async () => {
    vi.useFakeTimers();
    const { socket, codes, session } = open();
    socket.serverSends({ ...init, code: 'hello world', version: 1, ack: 0 });
    socket.serverCloses(1006);
    session.sendCode('hello brave world');
    vi.advanceTimersByTime(5000);
    const next = FakeSocket.last!;
    // A partner appended "!!" while we were away; a push follows the init before the merge is loaded.
    next.serverSends({ ...init, code: 'hello world!!', version: 1, ack: 0 });
    next.serverSends({ type: 'code', code: 'hello brave world!!?', from: 'Kim', version: 2, ack: 1 });
    await vi.dynamicImportSettled();
    await vi.waitFor(() => expect(next.sent).toEqual([{ type: 'code', code: 'hello brave world!!', base: 1 }]));
    expect(codes.slice(-2)).toEqual(['hello brave world!!', 'hello brave world!!?']);
  });

  it("drops its socket when the browser goes offline, keeps typing as the offline buffer, and reconnects at once when it is back", () => {
    const { socket, cb, session } = open();
    socket.serverSends({ ...init, version: 1, ack: 0 });
    window.dispatchEvent(new Event('offline'));
    expect(socket.readyState).toBe(3);
    expect(cb.onStatus).toHaveBeenLastCalledWith('offline');
    session.sendCode('hello offline');
    expect(socket.sent).toEqual([]);
    expect(cb.onOfflineEdit).toHaveBeenCalled();
    window.dispatchEvent(new Event('online'));
    const next = FakeSocket.last!;
    expect(next).not.toBe(socket);
    next.serverSends({ ...init, version: 1, ack: 0 });
    expect(next.sent).toEqual([{ type: 'code', code: 'hello offline', base: 1 }]);
  });

  it('a close for "too large" (1009) stops reconnecting instead of re-sending the edit forever', () => {
    vi.useFakeTimers();
    const { socket, cb, session } = open();
    socket.serverSends(init);
    session.sendCode('x'.repeat(10));
    socket.serverCloses(1009);
    expect(cb.onFatal).toHaveBeenCalledWith({ code: 1009, reason: '' });
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.last).toBe(socket);
  });

  it('stops for good on a fatal close', () => {
    vi.useFakeTimers();
    const { socket, cb } = open();
    socket.serverCloses(4409);
    expect(cb.onFatal).toHaveBeenCalledWith({ code: 4409, reason: '' });
    vi.advanceTimersByTime(10_000);
    expect(FakeSocket.last).toBe(socket);
  });
});

describe('LwwSession as a RoomSession', () => {
  it('hands the editor a whole buffer, offers no undo or save state, and leaves settings to the PATCH', () => {
    const { session, socket } = open();
    socket.serverSends(init);
    expect(session.traits).toMatchObject({ mode: 'lww', supportsUndo: false, reportsSaveState: false });
    const kind = session.bindText({ crdt: () => 'crdt', buffer: (text) => (text === session ? 'buffer' : 'other') });
    expect(kind).toBe('buffer');
    const before = socket.sent.length;
    session.setLanguage('go');
    session.setRoomName('Renamed');
    expect(socket.sent.length).toBe(before);
  });
});

