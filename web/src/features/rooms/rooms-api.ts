import {
  type AutocompleteResult,
  type CreatedRoom,
  type Language,
  type Room,
  type RoomDetails,
} from '@pairpad/shared';
import { apiUrl } from '../../config/env';
import { apiRequest } from '../../lib/api-request';

export { ApiError } from '../../lib/api-error';

// Written out here: the TypeBox-derived body types in shared currently infer `language` as never/undefined.
export interface AutocompleteRequest {
  code: string;
  cursorPosition: number;
  language: Language;
}
export interface CreateRoomRequest {
  name?: string;
  language?: Language;
  limit?: number;
  code?: string;
}
export interface PatchRoomRequest {
  name?: string;
  language?: Language;
  limit?: number;
}

const request = apiRequest;

/**
 * The server's view of its database: `down` when /healthz answers 503 (the server is up and
 * serving live rooms from memory), `unknown` when the server itself cannot be reached.
 */
export type ServerHealth = 'ok' | 'down' | 'unknown';

async function health(): Promise<ServerHealth> {
  try {
    const response = await fetch(apiUrl('/healthz'));
    if (response.ok) return 'ok';
    const body: unknown = await response.json().catch(() => null);
    return response.status === 503 && (body as { db?: unknown } | null)?.db === 'down' ? 'down' : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Wait before the next try after `failures` answers of db_unavailable: 1, 2, 4, 8, then 15 s. */
export function degradedRetryDelayMs(failures: number): number {
  return Math.min(1000 * 2 ** failures, 15_000);
}

export const roomsApi = {
  create: (body: CreateRoomRequest) => request<CreatedRoom>('POST', '/rooms', body),
  // The text comes over the socket; the server would otherwise serialise it for nothing.
  get: (id: string) => request<RoomDetails>('GET', `/rooms/${encodeURIComponent(id)}?code=false`),
  patch: (roomId: string, body: PatchRoomRequest) => request<Room>('PATCH', `/rooms/${encodeURIComponent(roomId)}`, body),
  snapshot: (roomId: string) => request<{ savedAt: string }>('POST', `/rooms/${encodeURIComponent(roomId)}/snapshot`),
  autocomplete: (body: AutocompleteRequest, signal?: AbortSignal) =>
    request<AutocompleteResult>('POST', '/autocomplete', body, signal),
  health,
};

export type RoomsApi = typeof roomsApi;
