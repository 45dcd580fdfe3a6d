/** Cursor colours chosen to stay readable on dark and light editor themes. */
export const PARTICIPANT_COLORS = [
  '#f97316',
  '#22c55e',
  '#3b82f6',
  '#e11d48',
  '#a855f7',
  '#14b8a6',
  '#eab308',
  '#ec4899',
  '#06b6d4',
  '#84cc16',
] as const;

/**
 * A stable first choice of colour per display name. The server keeps a person's colour across
 * reconnects and moves on to the next free one when someone online already has it.
 */
export function colorForName(name: string): string {
  let hash = 2166136261;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 16777619);
  }
  return PARTICIPANT_COLORS[(hash >>> 0) % PARTICIPANT_COLORS.length]!;
}

export function isCssHexColor(value: unknown): value is string {
  return typeof value === 'string' && /^#[0-9a-fA-F]{6}$/.test(value);
}
