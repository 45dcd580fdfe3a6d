import type { Blame, ForkedRoom, Replay, RestoreResult, VersionDetails, VersionList, VersionSummary } from '@pairpad/shared';
import { apiRequest } from '../../lib/api-request';

/** The history endpoints, all under the id the page was opened with (edit id or view id). */
export const historyApi = {
  list: (id: string, options: { before?: number; limit?: number } = {}) => {
    const query = new URLSearchParams();
    if (options.before !== undefined) query.set('before', String(options.before));
    if (options.limit !== undefined) query.set('limit', String(options.limit));
    const qs = query.toString();
    return apiRequest<VersionList>('GET', `${base(id)}/versions${qs ? `?${qs}` : ''}`);
  },
  details: (id: string, version: number) => apiRequest<VersionDetails>('GET', `${base(id)}/versions/${version}`),
  save: (id: string, body: { name?: string; by: string }) => apiRequest<VersionSummary>('POST', `${base(id)}/versions`, body),
  restore: (id: string, body: { version: number; by: string }) => apiRequest<RestoreResult>('POST', `${base(id)}/restore`, body),
  fork: (id: string, body: { version?: number; name?: string; by: string }) => apiRequest<ForkedRoom>('POST', `${base(id)}/fork`, body),
  blame: (id: string, version?: number, signal?: AbortSignal) =>
    apiRequest<Blame>('GET', `${base(id)}/blame${version === undefined ? '' : `?version=${version}`}`, undefined, signal),
  replay: (id: string, from: number, to?: number) =>
    apiRequest<Replay>('GET', `${base(id)}/replay?from=${from}${to === undefined ? '' : `&to=${to}`}`),
};

export type HistoryApi = typeof historyApi;

const base = (id: string): string => `/rooms/${encodeURIComponent(id)}`;
