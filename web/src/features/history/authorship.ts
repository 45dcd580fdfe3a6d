import { isCssHexColor, type Blame } from '@pairpad/shared';
import { formatClock } from './format';

/** The shape the editor's highlights take (structural: features do not import each other). */
export interface AuthorHighlight {
  start: number;
  end: number;
  color: string;
  hover: string;
}

/**
 * Blame ranges as editor tints: one per range with an author and a hex colour, hover
 * "name · 14:02". Text the server wrote (no author) stays untinted.
 */
export function blameHighlights(blame: Blame): AuthorHighlight[] {
  const highlights: AuthorHighlight[] = [];
  for (const range of blame.ranges) {
    if (!range.author || range.end <= range.start || !isCssHexColor(range.color)) continue;
    highlights.push({
      start: range.start,
      end: range.end,
      color: range.color,
      hover: range.at ? `${range.author} · ${formatClock(range.at)}` : range.author,
    });
  }
  return highlights;
}
