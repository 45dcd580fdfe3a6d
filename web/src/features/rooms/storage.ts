/** Browser storage for the remembered display name and this tab's session id. Never throws. */
const NAME_KEY = 'pairpad.name';
const SESSION_KEY = 'pairpad.session';

function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

export function loadDisplayName(): string {
  return safe(() => localStorage.getItem(NAME_KEY) ?? '', '');
}

export function saveDisplayName(name: string): void {
  safe(() => localStorage.setItem(NAME_KEY, name), undefined);
}

function randomId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * One id per tab (sessionStorage survives reloads but not new tabs): a reload reconnects with
 * the same session and replaces its old socket, while a second tab is a second participant.
 */
export function loadSessionId(): string {
  return safe(() => {
    const existing = sessionStorage.getItem(SESSION_KEY);
    if (existing) return existing;
    const id = randomId();
    sessionStorage.setItem(SESSION_KEY, id);
    return id;
  }, randomId());
}
