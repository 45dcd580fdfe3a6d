/**
 * This browser's person id, shared by all its tabs (localStorage): the server lets connections
 * with the same name and person id be online together, so a second tab or window is the same
 * person, not "name taken". It proves nothing beyond this browser; never throws.
 */
const PERSON_KEY = 'pairpad.person';

function randomId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

let fallback: string | null = null;

export function loadPersonId(): string {
  try {
    const existing = localStorage.getItem(PERSON_KEY);
    if (existing && /^[A-Za-z0-9_-]{1,64}$/.test(existing)) return existing;
    const id = randomId();
    localStorage.setItem(PERSON_KEY, id);
    return id;
  } catch {
    // Storage blocked: one id for this page at least.
    fallback ??= randomId();
    return fallback;
  }
}
