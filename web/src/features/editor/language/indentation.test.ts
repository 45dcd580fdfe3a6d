import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '@pairpad/shared';
import { indentationFor, indentationOptions } from './indentation';

describe('indentation per language', () => {
  it('follows the convention of each language', () => {
    expect(indentationFor('python')).toEqual({ tabSize: 4, insertSpaces: true });
    expect(indentationFor('go')).toEqual({ tabSize: 4, insertSpaces: false });
    for (const language of ['javascript', 'typescript', 'json', 'html', 'css'] as const) expect(indentationFor(language)).toEqual({ tabSize: 2, insertSpaces: true });
    for (const language of ['java', 'c', 'cpp', 'rust'] as const) expect(indentationFor(language)).toEqual({ tabSize: 4, insertSpaces: true });
  });

  it('has an entry for every language a room can have, with the indent as wide as a tab', () => {
    for (const language of LANGUAGES) {
      const options = indentationOptions(language);
      expect(options.tabSize).toBeGreaterThan(0);
      expect(options.indentSize).toBe(options.tabSize);
    }
  });
});
