/** Participant colours: readable on the dark editor, distinct from each other. */
export const PALETTE = [
  '#ff6b6b',
  '#4dabf7',
  '#51cf66',
  '#fcc419',
  '#cc5de8',
  '#ff922b',
  '#20c997',
  '#f06595',
  '#94d82d',
  '#748ffc',
] as const;

/** Same name, same colour, on every client (FNV-1a over the UTF-16 units). */
export function colorForName(name: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return PALETTE[hash % PALETTE.length] ?? PALETTE[0];
}

/** `#rrggbb` plus alpha, for selection backgrounds. */
export function withAlpha(color: string, alpha: number): string {
  if (!/^#[0-9a-fA-F]{6}$/.test(color)) return color;
  const a = Math.round(Math.max(0, Math.min(1, alpha)) * 255)
    .toString(16)
    .padStart(2, '0');
  return color + a;
}

/** Only hex colours reach generated CSS: a peer's awareness state is untrusted input. */
export function safeColor(color: unknown, fallbackName: string): string {
  return typeof color === 'string' && /^#[0-9a-fA-F]{6}$/.test(color) ? color : colorForName(fallbackName);
}
