import { afterEach, describe, expect, it, vi } from 'vitest';
import { memberGuess, memberPrefixAt, provideMemberNames, rankByEngine, rankCompletionsWith, startEngineRanking, uniqueMemberGuess } from './completion-ranking';

/** Monaco's order among items that match the typed text equally well: sortText, then label. */
function listed(items: { label: string; sortText?: string }[]): string[] {
  return [...items].sort((a, b) => ((a.sortText ?? a.label) < (b.sortText ?? b.label) ? -1 : (a.sortText ?? a.label) > (b.sortText ?? b.label) ? 1 : a.label < b.label ? -1 : 1)).map((i) => i.label);
}

const arrayMembers = ['at', 'concat', 'filter', 'indexOf', 'map', 'pop', 'push', 'slice'].map((label) => ({ label, sortText: '11' }));

describe('rankByEngine', () => {
  it("puts the engine's words first, in the engine's order, and keeps the service's order for the rest", () => {
    const ranked = rankByEngine(arrayMembers, ['push', 'nonMember', 'map']);
    expect(listed(ranked)).toEqual(['push', 'map', 'at', 'concat', 'filter', 'indexOf', 'pop', 'slice']);
  });

  it("keeps the service's own groups (locals before globals) behind the engine's words", () => {
    const items = [
      { label: 'window', sortText: '15' },
      { label: 'total', sortText: '11' },
      { label: 'count', sortText: '11' },
    ];
    expect(listed(rankByEngine(items, ['window']))).toEqual(['window', 'count', 'total']);
  });

  it('first occurrence wins and labels may be objects', () => {
    const items: { label: { label: string }; sortText?: string }[] = [{ label: { label: 'b' } }, { label: { label: 'a' } }];
    const ranked = rankByEngine(items, ['b', 'a', 'b']);
    expect(ranked.map((i) => i.sortText)).toEqual(['00', '01']);
  });

  it('leaves the list as it is without the engine', () => {
    expect(listed(rankByEngine(arrayMembers, []))).toEqual(listed(arrayMembers));
  });
});

describe('memberPrefixAt', () => {
  it('reads the member being typed after . and ?.', () => {
    expect(memberPrefixAt('list.pu', 7)).toBe('pu');
    expect(memberPrefixAt('a?.bc', 5)).toBe('bc');
  });

  it('is null right after the dot, outside a member, and for numbers', () => {
    expect(memberPrefixAt('list.', 5)).toBeNull();
    expect(memberPrefixAt('const pu', 8)).toBeNull();
    expect(memberPrefixAt('1.5', 3)).toBeNull();
  });
});

describe('uniqueMemberGuess', () => {
  const members = ['createTreeWalker', 'createElement', 'createElementNS'];

  it('offers the rest of the only member with the prefix', () => {
    expect(uniqueMemberGuess(members, 'createT')).toBe('reeWalker');
  });

  it('is silent when several members fit or the rest is one character', () => {
    expect(uniqueMemberGuess(members, 'createE')).toBeNull();
    expect(uniqueMemberGuess(['ab'], 'a')).toBeNull();
  });
});

describe('memberGuess', () => {
  const model = (language: string) => ({ getLanguageId: () => language });

  it("asks the model's language's service, only for a member being typed", async () => {
    const asked: number[] = [];
    const binding = provideMemberNames('python', async (_model, offset) => {
      asked.push(offset);
      return ['append', 'extend'];
    });
    expect(await memberGuess(model('python'), 'xs.ap', 5)).toBe('pend');
    expect(await memberGuess(model('python'), 'app', 3)).toBeNull();
    expect(await memberGuess(model('go'), 'xs.ap', 5)).toBeNull();
    expect(asked).toEqual([5]);
    binding.dispose();
    expect(await memberGuess(model('python'), 'xs.ap', 5)).toBeNull();
  });

  it('is silent when the service does not know the receiver', async () => {
    const binding = provideMemberNames('python', async () => null);
    expect(await memberGuess(model('python'), 'xs.ap', 5)).toBeNull();
    binding.dispose();
  });
});

describe('startEngineRanking', () => {
  afterEach(() => vi.useRealTimers());

  it("asks the model's engine at the list's offset and ranks with its answer", async () => {
    const model = {};
    const asked: number[] = [];
    const binding = rankCompletionsWith(model, async (offset) => {
      asked.push(offset);
      return ['push'];
    });
    const ranking = startEngineRanking(model, 42);
    expect(asked).toEqual([42]);
    expect(listed(await ranking.rank(arrayMembers))[0]).toBe('push');
    ranking.dispose();
    binding.dispose();
    expect(listed(await startEngineRanking(model, 1).rank(arrayMembers))[0]).toBe('at');
  });

  it("shows the service's order when the engine is slow or fails, and cancels it when the list is done", async () => {
    vi.useFakeTimers();
    const model = {};
    let signal: AbortSignal | undefined;
    rankCompletionsWith(model, (_offset, s) => {
      signal = s;
      return new Promise(() => {});
    });
    const ranking = startEngineRanking(model, 0);
    const ranked = ranking.rank(arrayMembers);
    await vi.advanceTimersByTimeAsync(150);
    expect(listed(await ranked)[0]).toBe('at');
    ranking.dispose();
    expect(signal?.aborted).toBe(true);

    const failing = {};
    rankCompletionsWith(failing, () => Promise.reject(new Error('offline')));
    expect(listed(await startEngineRanking(failing, 0).rank(arrayMembers))[0]).toBe('at');
  });
});
