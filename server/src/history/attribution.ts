import type { BlameRange } from '@pairpad/shared';
import * as Y from 'yjs';
import type { AuthorshipRange, LogRow } from './history-store';

/** Who a Yjs client id was first seen from in a room: later writers using it are flagged. */
export type ClientBindings = Map<number, string | null>;

const bindingKey = (row: Pick<AttributableRow, 'sessionId' | 'author'>): string => row.sessionId ?? `name:${row.author ?? ''}`;

/**
 * What attribution reads of a log row, stored or still held by the room that wrote it (then with
 * the clocks it added, so it need not be decoded).
 */
export type AttributableRow = Pick<LogRow, 'update' | 'sessionId' | 'author' | 'at'> & { serverMade?: boolean; clocks?: readonly number[] };

/** `[client, clock, length]` of every struct with content in a row. */
function clockRuns(row: AttributableRow): [number, number, number][] {
  if (row.clocks) {
    const runs: [number, number, number][] = [];
    for (let i = 0; i + 2 < row.clocks.length; i += 3) runs.push([row.clocks[i]!, row.clocks[i + 1]!, row.clocks[i + 2]! - row.clocks[i + 1]!]);
    return runs;
  }
  try {
    // Skip structs are gaps in a merged update, not content.
    return Y.decodeUpdate(row.update)
      .structs.filter((struct) => struct instanceof Y.Item || struct instanceof Y.GC)
      .map((struct) => [struct.id.client, struct.id.clock, struct.length]);
  } catch {
    return [];
  }
}

/**
 * A range read from log rows before client bindings are applied: `key` is the sending session
 * (null for the server's own writes). Which ranges are flagged depends only on the key and the
 * client's binding, so rows can be read as they are stored and bound later.
 */
export type UnboundRange = Omit<AuthorshipRange, 'flagged'> & { key: string | null };

/**
 * Reads who wrote which Yjs items from log rows, oldest first, batch after batch, into one range
 * per client id, sender and minute. The server decides: each row carries the session that sent
 * it, and every struct in it is attributed to that session's person. A run continues its
 * client's last range even when other people's rows came between (two people typing at once
 * alternate rows; ranges must not).
 */
export class RangeCollector {
  readonly ranges: UnboundRange[] = [];
  private readonly lastOfClient = new Map<number, UnboundRange>();

  add(rows: readonly AttributableRow[]): this {
    for (const row of rows) {
      const key = row.serverMade ? null : bindingKey(row);
      const rowMinute = Math.floor(row.at.getTime() / 60_000);
      for (const [client, clock, length] of clockRuns(row)) {
        const last = this.lastOfClient.get(client);
        if (
          last &&
          last.clockEnd === clock &&
          last.key === key &&
          last.sessionId === row.sessionId &&
          last.author === row.author &&
          Math.floor(last.writtenAt.getTime() / 60_000) === rowMinute
        ) {
          last.clockEnd = clock + length;
        } else {
          const range = { client, clockStart: clock, clockEnd: clock + length, sessionId: row.sessionId, author: row.author, writtenAt: row.at, key };
          this.ranges.push(range);
          this.lastOfClient.set(client, range);
        }
      }
    }
    return this;
  }
}

/**
 * Applies client bindings to ranges in log order. A client id is bound to the session it first
 * appeared from; ranges of it sent later by another session are still attributed to their
 * sender, and flagged. The server's own writes bind nobody and are never flagged. `bindings` is
 * updated in place.
 */
export function bindRanges(ranges: readonly UnboundRange[], bindings: ClientBindings): AuthorshipRange[] {
  return ranges.map(({ key, ...range }) => {
    if (!bindings.has(range.client)) bindings.set(range.client, key);
    const bound = bindings.get(range.client);
    return { ...range, flagged: key !== null && bound !== null && bound !== key };
  });
}

/** Who wrote which Yjs items in log rows, oldest first (see RangeCollector and bindRanges). */
export function rangesFromRows(rows: readonly AttributableRow[], bindings: ClientBindings): AuthorshipRange[] {
  return bindRanges(new RangeCollector().add(rows).ranges, bindings);
}

/** Who a client id is bound to, from stored ranges (the first range of each client). */
export function bindingsFrom(ranges: readonly AuthorshipRange[]): ClientBindings {
  const bindings: ClientBindings = new Map();
  const firstClock = new Map<number, number>();
  for (const range of ranges) {
    if ((firstClock.get(range.client) ?? Infinity) <= range.clockStart) continue;
    firstClock.set(range.client, range.clockStart);
    // Server-made ranges are stored without a session and bind nobody.
    bindings.set(range.client, range.sessionId ?? (range.author === null ? null : `name:${range.author}`));
  }
  return bindings;
}

/** Ranges by client, sorted by clock, for lookups. */
function indexByClient(ranges: readonly AuthorshipRange[]): Map<number, AuthorshipRange[]> {
  const byClient = new Map<number, AuthorshipRange[]>();
  for (const range of ranges) {
    let list = byClient.get(range.client);
    if (!list) byClient.set(range.client, (list = []));
    list.push(range);
  }
  for (const list of byClient.values()) list.sort((a, b) => a.clockStart - b.clockStart);
  return byClient;
}

/** The range holding `clock`, or the index of the first one after it (binary search). */
function findAt(list: readonly AuthorshipRange[], clock: number): { range: AuthorshipRange | null; next: number } {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (list[mid]!.clockEnd <= clock) low = mid + 1;
    else high = mid;
  }
  const range = list[low];
  if (range && range.clockStart <= clock) return { range, next: low };
  return { range: null, next: low };
}

const minute = (at: Date): string => new Date(Math.floor(at.getTime() / 60_000) * 60_000).toISOString();

/**
 * Who wrote each character of `text`: walks its items (each keeps the Yjs id it was created
 * with) and looks their clocks up in the recorded ranges. Adjacent characters of the same
 * person and minute form one range; text nobody is recorded for has a null author.
 */
export function blameText(text: Y.Text, ranges: readonly AuthorshipRange[], colorOf: (name: string) => string): BlameRange[] {
  const byClient = indexByClient(ranges);
  const out: BlameRange[] = [];
  const push = (start: number, end: number, range: AuthorshipRange | null) => {
    if (end <= start) return;
    const author = range?.author ?? null;
    const at = range ? minute(range.writtenAt) : null;
    const last = out.at(-1);
    if (last && last.end === start && last.author === author && last.at === at) last.end = end;
    else out.push({ start, end, author, color: author === null ? null : colorOf(author), at });
  };
  let offset = 0;
  for (let item = text._start; item !== null; item = item.right) {
    if (item.deleted || !item.countable) continue;
    const length = item.length;
    const list = byClient.get(item.id.client) ?? [];
    let clock = item.id.clock;
    const end = item.id.clock + length;
    while (clock < end) {
      const { range, next } = findAt(list, clock);
      // Up to the end of this range, or the start of the next recorded one.
      const stop = Math.min(end, range ? range.clockEnd : (list[next]?.clockStart ?? end));
      push(offset + (clock - item.id.clock), offset + (stop - item.id.clock), range);
      clock = stop;
    }
    offset += length;
  }
  return out;
}
