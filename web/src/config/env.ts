/**
 * Build-time settings, parsed once. The app talks to the host that served it unless
 * VITE_API_ORIGIN points elsewhere (e.g. a separate API host).
 */
export interface Env {
  /** Origin of the API, without a trailing slash; '' means the page's own origin. */
  apiOrigin: string;
  /** Idle time before asking for an autocomplete suggestion. */
  autocompleteDelayMs: number;
}

export const AUTOCOMPLETE_DELAY_MS_DEFAULT = 600;
const AUTOCOMPLETE_DELAY_MS_MAX = 60_000;

export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid build settings (VITE_*):\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'EnvError';
  }
}

type RawEnv = Record<string, unknown>;

/**
 * Reads and checks every VITE_* setting. Collects all problems, so whoever builds the app fixes
 * them in one go, and throws them as one readable list (like the server's loadConfig).
 */
export function loadEnv(raw: RawEnv): Readonly<Env> {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = raw[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      problems.push(`${name} must be a string (got ${typeof value})`);
      return undefined;
    }
    const trimmed = value.trim();
    return trimmed === '' ? undefined : trimmed;
  };

  let apiOrigin = '';
  const origin = read('VITE_API_ORIGIN');
  if (origin !== undefined) {
    const value = origin.replace(/\/+$/, '');
    let parsed: URL | null = null;
    try {
      parsed = new URL(value);
    } catch {
      // reported below
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.origin !== value) {
      problems.push(`VITE_API_ORIGIN must be an origin like https://api.example.com[:port], without a path (got "${origin}")`);
    } else apiOrigin = value;
  }

  let autocompleteDelayMs = AUTOCOMPLETE_DELAY_MS_DEFAULT;
  const delay = read('VITE_AUTOCOMPLETE_DELAY_MS');
  if (delay !== undefined) {
    if (!/^\d+$/.test(delay) || Number(delay) < 1 || Number(delay) > AUTOCOMPLETE_DELAY_MS_MAX) {
      problems.push(`VITE_AUTOCOMPLETE_DELAY_MS must be a whole number of milliseconds from 1 to ${AUTOCOMPLETE_DELAY_MS_MAX} (got "${delay}")`);
    } else autocompleteDelayMs = Number(delay);
  }

  if (problems.length > 0) throw new EnvError(problems);
  return Object.freeze({ apiOrigin, autocompleteDelayMs });
}

export const env = loadEnv(import.meta.env);

/** Absolute http(s) URL for a REST path. */
export function apiUrl(path: string): string {
  return `${env.apiOrigin}${path}`;
}

/** ws(s) base URL for a socket path on the API host. */
export function socketUrl(path: string): string {
  const base = env.apiOrigin || window.location.origin;
  return base.replace(/^http/, 'ws') + path;
}
