import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { bindingsFrom, bindRanges, blameText, rangesFromRows, RangeCollector, type ClientBindings } from './attribution';
import type { LogRow } from './history-store';

const at = new Date('2026-11-26T10:00:00Z');
let nextId = 1;
function row(update: Uint8Array, sessionId: string | null, author: string | null, serverMade = false): LogRow {
  return { id: nextId++, update, sessionId, author, serverMade, at };
}

/** Edits `doc` and returns the update they made. */
function edit(doc: Y.Doc, change: (text: Y.Text) => void): Uint8Array {
  let update: Uint8Array | null = null;
  const capture = (u: Uint8Array) => (update = u);
  doc.on('update', capture);
  change(doc.getText('code'));
  doc.off('update', capture);
  return update!;
}

describe('attribution', () => {
  it('[HIST-attr] each struct goes to the session that sent it; a client id extended by another session is flagged but still its sender', () => {
    const server = new Y.Doc();
    const alice = new Y.Doc();
    const mallory = new Y.Doc();
    const rows: LogRow[] = [];
    const a1 = edit(alice, (t) => t.insert(0, 'hello '));
    rows.push(row(a1, 's-alice', 'Alice'));
    Y.applyUpdate(server, a1);
    // Mallory copies Alice's document, client id included, and writes under it.
    Y.applyUpdate(mallory, Y.encodeStateAsUpdate(alice));
    mallory.clientID = alice.clientID;
    const m1 = edit(mallory, (t) => t.insert(6, 'world'));
    rows.push(row(m1, 's-mallory', 'Mallory'));
    Y.applyUpdate(server, m1);

    const bindings: ClientBindings = new Map();
    const ranges = rangesFromRows(rows, bindings);
    expect(ranges).toEqual([
      expect.objectContaining({ client: alice.clientID, clockStart: 0, clockEnd: 6, author: 'Alice', flagged: false }),
      expect.objectContaining({ client: alice.clientID, clockStart: 6, clockEnd: 11, author: 'Mallory', flagged: true }),
    ]);
    // Bindings come back the same from stored ranges (a later pass, or another instance).
    expect(bindingsFrom(ranges)).toEqual(bindings);

    const blame = blameText(server.getText('code'), ranges, (name) => `#${name}`);
    expect(blame.map(({ start, end, author }) => ({ start, end, author }))).toEqual([
      { start: 0, end: 6, author: 'Alice' },
      { start: 6, end: 11, author: 'Mallory' },
    ]);
  });

  it('[HIST-attr] writes the server made for people (simple sync, restore) go to each author and are never flagged', () => {
    const server = new Y.Doc();
    const one = edit(server, (t) => t.insert(0, 'aaa'));
    const two = edit(server, (t) => t.insert(3, 'bbb'));
    const ranges = rangesFromRows([row(one, null, 'Simple', true), row(two, 's-other', 'Other', true)], new Map());
    expect(ranges.map(({ author, flagged }) => ({ author, flagged }))).toEqual([
      { author: 'Simple', flagged: false },
      { author: 'Other', flagged: false },
    ]);
    const blame = blameText(server.getText('code'), ranges, () => '#000000');
    expect(blame.map((range) => range.author)).toEqual(['Simple', 'Other']);
  });

  it('[HIST-attr] rows read batch by batch as they are stored, bound later, give the ranges reading them all at once gives', () => {
    const alice = new Y.Doc();
    const bob = new Y.Doc();
    const rows: LogRow[] = [];
    let forgedId = 0;
    for (let i = 0; i < 6; i++) {
      const [doc, session, name] = i % 3 === 2 ? [bob, 's-bob', 'Bob'] : [alice, 's-alice', 'Alice'];
      const update = edit(doc, (t) => t.insert(0, `w${i}`));
      rows.push(row(update, session, name));
      // Bob also writes once under Alice's client id.
      if (i === 4) {
        forgedId = alice.clientID;
        const forged = new Y.Doc();
        Y.applyUpdate(forged, Y.encodeStateAsUpdate(alice));
        forged.clientID = alice.clientID;
        const copy = edit(forged, (t) => t.insert(0, 'x'));
        rows.push(row(copy, 's-bob', 'Bob'));
      }
    }
    const collector = new RangeCollector().add(rows.slice(0, 2));
    collector.add(rows.slice(2, 5)).add(rows.slice(5));
    const incremental = bindRanges(collector.ranges, new Map());
    expect(incremental).toEqual(rangesFromRows(rows, new Map()));
    expect(incremental.filter((range) => range.flagged)).toEqual([expect.objectContaining({ client: forgedId, author: 'Bob' })]);
  });

  it('[HIST-attr] two people typing at once, their rows alternating, make one range each per minute, not one per keystroke', () => {
    const alice = new Y.Doc();
    const bob = new Y.Doc();
    const rows: LogRow[] = [];
    for (let i = 0; i < 200; i++) {
      const [doc, session, name] = i % 2 === 0 ? [alice, 's-alice', 'Alice'] : [bob, 's-bob', 'Bob'];
      const update = edit(doc, (t) => t.insert(t.length, 'k'));
      rows.push(row(update, session, name));
      Y.applyUpdate(i % 2 === 0 ? bob : alice, update);
    }
    const ranges = rangesFromRows(rows, new Map());
    expect(ranges.map(({ author, clockStart, clockEnd }) => ({ author, length: clockEnd - clockStart }))).toEqual([
      { author: 'Alice', length: 100 },
      { author: 'Bob', length: 100 },
    ]);
  });

  it('[HIST-attr] text nobody is recorded for (older than history) has no author', () => {
    const doc = new Y.Doc();
    edit(doc, (t) => t.insert(0, 'old'));
    const blame = blameText(doc.getText('code'), [], () => '#000000');
    expect(blame).toEqual([{ start: 0, end: 3, author: null, color: null, at: null }]);
  });
});
