import type { Role } from '@pairpad/shared';
import { CloseCode } from '@pairpad/shared';
import type { IncomingFrame, SocketLike } from '../sync/socket';
import { PreloadBuffer } from './preload-buffer';

/** What a client's frames go to once its room is open: a sync session, or a relay to another instance. */
export interface Session {
  readonly role: Role;
  handleFrame(frame: IncomingFrame): void;
  handleClose(): void;
  start(): void;
}

/**
 * One client connection from its first frame until its session runs, and after: frames that
 * arrive while the room loads wait (bounded), a refusal ends the connection with its close code
 * (the JSON endpoint hears the error code first), and a client that left before its session
 * started never joins. The same for a client's own socket and one relayed by another instance.
 */
export class ConnectionGate {
  private session: Session | null = null;
  private buffered: PreloadBuffer | null;
  private refused = false;
  private left = false;

  constructor(
    private readonly socket: SocketLike,
    private readonly endpoint: 'yjs' | 'lww',
    buffer: { maxFrames: number; maxBytes: number },
  ) {
    this.buffered = new PreloadBuffer(buffer.maxFrames, buffer.maxBytes);
  }

  /** The session's role, or undefined before it runs. */
  get role(): Role | undefined {
    return this.session?.role;
  }

  /** True once the client is gone or refused: whatever was being prepared for it is moot. */
  get over(): boolean {
    return this.left || this.refused;
  }

  receive(frame: IncomingFrame, size: number): void {
    if (this.refused) return;
    if (this.session) return this.session.handleFrame(frame);
    if (!this.buffered) return;
    if (!this.buffered.add(frame, size)) {
      this.buffered = null;
      this.socket.close(CloseCode.RoomFullOrRateLimited, 'too many messages before the room loaded');
    }
  }

  refuse(code: number, reason: string, errorCode?: string): void {
    this.refused = true;
    this.buffered = null;
    if (this.endpoint === 'lww' && errorCode && this.socket.isOpen) {
      this.socket.send(JSON.stringify({ type: 'error', code: errorCode, message: reason }));
    }
    this.socket.close(code, reason);
  }

  /** Runs the session and hands it what arrived meanwhile; a client that already left is let go instead. */
  open(session: Session): void {
    if (this.left) return session.handleClose();
    this.session = session;
    session.start();
    const pending = this.buffered?.take() ?? [];
    this.buffered = null;
    for (const frame of pending) session.handleFrame(frame);
  }

  /** The client's connection closed. */
  clientLeft(): void {
    if (this.left) return;
    this.left = true;
    this.session?.handleClose();
  }
}
