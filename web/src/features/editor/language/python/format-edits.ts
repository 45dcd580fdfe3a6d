/**
 * The smallest edits that turn a document into its formatted text, so a format in a shared
 * buffer rewrites only what the formatter changed: a partner's caret, selection and concurrent
 * typing on lines the formatter left alone survive it (Yjs keeps positions in untouched text).
 *
 * Monaco does refine a provider's edits in its editor worker (computeMoreMinimalEdits), but
 * falls back to the raw edits when that worker takes over a second (a cold worker on a busy
 * machine) or the text is large: one whole-document edit would then move everyone's caret.
 * So the edits are minimal here already: a line diff (Myers), then each changed run of lines
 * trimmed to the characters that differ.
 */

/** A Monaco-compatible edit (1-based lines and UTF-16 columns) against the original text. */
export interface TextEdit {
  range: { startLineNumber: number; startColumn: number; endLineNumber: number; endColumn: number };
  text: string;
}

/** A run of lines that differ: `a[aStart, aEnd)` is replaced by `b[bStart, bEnd)`. */
export interface Hunk {
  aStart: number;
  aEnd: number;
  bStart: number;
  bEnd: number;
}

/**
 * Past this many inserted plus deleted lines the diff stops looking for the shortest script and
 * replaces the whole differing middle (memory grows with its square).
 */
const MAX_DIFF_COST = 2000;

/**
 * A bound on the edits of one format (each is an operation in the editor and the shared
 * document): past it the closest are joined. Far above what a file of a few thousand lines needs.
 */
const MAX_EDITS = 20_000;

/**
 * At most `max` spans: where there are more, the spans closest together are joined (with the
 * unchanged text between them), so the largest stretches of untouched text stay untouched.
 */
function fewerSpans(spans: { from: number; to: number; text: string }[], before: string, max: number): { from: number; to: number; text: string }[] {
  if (spans.length <= max) return spans;
  const gaps = spans.slice(1).map((span, i) => ({ i, size: span.from - spans[i]!.to }));
  gaps.sort((x, y) => x.size - y.size || x.i - y.i);
  const join = new Set(gaps.slice(0, spans.length - Math.max(1, max)).map((gap) => gap.i));
  const joined: { from: number; to: number; text: string }[] = [];
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    const last = joined[joined.length - 1];
    if (last && join.has(i - 1)) {
      last.text += before.slice(last.to, span.from) + span.text;
      last.to = span.to;
    } else {
      joined.push({ ...span });
    }
  }
  return joined;
}

