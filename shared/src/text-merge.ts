import { diffMain } from 'diff-match-patch-es';

/** A change of `from` into `to`: characters `[start, end)` of `from` become `insert`. */
export interface Hunk {
  start: number;
  end: number;
  insert: string;
}

/** An edit of the current text; a list of them is sorted by `index` and never overlaps. */
export interface TextEdit {
  index: number;
  deleteCount: number;
  insert: string;
}

export interface DiffOptions {
  /**
   * Time the character diff may take before it settles for a coarser (still correct) answer:
   * one hostile whole-buffer write must not hold the event loop.
   */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 25;

const isHigh = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLow = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/**
 * The hunks that turn `from` into `to` (diff-match-patch: common prefix and suffix, a line-level
 * pass, then characters). Hunks never split a surrogate pair (Y.Text counts UTF-16 units like
 * JS strings do, and half an emoji would be stored as U+FFFD) and never touch each other.
 */
export function diffHunks(from: string, to: string, options: DiffOptions = {}): Hunk[] {
  if (from === to) return [];
  const diffs = diffMain(from, to, { diffTimeout: (options.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000 });
  const hunks: Hunk[] = [];
  let position = 0;
  let open: Hunk | null = null;
  for (const [op, text] of diffs) {
    if (op === 0) {
      if (open) hunks.push(open);
      open = null;
      position += text.length;
    } else if (op === -1) {
      open ??= { start: position, end: position, insert: '' };
      open.end += text.length;
      position += text.length;
    } else {
      open ??= { start: position, end: position, insert: '' };
      open.insert += text;
    }
  }
  if (open) hunks.push(open);
  // Widen hunks that cut a surrogate pair: the unit outside a hunk is common to both texts.
  for (const hunk of hunks) {
    if (hunk.start > 0 && isHigh(from.charCodeAt(hunk.start - 1))) {
      hunk.start--;
      hunk.insert = from[hunk.start]! + hunk.insert;
    }
    if (hunk.end < from.length && isLow(from.charCodeAt(hunk.end))) {
      hunk.insert += from[hunk.end]!;
      hunk.end++;
    }
  }
  const merged: Hunk[] = [];
  for (const hunk of hunks) {
    const last = merged.at(-1);
    if (last && last.end >= hunk.start) {
      last.insert += from.slice(last.end, hunk.start) + hunk.insert;
      last.end = Math.max(last.end, hunk.end);
    } else {
      merged.push(hunk);
    }
  }
  return merged;
}

/** Applies sorted, non-overlapping edits (tests and clients that hold plain strings). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let out = '';
  let position = 0;
  for (const edit of edits) {
    out += text.slice(position, edit.index) + edit.insert;
    position = edit.index + edit.deleteCount;
  }
  return out + text.slice(position);
}

const isInsertion = (hunk: Hunk) => hunk.start === hunk.end;

/** Whether my hunk and theirs change the same characters of the base. */
function conflicts(mine: Hunk, theirs: Hunk): boolean {
  if (!isInsertion(mine) && !isInsertion(theirs)) return theirs.start < mine.end && mine.start < theirs.end;
  // Their typing inside a range I replaced: my (later) write wins there.
  if (isInsertion(theirs)) return mine.start < theirs.start && theirs.start < mine.end;
  return false;
}

/**
 * Three-way merge of a whole-buffer write. `base` is the text the writer last had from the
 * server, `next` what it sends now, `current` the text now (others may have edited since
 * `base`). Returns the writer's edit (base -> next) as edits of `current`, applied where the
 * base's characters now stand:
 *
 * - others' edits since `base` are kept, and an insertion is never split by another, so the
 *   characters of two typists never interleave (at one spot, theirs comes first);
 * - deleting text someone else already deleted deletes nothing more;
 * - where both changed the same base characters (or they typed inside a range this write
 *   replaces), this write wins over that one change of theirs: last write wins only there.
 *
 * Others' edits are recovered by diffing `base` against `current`; where a diff is ambiguous it
 * is among equal characters, so the merged text is the same.
 */
export function mergeWrite(base: string, current: string, next: string, options: DiffOptions = {}): TextEdit[] {
  const mine = diffHunks(base, next, options);
  if (mine.length === 0) return [];
  const theirs = base === current ? [] : diffHunks(base, current, options);
  const delta = (hunk: Hunk) => hunk.insert.length - (hunk.end - hunk.start);

  interface Cluster {
    start: number;
    end: number;
    mine: Hunk[];
    /** My insertion inside a range they deleted: goes where their change ends. */
    afterTheirs?: Hunk;
  }
  const clusters: Cluster[] = [];
  let t = 0;
  for (const hunk of mine) {
    while (t < theirs.length && theirs[t]!.end < hunk.start) t++;
    const previous = clusters.at(-1);
    if (isInsertion(hunk) && previous && !previous.afterTheirs && previous.start < hunk.start && hunk.start < previous.end) {
      // Inside a range this write already wins.
      previous.mine.push(hunk);
      continue;
    }
    if (isInsertion(hunk)) {
      const around = theirs.slice(t).find((other) => other.start < hunk.start && hunk.start < other.end);
      if (around) {
        clusters.push({ start: around.end, end: around.end, mine: [hunk], afterTheirs: around });
        continue;
      }
    }
    let start = hunk.start;
    let end = hunk.end;
    for (let i = t; i < theirs.length && theirs[i]!.start <= hunk.end; i++) {
      const other = theirs[i]!;
      if (!conflicts(hunk, other)) continue;
      start = Math.min(start, other.start);
      end = Math.max(end, other.end);
    }
    // Clusters that share a change of theirs become one; an insertion moved past their deletion
    // that this range now covers goes back to where the writer typed it.
    const cluster: Cluster = { start, end, mine: [hunk] };
    for (let last = clusters.at(-1); last && last.end > cluster.start; last = clusters.at(-1)) {
      clusters.pop();
      cluster.start = Math.min(cluster.start, last.afterTheirs ? last.mine[0]!.start : last.start);
      cluster.end = Math.max(cluster.end, last.end);
      cluster.mine.unshift(...last.mine);
    }
    clusters.push(cluster);
  }

  const edits: TextEdit[] = [];
  for (const cluster of clusters) {
    // What this write has for the cluster's base range.
    let insert = '';
    if (cluster.afterTheirs) {
      insert = cluster.mine[0]!.insert;
    } else {
      let position = cluster.start;
      for (const hunk of cluster.mine) {
        insert += base.slice(position, hunk.start) + hunk.insert;
        position = hunk.end;
      }
      insert += base.slice(position, cluster.end);
    }
    // Where that range now stands: after their changes that end at or before its start (their
    // insertion at the same spot comes first), up to before their insertion at its end.
    let index = cluster.start;
    let stop = cluster.end;
    for (const other of theirs) {
      if (other.end <= cluster.start) index += delta(other);
      const insertionAtEnd = isInsertion(other) && other.start === cluster.end && cluster.end > cluster.start;
      if (other.end <= cluster.end && !insertionAtEnd) stop += delta(other);
    }
    stop = Math.max(stop, index);
    if (stop - index === insert.length && current.slice(index, stop) === insert) continue;
    edits.push({ index, deleteCount: stop - index, insert });
  }
  return edits;
}

/**
 * An upper bound on how far apart two texts are, in linear time: the characters outside their
 * common prefix and suffix. Enough to tell which of a few candidate bases a write was made on.
 */
export function roughDistance(from: string, to: string): number {
  const max = Math.min(from.length, to.length);
  let prefix = 0;
  while (prefix < max && from.charCodeAt(prefix) === to.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < max - prefix && from.charCodeAt(from.length - 1 - suffix) === to.charCodeAt(to.length - 1 - suffix)) suffix++;
  return from.length + to.length - 2 * (prefix + suffix);
}
