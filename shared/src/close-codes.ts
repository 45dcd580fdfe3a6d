/**
 * WebSocket close codes (CONTRACT.md). Browsers surface these in `CloseEvent.code`,
 * so clients can tell "room gone" from "name taken" without parsing reasons.
 */
export const CloseCode = {
  /** Policy: bad or missing edit rights, bad name, disallowed origin. */
  Policy: 1008,
  /** A single frame above MAX_MESSAGE_BYTES, or a document grown past its cap. */
  MessageTooLarge: 1009,
  /** Binary where text was expected or the reverse; unknown message type. */
  UnsupportedData: 1003,
  /** Bytes that do not decode as the protocol says (truncated varints, bad JSON). */
  MalformedData: 1007,
  /** Server shutting down; clients should reconnect later. */
  GoingAway: 1001,
  /**
   * Several instances: the room moved to another instance (its owner died or handed it over, or
   * this instance lost its link to the owner). Reconnect at once; the client's edits are kept.
   */
  ServiceRestart: 1012,
  /** The room id or view id does not exist. */
  RoomNotFound: 4404,
  /** The display name is already online in this room under another session. */
  NameTaken: 4409,
  /** Room at capacity, or the socket sent faster than the rate limit. */
  RoomFullOrRateLimited: 4429,
} as const;
export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];
