import { CloseCode, checkDisplayName, type CloseCodeValue, type ErrorCode, type Role } from '@pairpad/shared';
import type { Config } from '../config';
import { isOriginAllowed } from './origin';

const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Who a socket says it is, from its query string; the room decides the rest (role, seat). */
export interface SocketRequest {
  name: string;
  /** `role=viewer`: watch even with an edit capability. */
  requestedRole: Role | undefined;
  sessionId: string | null;
  personId: string | null;
}

/** A socket refused before its room is looked at; LWW clients get `errorCode` before the close. */
export interface SocketRequestRefusal {
  closeCode: CloseCodeValue;
  message: string;
  errorCode: ErrorCode;
}

export interface UpgradeRequest {
  ip: string;
  headers: { origin?: string; host?: string };
  query: unknown;
}

/**
 * The checks that need no room: sockets per address (the operator's own addresses are exempt),
 * the browser's Origin, the display name. `openFromAddress` counts this socket too.
 */
export function checkSocketRequest(
  request: UpgradeRequest,
  openFromAddress: number,
  config: Pick<Config, 'maxSocketsPerIp' | 'rateLimitAllow' | 'allowedOrigins'>,
): { ok: true; request: SocketRequest } | { ok: false; refusal: SocketRequestRefusal } {
  if (openFromAddress > config.maxSocketsPerIp && !config.rateLimitAllow.includes(request.ip)) {
    return refused(CloseCode.RoomFullOrRateLimited, 'too many connections from this address', 'rate_limited');
  }
  if (!isOriginAllowed(request.headers.origin, request.headers.host, config.allowedOrigins)) {
    return refused(CloseCode.Policy, 'origin not allowed', 'forbidden');
  }
  const query = (request.query ?? {}) as Record<string, unknown>;
  const nameCheck = checkDisplayName(query.name);
  if (!nameCheck.ok) return refused(CloseCode.Policy, nameCheck.message, 'invalid_request');
  return {
    ok: true,
    request: {
      name: nameCheck.name,
      requestedRole: query.role === 'viewer' ? 'viewer' : undefined,
      sessionId: typeof query.session === 'string' && SESSION_ID_PATTERN.test(query.session) ? query.session : null,
      personId: typeof query.person === 'string' && SESSION_ID_PATTERN.test(query.person) ? query.person : null,
    },
  };
}

function refused(closeCode: CloseCodeValue, message: string, errorCode: ErrorCode): { ok: false; refusal: SocketRequestRefusal } {
  return { ok: false, refusal: { closeCode, message, errorCode } };
}

/** Open sockets per client address. */
export class AddressCounter {
  private readonly open = new Map<string, number>();

  /** Counts one more socket from `address`: how many are open from it now, and what uncounts this one (once). */
  add(address: string): { open: number; release: () => void } {
    const open = (this.open.get(address) ?? 0) + 1;
    this.open.set(address, open);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const left = (this.open.get(address) ?? 1) - 1;
      if (left <= 0) this.open.delete(address);
      else this.open.set(address, left);
    };
    return { open, release };
  }
}
