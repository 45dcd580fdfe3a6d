import { describe, expect, it } from 'vitest';
import { EnvError, loadEnv } from './env';

describe('loadEnv', () => {
  it('defaults to the page origin and a 600 ms autocomplete delay', () => {
    expect(loadEnv({})).toEqual({ apiOrigin: '', autocompleteDelayMs: 600 });
    expect(loadEnv({ VITE_API_ORIGIN: '  ', VITE_AUTOCOMPLETE_DELAY_MS: '' })).toEqual({ apiOrigin: '', autocompleteDelayMs: 600 });
  });

  it('reads valid settings and drops a trailing slash from the origin', () => {
    expect(loadEnv({ VITE_API_ORIGIN: 'https://api.example.com:8443/', VITE_AUTOCOMPLETE_DELAY_MS: '250' })).toEqual({
      apiOrigin: 'https://api.example.com:8443',
      autocompleteDelayMs: 250,
    });
  });

  it('lists every bad variable in one readable error', () => {
    let caught: unknown;
    try {
      loadEnv({ VITE_API_ORIGIN: 'ftp://example.com/path', VITE_AUTOCOMPLETE_DELAY_MS: 'soon' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EnvError);
    const error = caught as EnvError;
    expect(error.problems).toHaveLength(2);
    expect(error.message).toContain('VITE_API_ORIGIN must be an origin');
    expect(error.message).toContain('"ftp://example.com/path"');
    expect(error.message).toContain('VITE_AUTOCOMPLETE_DELAY_MS must be a whole number');
    expect(error.message).toContain('"soon"');
  });

  it('refuses an origin with a path and a delay out of range', () => {
    expect(() => loadEnv({ VITE_API_ORIGIN: 'http://localhost:3000/api' })).toThrow(/VITE_API_ORIGIN/);
    expect(() => loadEnv({ VITE_API_ORIGIN: 'not a url' })).toThrow(/VITE_API_ORIGIN/);
    expect(() => loadEnv({ VITE_AUTOCOMPLETE_DELAY_MS: '0' })).toThrow(/VITE_AUTOCOMPLETE_DELAY_MS/);
    expect(() => loadEnv({ VITE_AUTOCOMPLETE_DELAY_MS: '-5' })).toThrow(/VITE_AUTOCOMPLETE_DELAY_MS/);
    expect(() => loadEnv({ VITE_AUTOCOMPLETE_DELAY_MS: '600000' })).toThrow(/VITE_AUTOCOMPLETE_DELAY_MS/);
  });
});
