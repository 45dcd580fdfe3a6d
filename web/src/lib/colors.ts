import { colorForName, isCssHexColor } from '@pairpad/shared';

/** The colour a name starts with; the server may hand out another so that a room's colours differ. */
export { colorForName };

/** `#rrggbb` plus alpha, for selection backgrounds. */
export function withAlpha(color: string, alpha: number): string {
  if (!isCssHexColor(color)) return color;
  const a = Math.round(Math.max(0, Math.min(1, alpha)) * 255)
    .toString(16)
    .padStart(2, '0');
  return color + a;
}

/** Only hex colours reach generated CSS: a peer's awareness state is untrusted input. */
export function safeColor(color: unknown, fallbackName: string): string {
  return isCssHexColor(color) ? color : colorForName(fallbackName);
}
