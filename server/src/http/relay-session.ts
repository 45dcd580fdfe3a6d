import { CloseCode } from '@pairpad/shared';
import type { ChannelOpen } from '../cluster/link-protocol';
import type { ClusterNode } from '../cluster/node';
import type { SocketLike } from '../sync/socket';
import type { ConnectionGate, Session } from './connection-gate';

/**
 * Several instances: when another instance serves the room, the client's session here is a
 * relay: its frames go to the owner undecoded, and the owner's come back. Resolves null when
 * the room is (now) served by this instance, 'unavailable' when it is between owners too long.
 */
export async function relayToOwner(
  node: ClusterNode,
  socket: SocketLike,
  gate: ConnectionGate,
  open: ChannelOpen,
  maxBufferedBytes: number,
): Promise<Session | 'unavailable' | null> {
  const route = await node.route(
    open,
    {
      onData: (data) => {
        node.stats.forwardedFrames++;
        // The owner cannot see this client's backlog: the instance it reached sheds it.
        if (socket.bufferedAmount > maxBufferedBytes) return gate.refuse(CloseCode.RoomFullOrRateLimited, 'too far behind');
        socket.send(data);
      },
      // The owner already sent the JSON endpoint its error frame, if the close has one.
      onClose: (code, reason) => gate.refuse(code, reason),
      probe: (timeoutMs) => socket.probe?.(timeoutMs) ?? Promise.resolve(true),
    },
    () => !gate.over,
  );
  if (route.kind !== 'forwarded') return route.kind === 'local' ? null : 'unavailable';
  const { channel } = route;
  let counted = false;
  let left = false;
  return {
    role: open.role,
    start: () => {
      counted = true;
      node.stats.forwardedClients++;
    },
    handleFrame: (frame) => {
      node.stats.forwardedFrames++;
      channel.send(frame.data);
    },
    handleClose: () => {
      if (left) return;
      left = true;
      if (counted) node.stats.forwardedClients--;
      channel.close(1000, 'client left');
    },
  };
}
