/**
 * Build-time settings, parsed once. The app talks to the host that served it unless
 * VITE_API_ORIGIN points elsewhere (e.g. a separate API host).
 */
function parseOrigin(raw: string | undefined): string {
  const value = raw?.trim();
  if (!value) return '';
  return value.replace(/\/+$/, '');
}

export const env = Object.freeze({
  apiOrigin: parseOrigin(import.meta.env.VITE_API_ORIGIN as string | undefined),
  /** Idle time before asking for an autocomplete suggestion. */
  autocompleteDelayMs: Number(import.meta.env.VITE_AUTOCOMPLETE_DELAY_MS ?? 600) || 600,
});

/** Absolute http(s) URL for a REST path. */
export function apiUrl(path: string): string {
  return `${env.apiOrigin}${path}`;
}

/** ws(s) base URL for a socket path on the API host. */
export function socketUrl(path: string): string {
  const base = env.apiOrigin || window.location.origin;
  return base.replace(/^http/, 'ws') + path;
}
