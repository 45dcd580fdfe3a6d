import type { WebSocket } from 'ws';

export interface KeepaliveOptions {
  /** Each socket is pinged once per interval. */
  intervalMs: number;
  /** The sockets are pinged a slice per tick, this many ticks per interval. */
  slices: number;
}

export interface Keepalive {
  /** Pings `ws` from now on; returns what stops it (call it when the socket closes). */
  watch(ws: WebSocket): () => void;
  stop(): void;
}

/**
 * Dead peers (laptop lid closed, network gone) never send a close; ping them out. Each socket
 * is pinged once per interval, a slice of them per tick: pinging thousands in one burst would
 * hold every room's fan-out for tens of milliseconds. One that answered neither the last ping
 * nor with any frame is dropped, so a partner whose network went shows offline within two
 * intervals, unless a big reply is still leaving for it (the ping waits behind it): progress
 * there counts as alive.
 */
export function createKeepalive(options: KeepaliveOptions): Keepalive {
  const alive = new WeakMap<WebSocket, boolean>();
  const backlogAtPing = new WeakMap<WebSocket, number>();
  const slices = Array.from({ length: options.slices }, () => new Set<WebSocket>());
  let nextTick = 0;
  let nextWatched = 0;
  const timer = setInterval(() => {
    const slice = slices[nextTick] as Set<WebSocket>;
    nextTick = (nextTick + 1) % slices.length;
    for (const ws of slice) {
      if (alive.get(ws) === false) {
        const backlog = ws.bufferedAmount;
        if (!(backlog > 0 && backlog < (backlogAtPing.get(ws) ?? 0))) {
          ws.terminate();
          continue;
        }
      }
      alive.set(ws, false);
      backlogAtPing.set(ws, ws.bufferedAmount);
      ws.ping();
    }
  }, options.intervalMs / options.slices);
  timer.unref();

  return {
    watch(ws) {
      alive.set(ws, true);
      const answered = () => alive.set(ws, true);
      ws.on('pong', answered);
      ws.on('message', answered);
      const slice = slices[++nextWatched % slices.length] as Set<WebSocket>;
      slice.add(ws);
      return () => slice.delete(ws);
    },
    stop() {
      clearInterval(timer);
    },
  };
}
