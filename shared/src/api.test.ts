import { describe, expect, expectTypeOf, it } from 'vitest';
import { Compile } from 'typebox/compile';
import { AutocompleteBodySchema, CreateRoomBodySchema, type AutocompleteBody } from './api';
import { LANGUAGES } from './limits';

describe('REST schemas', () => {
  it('accept every contract language and nothing else', () => {
    const body = Compile(AutocompleteBodySchema);
    for (const language of LANGUAGES) expect(body.Check({ code: '', cursorPosition: 0, language })).toBe(true);
    expect(body.Check({ code: '', cursorPosition: 0, language: 'cobol' })).toBe(false);
    expectTypeOf<AutocompleteBody['language']>().toEqualTypeOf<(typeof LANGUAGES)[number]>();
  });

  it('bound room capacity to 2..20 whole numbers', () => {
    const create = Compile(CreateRoomBodySchema);
    expect(create.Check({ limit: 2 })).toBe(true);
    expect(create.Check({ limit: 20 })).toBe(true);
    for (const limit of [1, 21, 2.5, '5']) expect(create.Check({ limit })).toBe(false);
  });
});
