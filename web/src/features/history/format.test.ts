import { describe, expect, it } from 'vitest';
import { formatClock, kindLabel, restoreMessage, sizeSummary } from './format';

describe('history labels', () => {
  it('names each kind of version', () => {
    expect(kindLabel({ kind: 'named', name: 'works with fixtures' })).toBe('Saved: works with fixtures');
    expect(kindLabel({ kind: 'named', name: null })).toBe('Saved');
    expect(kindLabel({ kind: 'auto', name: null })).toBe('Auto');
    expect(kindLabel({ kind: 'before_restore', name: null })).toBe('Before restore');
    expect(kindLabel({ kind: 'before_overwrite', name: null })).toBe('Before overwrite');
  });

  it('sums up the change size in one line', () => {
    expect(sizeSummary({ inserted: 120, deleted: 30 })).toBe('+120 −30 chars');
    expect(sizeSummary({ inserted: 0, deleted: 0 })).toBe('no change');
  });

  it('says who restored which version', () => {
    const at = '2026-01-01T14:02:00Z';
    const notice = { kind: 'restored' as const, by: 'Alice', version: 3, versionAt: at, versionName: null, backup: 5, at };
    expect(restoreMessage(notice)).toBe(`Alice restored the ${formatClock(at)} version`);
    expect(restoreMessage({ ...notice, versionName: 'green' })).toBe(`Alice restored the ${formatClock(at)} version “green”`);
    expect(formatClock(at)).toMatch(/^\d\d:\d\d$/);
  });
});
