import { describe, expect, it } from 'vitest';
import { RUN_CONSOLE_MAX_BYTES, RUN_CONSOLE_MAX_RUNS, RUN_OUTPUT_MAX_BYTES } from '@pairpad/shared';
import { TRUNCATED_NOTICE, capOutput, clipUtf8, mergeChunks, runsToTrim } from './output-cap';

describe('output caps', () => {
  it('clips to a byte budget without splitting a character', () => {
    expect(clipUtf8('abcdef', 3)).toBe('abc');
    expect(clipUtf8('a😀b', 3)).toBe('a');
    expect(clipUtf8('a😀b', 5)).toBe('a😀');
    expect(clipUtf8('€€', 4)).toBe('€');
    expect(clipUtf8('anything', 0)).toBe('');
  });

  it('merges consecutive chunks of one stream and drops empty ones', () => {
    expect(
      mergeChunks([
        { s: 'out', t: 'a' },
        { s: 'out', t: 'b' },
        { s: 'err', t: '' },
        { s: 'err', t: 'c' },
        { s: 'out', t: 'd' },
      ]),
    ).toEqual([
      { s: 'out', t: 'ab' },
      { s: 'err', t: 'c' },
      { s: 'out', t: 'd' },
    ]);
  });

  it('passes a batch under the cap whole', () => {
    const capped = capOutput(10, [{ s: 'out', t: 'hello\n' }], 100);
    expect(capped).toEqual({ chunks: [{ s: 'out', t: 'hello\n' }], bytes: 6, truncated: false });
  });

  it('cuts the batch that crosses the cap and ends it with the truncation notice', () => {
    const capped = capOutput(95, [{ s: 'out', t: '0123456789' }, { s: 'err', t: 'never' }], 100);
    expect(capped.truncated).toBe(true);
    expect(capped.bytes).toBe(5);
    expect(capped.chunks).toEqual([
      { s: 'out', t: '01234' },
      { s: 'sys', t: TRUNCATED_NOTICE },
    ]);
    expect(TRUNCATED_NOTICE).toContain('output truncated');
    expect(TRUNCATED_NOTICE).toContain(`${RUN_OUTPUT_MAX_BYTES / 1024} KiB`);
  });

  it('a batch exactly at the cap is not truncated; one byte more is', () => {
    expect(capOutput(0, [{ s: 'out', t: 'x'.repeat(100) }], 100).truncated).toBe(false);
    expect(capOutput(0, [{ s: 'out', t: 'x'.repeat(101) }], 100).truncated).toBe(true);
  });

  it('keeps the console to the last runs and to its byte budget, oldest first', () => {
    expect(runsToTrim([], 3, 1000, 100)).toBe(0);
    expect(runsToTrim([1, 1], 3, 1000, 100)).toBe(0);
    // A third run would make 3 + the new one = 4 > 3.
    expect(runsToTrim([1, 1, 1], 3, 1000, 100)).toBe(1);
    // 400 + 400 + 150 + reserve 100 = 1050 > 1000: the oldest goes.
    expect(runsToTrim([400, 400, 150], 10, 1000, 100)).toBe(1);
    expect(runsToTrim([900, 10], 10, 1000, 100)).toBe(1);
  });

  it('the defaults: 50 runs, and 1 MiB with a full run reserved', () => {
    expect(runsToTrim(new Array(RUN_CONSOLE_MAX_RUNS - 1).fill(0))).toBe(0);
    expect(runsToTrim(new Array(RUN_CONSOLE_MAX_RUNS).fill(0))).toBe(1);
    const full = new Array(20).fill(RUN_OUTPUT_MAX_BYTES);
    const remove = runsToTrim(full);
    expect((full.length - remove + 1) * RUN_OUTPUT_MAX_BYTES).toBeLessThanOrEqual(RUN_CONSOLE_MAX_BYTES);
    expect((full.length - remove + 2) * RUN_OUTPUT_MAX_BYTES).toBeGreaterThan(RUN_CONSOLE_MAX_BYTES);
  });
});
