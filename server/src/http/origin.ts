/**
 * Browsers always send Origin on WebSocket upgrades and cross-site fetches; other clients
 * (Node y-websocket, curl) usually do not. Same-origin pages are always allowed, so the app
 * served by pairpad itself works without configuration.
 */
export function isOriginAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: readonly string[] | '*',
): boolean {
  if (!origin || allowed === '*') return true;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return false;
  }
  if (host && originHost === host) return true;
  return allowed.includes(origin.replace(/\/+$/, ''));
}
