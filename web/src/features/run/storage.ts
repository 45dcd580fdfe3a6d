import { RUN_LIMIT_DEFAULT_MS, RUN_LIMIT_MAX_MS, RUN_LIMIT_MIN_MS } from '@pairpad/shared';

/** The run limit this browser chose (localStorage); never throws. */
const LIMIT_KEY = 'pairpad.runLimitMs';

/** A limit within RUN_LIMIT_MIN_MS..RUN_LIMIT_MAX_MS, whole seconds; anything unreadable is the default. */
export function clampLimitMs(value: unknown): number {
  const ms = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(ms)) return RUN_LIMIT_DEFAULT_MS;
  return Math.min(RUN_LIMIT_MAX_MS, Math.max(RUN_LIMIT_MIN_MS, Math.round(ms / 1000) * 1000));
}

export function loadRunLimitMs(): number {
  try {
    const stored = localStorage.getItem(LIMIT_KEY);
    return stored === null ? RUN_LIMIT_DEFAULT_MS : clampLimitMs(stored);
  } catch {
    return RUN_LIMIT_DEFAULT_MS;
  }
}

export function saveRunLimitMs(ms: number): void {
  try {
    localStorage.setItem(LIMIT_KEY, String(ms));
  } catch {
    // Private mode or storage full: the limit lasts for this page only.
  }
}
