import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { DOC_RUNS_KEY, RUN_CONSOLE_MAX_RUNS, RUN_KEYS, RUN_OUTPUT_MAX_BYTES } from '@pairpad/shared';
import { RUN_FLUSH_MS, createRunLog } from './run-log';
import { TRUNCATED_NOTICE } from './output-cap';

const start = { by: 'Alice', color: '#abcdef', language: 'javascript' as const, limitMs: 10_000, startedAt: '2026-01-01T10:00:00.000Z' };

/** Two documents that pass every update to each other at once (two browsers in a room). */
function pair(): [Y.Doc, Y.Doc] {
  const a = new Y.Doc();
  const b = new Y.Doc();
  a.on('update', (update: Uint8Array, origin: unknown) => origin !== 'remote' && Y.applyUpdate(b, update, 'remote'));
  b.on('update', (update: Uint8Array, origin: unknown) => origin !== 'remote' && Y.applyUpdate(a, update, 'remote'));
  return [a, b];
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('run log on the document', () => {
  it('a run appears for the partner at once, its output every RUN_FLUSH_MS, its result at the end', () => {
    const [alice, bob] = pair();
    const log = createRunLog(alice);
    const seen = createRunLog(bob);
    const changes = vi.fn();
    seen.subscribe(changes);

    const writer = log.start({ id: 'r1', ...start });
    expect(seen.entries()).toEqual([
      expect.objectContaining({ id: 'r1', by: 'Alice', color: '#abcdef', language: 'javascript', status: 'running', output: [], exitCode: null }),
    ]);

    writer.append([{ s: 'out', t: 'hello ' }]);
    writer.append([{ s: 'out', t: 'world\n' }]);
    expect(seen.entries()[0]?.output).toEqual([]);
    vi.advanceTimersByTime(RUN_FLUSH_MS);
    expect(seen.entries()[0]).toMatchObject({ output: [{ s: 'out', t: 'hello world\n' }], bytes: 12 });

    writer.append([{ s: 'err', t: 'Uncaught Error: boom (line 3)\n' }]);
    writer.finish({ status: 'error', exitCode: 1, durationMs: 42 });
    expect(seen.entries()[0]).toMatchObject({
      status: 'error',
      exitCode: 1,
      durationMs: 42,
      output: [
        { s: 'out', t: 'hello world\n' },
        { s: 'err', t: 'Uncaught Error: boom (line 3)\n' },
      ],
    });
    expect(changes).toHaveBeenCalled();
    // Snapshots are stable between changes (React's useSyncExternalStore relies on it).
    expect(seen.entries()).toBe(seen.entries());
  });

  it('caps a run’s output with a visible notice, and still writes why it stopped', () => {
    const doc = new Y.Doc();
    const log = createRunLog(doc);
    const writer = log.start({ id: 'big', ...start });
    for (let i = 0; i < 10; i++) writer.append([{ s: 'out', t: 'x'.repeat(10_000) }]);
    vi.advanceTimersByTime(RUN_FLUSH_MS);
    writer.append([{ s: 'out', t: 'more' }]);
    vi.advanceTimersByTime(RUN_FLUSH_MS);
    writer.finish({ status: 'timeout', exitCode: null, durationMs: 1000, note: 'Stopped: the run passed its limit of 1 s.\n' });
    const entry = log.entries()[0]!;
    expect(entry.truncated).toBe(true);
    expect(entry.bytes).toBe(RUN_OUTPUT_MAX_BYTES);
    const text = entry.output.map((c) => c.t).join('');
    expect(text).toContain(TRUNCATED_NOTICE);
    expect(text).not.toContain('more');
    expect(entry.output[entry.output.length - 1]).toEqual({ s: 'sys', t: 'Stopped: the run passed its limit of 1 s.\n' });
    expect(entry.status).toBe('timeout');
  });

  it(`keeps the last ${RUN_CONSOLE_MAX_RUNS} runs: the one who starts a run deletes the oldest`, () => {
    const doc = new Y.Doc();
    const log = createRunLog(doc);
    for (let i = 0; i < RUN_CONSOLE_MAX_RUNS + 5; i++) log.start({ id: `r${i}`, ...start }).finish({ status: 'ok', exitCode: 0, durationMs: 1 });
    const ids = log.entries().map((e) => e.id);
    expect(ids).toHaveLength(RUN_CONSOLE_MAX_RUNS);
    expect(ids[0]).toBe('r5');
    expect(ids[ids.length - 1]).toBe(`r${RUN_CONSOLE_MAX_RUNS + 4}`);
  });

  it('Clear deletes finished runs and keeps one still going; its later output goes nowhere', () => {
    const doc = new Y.Doc();
    const log = createRunLog(doc);
    log.start({ id: 'done', ...start }).finish({ status: 'ok', exitCode: 0, durationMs: 1 });
    const running = log.start({ id: 'going', ...start });
    log.clear();
    expect(log.entries().map((e) => e.id)).toEqual(['going']);
    running.append([{ s: 'out', t: 'still here\n' }]);
    vi.advanceTimersByTime(RUN_FLUSH_MS);
    expect(log.entries()[0]?.output).toEqual([{ s: 'out', t: 'still here\n' }]);

    // Trimmed or cleared by someone else while running: writes are dropped without an error.
    doc.getArray(DOC_RUNS_KEY).delete(0, 1);
    running.append([{ s: 'out', t: 'lost\n' }]);
    vi.advanceTimersByTime(RUN_FLUSH_MS);
    expect(() => running.finish({ status: 'ok', exitCode: 0, durationMs: 2 })).not.toThrow();
    expect(log.entries()).toEqual([]);
  });

  it('ignores what is not a well-formed run (any client can write the array)', () => {
    const doc = new Y.Doc();
    const runs = doc.getArray<unknown>(DOC_RUNS_KEY);
    const odd = new Y.Map<unknown>();
    odd.set(RUN_KEYS.id, 'x');
    odd.set(RUN_KEYS.language, 'cobol');
    runs.push(['text', 42, odd]);
    const log = createRunLog(doc);
    expect(log.entries()).toEqual([]);
    log.start({ id: 'ok', ...start });
    expect(log.entries().map((e) => e.id)).toEqual(['ok']);
  });
});
