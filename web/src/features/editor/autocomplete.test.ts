import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AutocompleteResult } from '@pairpad/shared';
import { createAutocompleteScheduler, type AutocompleteBody, type ReadySuggestion } from './autocomplete';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('autocomplete scheduler', () => {
  let body: AutocompleteBody | null;
  let pending: ReturnType<typeof deferred<AutocompleteResult>>[];
  let fetch: ReturnType<typeof vi.fn>;
  let shown: ReadySuggestion[];
  let clears: number;

  const make = () =>
    createAutocompleteScheduler({
      delayMs: 600,
      read: () => body,
      fetch: fetch as never,
      onSuggestion: (s) => shown.push(s),
      onClear: () => clears++,
    });

  beforeEach(() => {
    vi.useFakeTimers();
    body = { code: 'cons', cursorPosition: 4, language: 'javascript' };
    pending = [];
    shown = [];
    clears = 0;
    fetch = vi.fn(() => {
      const d = deferred<AutocompleteResult>();
      pending.push(d);
      return d.promise;
    });
  });
  afterEach(() => vi.useRealTimers());

  it('asks only after 600 ms without typing', async () => {
    const s = make();
    s.typed();
    await vi.advanceTimersByTimeAsync(400);
    s.typed();
    await vi.advanceTimersByTimeAsync(400);
    expect(fetch).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(200);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch.mock.calls[0]?.[0]).toEqual({ code: 'cons', cursorPosition: 4, language: 'javascript' });
  });

  it('shows the answer with its source and the offset it was computed for', async () => {
    const s = make();
    s.typed();
    await vi.advanceTimersByTimeAsync(600);
    pending[0]?.resolve({ suggestion: 'ole.log()', suggestions: [], source: 'model' });
    await vi.advanceTimersByTimeAsync(0);
    expect(shown).toEqual([{ text: 'ole.log()', source: 'model', offset: 4, prefix: 'cons' }]);
    expect(s.current()?.text).toBe('ole.log()');
  });

  it('discards an answer that arrives after the user typed again', async () => {
    const s = make();
    s.typed();
    await vi.advanceTimersByTimeAsync(600);
    expect(fetch).toHaveBeenCalledTimes(1);
    const signal = fetch.mock.calls[0]?.[1] as AbortSignal;
    s.typed();
    expect(signal.aborted).toBe(true);
    pending[0]?.resolve({ suggestion: 'stale', suggestions: [] });
    await vi.advanceTimersByTimeAsync(0);
    expect(shown).toEqual([]);
    expect(s.current()).toBeNull();
  });

  it('typing clears a shown suggestion', async () => {
    const s = make();
    s.typed();
    await vi.advanceTimersByTimeAsync(600);
    pending[0]?.resolve({ suggestion: 'ole', suggestions: [] });
    await vi.advanceTimersByTimeAsync(0);
    const before = clears;
    s.typed();
    expect(s.current()).toBeNull();
    expect(clears).toBe(before + 1);
  });

  it('ignores empty suggestions and failures', async () => {
    const s = make();
    s.typed();
    await vi.advanceTimersByTimeAsync(600);
    pending[0]?.resolve({ suggestion: '', suggestions: [] });
    await vi.advanceTimersByTimeAsync(0);
    s.typed();
    await vi.advanceTimersByTimeAsync(600);
    pending[1]?.reject(new Error('boom'));
    await vi.advanceTimersByTimeAsync(0);
    expect(shown).toEqual([]);
  });

  it('sends nothing when there is nothing to ask (e.g. a selection)', async () => {
    body = null;
    const s = make();
    s.typed();
    await vi.advanceTimersByTimeAsync(5000);
    expect(fetch).not.toHaveBeenCalled();
  });

  it('cancel and dispose stop a pending request', async () => {
    const s = make();
    s.typed();
    s.cancel();
    await vi.advanceTimersByTimeAsync(1000);
    s.typed();
    s.dispose();
    await vi.advanceTimersByTimeAsync(1000);
    s.typed();
    await vi.advanceTimersByTimeAsync(1000);
    expect(fetch).not.toHaveBeenCalled();
  });
  describe("the editor's own guess where the server has none", () => {
    let guesses: ReturnType<typeof deferred<string | null>>[];
    const withFallback = () =>
      createAutocompleteScheduler({
        delayMs: 600,
        read: () => body,
        fetch: fetch as never,
        fallback: () => {
          const d = deferred<string | null>();
          guesses.push(d);
          return d.promise;
        },
        onSuggestion: (s) => shown.push(s),
        onClear: () => clears++,
      });
    beforeEach(() => {
      guesses = [];
    });

    it('is asked only when the server offers nothing, and shown as the language service', async () => {
      const s = withFallback();
      s.typed();
      await vi.advanceTimersByTimeAsync(600);
      pending[0]?.resolve({ suggestion: 'ole', suggestions: [] });
      await vi.advanceTimersByTimeAsync(0);
      expect(guesses).toHaveLength(0);
      s.typed();
      await vi.advanceTimersByTimeAsync(600);
      pending[1]?.resolve({ suggestion: '', suggestions: [] });
      await vi.advanceTimersByTimeAsync(0);
      expect(guesses).toHaveLength(1);
      guesses[0]?.resolve('tructor');
      await vi.advanceTimersByTimeAsync(0);
      expect(shown.at(-1)).toEqual({ text: 'tructor', source: 'language-service', offset: 4, prefix: 'cons' });
    });

    it('drops a guess that arrives after the user typed again, and shows nothing for none', async () => {
      const s = withFallback();
      s.typed();
      await vi.advanceTimersByTimeAsync(600);
      pending[0]?.resolve({ suggestion: '', suggestions: [] });
      await vi.advanceTimersByTimeAsync(0);
      const before = clears;
      s.typed();
      expect(clears).toBe(before + 1); // the pending guess counted as something in flight
      guesses[0]?.resolve('stale');
      await vi.advanceTimersByTimeAsync(600);
      pending[1]?.resolve({ suggestion: '', suggestions: [] });
      await vi.advanceTimersByTimeAsync(0);
      guesses[1]?.resolve(null);
      await vi.advanceTimersByTimeAsync(0);
      expect(shown).toEqual([]);
      expect(s.current()).toBeNull();
    });
  });
});