/** Splits after each line terminator, keeping it: joining the parts gives the text back. */
export function splitLinesKeepEnds(text: string): string[] {
  const lines: string[] = [];
  const ends = /\r\n|\r|\n/g;
  let start = 0;
  for (let match = ends.exec(text); match; match = ends.exec(text)) {
    lines.push(text.slice(start, match.index + match[0].length));
    start = match.index + match[0].length;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

/** The runs of differing lines between `a` and `b`, in order (Myers' O(ND) shortest edit script). */
export function diffLines(a: readonly string[], b: readonly string[], maxCost = MAX_DIFF_COST): Hunk[] {
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
  const aMid = a.slice(prefix, a.length - suffix);
  const bMid = b.slice(prefix, b.length - suffix);
  if (aMid.length === 0 && bMid.length === 0) return [];
  const whole: Hunk = { aStart: prefix, aEnd: a.length - suffix, bStart: prefix, bEnd: b.length - suffix };
  if (aMid.length === 0 || bMid.length === 0) return [whole];

  // Lines as numbers: equal lines get equal ids, so the inner loop compares integers.
  const ids = new Map<string, number>();
  const idOf = (line: string): number => {
    let id = ids.get(line);
    if (id === undefined) ids.set(line, (id = ids.size));
    return id;
  };
  const A = Int32Array.from(aMid, idOf);
  const B = Int32Array.from(bMid, idOf);
  const matches = myersMatches(A, B, maxCost);
  if (!matches) return [whole];

  const hunks: Hunk[] = [];
  let x = 0;
  let y = 0;
  for (const [mx, my] of [...matches, [A.length, B.length] as const]) {
    if (mx > x || my > y) hunks.push({ aStart: prefix + x, aEnd: prefix + mx, bStart: prefix + y, bEnd: prefix + my });
    x = mx + 1;
    y = my + 1;
  }
  return hunks;
}

/**
 * The pairs (i, j) with A[i] === B[j] that a shortest edit script keeps, ascending; null when
 * that script costs more than `maxCost`.
 */
function myersMatches(A: Int32Array, B: Int32Array, maxCost: number): (readonly [number, number])[] | null {
  const n = A.length;
  const m = B.length;
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  // trace[d]: v for diagonals -d-1..d+1 as it was before step d.
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max && found < 0; d++) {
    if (d > maxCost) return null;
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && A[x] === B[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  const matches: (readonly [number, number])[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const before = trace[d]!;
    const at = (k: number): number => before[k + d + 1]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    // The edit moved down (an inserted line) or right (a deleted one); the snake after it is equal lines.
    const snakeX = prevK === k + 1 ? prevX : prevX + 1;
    while (x > snakeX) {
      x--;
      y--;
      matches.push([x, y]);
    }
    x = prevX;
    y = prevY;
  }
  while (x > 0 && y > 0) {
    x--;
    y--;
    matches.push([x, y]);
  }
  return matches.reverse();
}

/** 1-based line and column of each offset in `text`, for edits given as offsets. */
function positionFinder(lines: readonly string[]): (offset: number) => { lineNumber: number; column: number } {
  const starts: number[] = [];
  let total = 0;
  for (const line of lines) {
    starts.push(total);
    total += line.length;
  }
  return (offset) => {
    // Binary search: the last line starting at or before the offset.
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    const start = starts[low] ?? 0;
    const line = lines[low] ?? '';
    // Past the last line's terminator: the start of the (empty) line after it.
    if (offset - start >= line.length && /[\r\n]$/.test(line)) {
      return { lineNumber: low + 2, column: offset - start - line.length + 1 };
    }
    return { lineNumber: low + 1, column: offset - start + 1 };
  };
}

/** The characters of `text` other than white space (code points, so a surrogate pair stays whole), and their offsets. */
function visibleCharacters(text: string): { chars: string[]; at: number[] } {
  const chars: string[] = [];
  const at: number[] = [];
  for (const match of text.matchAll(/[^\s]/gu)) {
    chars.push(match[0]);
    at.push(match.index);
  }
  return { chars, at };
}

/** `old` -> `next` as one edit from their first differing character to their last; null if equal. */
function trimmedEdit(old: string, next: string): { from: number; to: number; text: string } | null {
  if (old === next) return null;
  let head = 0;
  while (head < old.length && head < next.length && old[head] === next[head]) head++;
  let tail = 0;
  while (tail < old.length - head && tail < next.length - head && old[old.length - 1 - tail] === next[next.length - 1 - tail]) tail++;
  // Never inside a \r\n pair or a surrogate pair (Monaco has no position there).
  const inside = (text: string, at: number): boolean =>
    at > 0 && at < text.length && ((text[at - 1] === '\r' && text[at] === '\n') || /[\ud800-\udbff]/.test(text[at - 1]!));
  while (head > 0 && (inside(old, head) || inside(next, head))) head--;
  while (tail > 0 && (inside(old, old.length - tail) || inside(next, next.length - tail))) tail--;
  return { from: head, to: old.length - tail, text: next.slice(head, next.length - tail) };
}

/**
 * A line as the formatter may rewrite it without changing what it says: no spaces, one kind of
 * quote. Within a run of differing lines, lines with the same key are the same line reformatted.
 */
function similarityKey(line: string): string {
  return line.replace(/\s+/g, '').replace(/'/g, '"');
}

/**
 * Edits that turn `before` into `after`, touching only the characters that differ. Both texts
 * should use the same line terminators (normalise the formatter's output to the model's first).
 *
 * Lines the formatter kept are never inside an edit. Within a run of changed lines, each line
 * that is still "the same line" (the same but for spacing and quotes) is edited on its own, so a
 * caret on it stays on it; what remains (lines split, joined, added or removed) is diffed as
 * one block. Within a line or block, no visible character that both texts keep (a name, an
 * operator) is inside an edit: Myers again on the visible characters, the spacing between them
 * edited where it differs.
 */
export function minimalEdits(before: string, after: string, maxEdits = MAX_EDITS): TextEdit[] {
  if (before === after) return [];
  const a = splitLinesKeepEnds(before);
  const b = splitLinesKeepEnds(after);
  const positionAt = positionFinder(a);
  // As offsets into `before`, ascending; touching ones are merged.
  const spans: { from: number; to: number; text: string }[] = [];
  let aOffset = 0;
  let aLine = 0;
  const push = (from: number, to: number, text: string): void => {
    const last = spans[spans.length - 1];
    if (last && last.to >= from) {
      last.to = to;
      last.text += text;
    } else {
      spans.push({ from, to, text });
    }
  };
  const replace = (aStart: number, aEnd: number, bStart: number, bEnd: number): void => {
    while (aLine < aStart) aOffset += a[aLine++]!.length;
    const old = a.slice(aStart, aEnd).join('');
    const next = b.slice(bStart, bEnd).join('');
    if (old === next) return;
    // The visible characters both keep are anchors no edit touches; between two anchors, the
    // spacing (and any character that changed) is one edit, trimmed to where the two differ.
    const oldMarks = visibleCharacters(old);
    const nextMarks = visibleCharacters(next);
    let oldFrom = 0;
    let nextFrom = 0;
    const between = (oldTo: number, nextTo: number): void => {
      const edit = trimmedEdit(old.slice(oldFrom, oldTo), next.slice(nextFrom, nextTo));
      if (edit) push(aOffset + oldFrom + edit.from, aOffset + oldFrom + edit.to, edit.text);
    };
    const anchor = (i: number, j: number): void => {
      between(oldMarks.at[i]!, nextMarks.at[j]!);
      oldFrom = oldMarks.at[i]! + oldMarks.chars[i]!.length;
      nextFrom = nextMarks.at[j]! + nextMarks.chars[j]!.length;
    };
    let i = 0;
    let j = 0;
    for (const hunk of diffLines(oldMarks.chars, nextMarks.chars)) {
      for (; i < hunk.aStart; i++, j++) anchor(i, j);
      i = hunk.aEnd;
      j = hunk.bEnd;
    }
    for (; i < oldMarks.chars.length; i++, j++) anchor(i, j);
    between(old.length, next.length);
  };
  /** A run of differing lines: line by line when the counts match, else one block. */
  const replaceRun = (aStart: number, aEnd: number, bStart: number, bEnd: number): void => {
    if (aEnd - aStart === bEnd - bStart) for (let i = 0; aStart + i < aEnd; i++) replace(aStart + i, aStart + i + 1, bStart + i, bStart + i + 1);
    else replace(aStart, aEnd, bStart, bEnd);
  };
  for (const hunk of diffLines(a, b)) {
    const pairs = diffLines(a.slice(hunk.aStart, hunk.aEnd).map(similarityKey), b.slice(hunk.bStart, hunk.bEnd).map(similarityKey));
    let x = hunk.aStart;
    let y = hunk.bStart;
    for (const gap of pairs) {
      // Between the gaps: the same lines reformatted, as many on each side.
      replaceRun(x, hunk.aStart + gap.aStart, y, hunk.bStart + gap.bStart);
      replaceRun(hunk.aStart + gap.aStart, hunk.aStart + gap.aEnd, hunk.bStart + gap.bStart, hunk.bStart + gap.bEnd);
      x = hunk.aStart + gap.aEnd;
      y = hunk.bStart + gap.bEnd;
    }
    replaceRun(x, hunk.aEnd, y, hunk.bEnd);
  }
  return fewerSpans(spans, before, maxEdits).map(({ from, to, text }) => {
    const start = positionAt(from);
    const end = positionAt(to);
    return { range: { startLineNumber: start.lineNumber, startColumn: start.column, endLineNumber: end.lineNumber, endColumn: end.column }, text };
  });
}

/** Applies edits (non-overlapping, against `text`) the way Monaco does: for tests. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const lines = splitLinesKeepEnds(text);
  const starts: number[] = [0];
  for (const line of lines) starts.push(starts[starts.length - 1]! + line.length);
  const offsetOf = (lineNumber: number, column: number): number => (starts[lineNumber - 1] ?? text.length) + column - 1;
  const sorted = [...edits].sort((x, y) => offsetOf(y.range.startLineNumber, y.range.startColumn) - offsetOf(x.range.startLineNumber, x.range.startColumn));
  let result = text;
  for (const { range, text: insert } of sorted) {
    const from = offsetOf(range.startLineNumber, range.startColumn);
    const to = offsetOf(range.endLineNumber, range.endColumn);
    result = result.slice(0, from) + insert + result.slice(to);
  }
  return result;
}
