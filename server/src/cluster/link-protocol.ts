import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

/**
 * Frames on the internal link between two instances. One WebSocket per pair of instances
 * carries many client connections ("channels"): the instance a client reached (the edge) opens a
 * channel to the room's owner, then relays the client's frames undecoded, both ways.
 */
export const LinkMessage = {
  /** edge -> owner: a client connected; JSON `ChannelOpen`. */
  Open: 0,
  /** either way: one binary WebSocket frame of the client's connection. */
  Binary: 1,
  /** either way: one text WebSocket frame (the JSON endpoint). */
  Text: 2,
  /** either way: the connection closed, with its close code and reason. */
  Close: 3,
  /** owner -> edge: is the client still there? (a probe before a name is taken over) */
  Probe: 4,
  /** edge -> owner: the answer to a Probe. */
  ProbeResult: 5,
} as const;
export type LinkMessage = (typeof LinkMessage)[keyof typeof LinkMessage];

/** Which public endpoint the client connected to. */
export type ChannelEndpoint = 'sync' | 'lww';

/** What the edge resolved about a client: the owner trusts it as if the client had connected there. */
export interface ChannelOpen {
  roomId: string;
  endpoint: ChannelEndpoint;
  name: string;
  role: 'editor' | 'viewer';
  sessionId: string | null;
  personId: string | null;
  viaViewId: boolean;
  /** The client's address, for logs. */
  ip: string;
}

export type DecodedLinkMessage =
  | { type: typeof LinkMessage.Open; channel: number; open: ChannelOpen }
  | { type: typeof LinkMessage.Binary; channel: number; data: Uint8Array }
  | { type: typeof LinkMessage.Text; channel: number; data: string }
  | { type: typeof LinkMessage.Close; channel: number; code: number; reason: string }
  | { type: typeof LinkMessage.Probe; channel: number; timeoutMs: number }
  | { type: typeof LinkMessage.ProbeResult; channel: number; alive: boolean };

function frame(type: LinkMessage, channel: number, write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeUint8(encoder, type);
  encoding.writeVarUint(encoder, channel);
  write(encoder);
  return encoding.toUint8Array(encoder);
}

export const encodeOpen = (channel: number, open: ChannelOpen): Uint8Array =>
  frame(LinkMessage.Open, channel, (encoder) => encoding.writeVarString(encoder, JSON.stringify(open)));

/** A client frame, as it came: binary frames as their bytes (the tail), text frames as UTF-8. */
export const encodeData = (channel: number, data: Uint8Array | string): Uint8Array =>
  typeof data === 'string'
    ? frame(LinkMessage.Text, channel, (encoder) => encoding.writeVarString(encoder, data))
    : frame(LinkMessage.Binary, channel, (encoder) => encoding.writeUint8Array(encoder, data));

export const encodeClose = (channel: number, code: number, reason: string): Uint8Array =>
  frame(LinkMessage.Close, channel, (encoder) => {
    encoding.writeUint16(encoder, code);
    encoding.writeVarString(encoder, reason);
  });

export const encodeProbe = (channel: number, timeoutMs: number): Uint8Array =>
  frame(LinkMessage.Probe, channel, (encoder) => encoding.writeVarUint(encoder, timeoutMs));

export const encodeProbeResult = (channel: number, alive: boolean): Uint8Array =>
  frame(LinkMessage.ProbeResult, channel, (encoder) => encoding.writeUint8(encoder, alive ? 1 : 0));

const ENDPOINTS: readonly ChannelEndpoint[] = ['sync', 'lww'];

function parseOpen(json: string): ChannelOpen {
  const value = JSON.parse(json) as Partial<ChannelOpen>;
  const ok =
    typeof value.roomId === 'string' &&
    ENDPOINTS.includes(value.endpoint as ChannelEndpoint) &&
    typeof value.name === 'string' &&
    (value.role === 'editor' || value.role === 'viewer') &&
    (value.sessionId === null || typeof value.sessionId === 'string') &&
    (value.personId === null || typeof value.personId === 'string') &&
    typeof value.viaViewId === 'boolean' &&
    typeof value.ip === 'string';
  if (!ok) throw new Error('malformed channel open');
  return value as ChannelOpen;
}

/** Throws on anything malformed: a peer speaking another version, or not a peer at all. */
export function decodeLinkMessage(bytes: Uint8Array): DecodedLinkMessage {
  const decoder = decoding.createDecoder(bytes);
  const type = decoding.readUint8(decoder);
  const channel = decoding.readVarUint(decoder);
  let message: DecodedLinkMessage;
  switch (type) {
    case LinkMessage.Open:
      message = { type, channel, open: parseOpen(decoding.readVarString(decoder)) };
      break;
    case LinkMessage.Binary:
      message = { type, channel, data: decoding.readTailAsUint8Array(decoder) };
      break;
    case LinkMessage.Text:
      message = { type, channel, data: decoding.readVarString(decoder) };
      break;
    case LinkMessage.Close:
      message = { type, channel, code: decoding.readUint16(decoder), reason: decoding.readVarString(decoder) };
      break;
    case LinkMessage.Probe:
      message = { type, channel, timeoutMs: decoding.readVarUint(decoder) };
      break;
    case LinkMessage.ProbeResult:
      message = { type, channel, alive: decoding.readUint8(decoder) === 1 };
      break;
    default:
      throw new Error(`unknown link message type ${type}`);
  }
  if (decoding.hasContent(decoder)) throw new Error('trailing bytes in link message');
  return message;
}
