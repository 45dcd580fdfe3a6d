import * as Y from 'yjs';
import { applyAwarenessUpdate, encodeAwarenessUpdate, type Awareness } from 'y-protocols/awareness';
import type { ProviderArgs, ProviderFactory, ProviderLike } from '../features/editor/collab-session';

type Handler = (...args: never[]) => void;

/**
 * A provider that talks to nobody until told: tests drive status, sync, closes and the
 * exchange of updates between two sessions by hand (no sockets, no timers).
 */
export class FakeProvider implements ProviderLike {
  readonly awareness: Awareness;
  readonly doc: Y.Doc;
  readonly params: Record<string, string>;
  readonly room: string;
  connected = false;
  shouldConnect = true;
  destroyed = false;
  private readonly handlers = new Map<string, Set<Handler>>();

  constructor(args: ProviderArgs) {
    this.awareness = args.awareness;
    this.doc = args.doc;
    this.params = args.params;
    this.room = args.room;
  }

  on(name: string, handler: Handler): void {
    let set = this.handlers.get(name);
    if (!set) this.handlers.set(name, (set = new Set()));
    set.add(handler);
  }

  off(name: string, handler: Handler): void {
    this.handlers.get(name)?.delete(handler);
  }

  emit(name: 'status' | 'sync' | 'closed', ...args: unknown[]): void {
    for (const handler of this.handlers.get(name) ?? []) (handler as (...a: unknown[]) => void)(...args);
  }

  connect(): void {
    this.shouldConnect = true;
  }

  disconnect(): void {
    this.shouldConnect = false;
    if (this.connected) this.setConnected(false);
  }

  destroy(): void {
    this.destroyed = true;
    this.disconnect();
  }

  /** Simulates the socket opening (and the first sync finishing). */
  open(): void {
    this.setConnected(true);
    this.emit('sync', true);
  }

  /** Simulates the socket dropping (network or server). */
  drop(): void {
    this.setConnected(false);
    this.emit('status', { status: 'connecting' });
  }

  /** Simulates a server close with a code; fatal codes stop reconnects in the real provider. */
  close(code: number, reason = ''): void {
    this.setConnected(false);
    this.emit('closed', { code, reason });
  }

  /** Sync probes sent on the current "socket", answered by answerProbes(). */
  probes: (() => void)[] = [];

  probeSync(onReply: () => void): boolean {
    if (!this.connected) return false;
    this.probes.push(onReply);
    return true;
  }

  /** The server answers every outstanding probe, in order. */
  answerProbes(): void {
    const answered = this.probes;
    this.probes = [];
    for (const reply of answered) reply();
  }

  private setConnected(value: boolean): void {
    this.connected = value;
    // Answers to probes on a socket that closed never come.
    if (!value) this.probes = [];
    this.emit('status', { status: value ? 'connected' : 'disconnected' });
  }
}

/** A factory that remembers the providers it made, for assertions. */
export function fakeProviderFactory(): ProviderFactory & { made: FakeProvider[] } {
  const made: FakeProvider[] = [];
  const factory = ((args: ProviderArgs) => {
    const provider = new FakeProvider(args);
    made.push(provider);
    return provider;
  }) as unknown as ProviderFactory & { made: FakeProvider[] };
  factory.made = made;
  return factory;
}

/** Two-way sync of documents and awareness between fake providers, flushed by hand. */
export function syncProviders(a: FakeProvider, b: FakeProvider): void {
  Y.applyUpdate(b.doc, Y.encodeStateAsUpdate(a.doc), b);
  Y.applyUpdate(a.doc, Y.encodeStateAsUpdate(b.doc), a);
  applyAwarenessUpdate(b.awareness, encodeAwarenessUpdate(a.awareness, [a.doc.clientID]), b);
  applyAwarenessUpdate(a.awareness, encodeAwarenessUpdate(b.awareness, [b.doc.clientID]), a);
}
