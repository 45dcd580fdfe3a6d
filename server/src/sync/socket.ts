/**
 * The minimal socket the sync core talks to. The WebSocket adapter in http/ implements it over
 * `ws`; tests implement it in memory. Keeping the core on this seam is what lets a room be
 * exercised without a network and, later, be fed from another transport or a bus.
 */
export interface SocketLike {
  send(data: Uint8Array | string): void;
  close(code: number, reason?: string): void;
  /** Bytes queued but not yet written; used to shed clients that cannot keep up. */
  readonly bufferedAmount: number;
  /** False once the socket is closing or closed; sends are then dropped. */
  readonly isOpen: boolean;
  /**
   * Pings the peer: true if it answers within `timeoutMs`; otherwise the socket is cut (the peer
   * is gone without a close) and false. Transports without pings may leave it out.
   */
  probe?(timeoutMs: number): Promise<boolean>;
}

/** Messages arriving on a socket, as the transport hands them over. */
export type IncomingFrame = { data: Uint8Array; isBinary: true } | { data: string; isBinary: false };
