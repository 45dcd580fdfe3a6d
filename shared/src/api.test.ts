import { describe, expect, expectTypeOf, it } from 'vitest';
import { Compile } from 'typebox/compile';
import { AutocompleteBodySchema, CreateRoomBodySchema, PatchRoomBodySchema, type AutocompleteBody } from './api';
import { LANGUAGES, checkDisplayName, checkRoomName } from './limits';

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

  it('[ATK-nul] refuse room names with control, invisible or text-direction characters, as display names do', () => {
    const create = Compile(CreateRoomBodySchema);
    const patch = Compile(PatchRoomBodySchema);
    const bad = ['a\u0000b', '\u0000', 'tab\there', 'line\nbreak', 'del\u007f', 'c1\u0085', 'zero\u200bwidth', 'rtl\u202eevil', '\ufeffbom', '   '];
    for (const name of bad) {
      expect(create.Check({ name }), JSON.stringify(name)).toBe(false);
      expect(patch.Check({ name }), JSON.stringify(name)).toBe(false);
      expect(checkRoomName(name).ok, JSON.stringify(name)).toBe(false);
      // The same characters a display name refuses.
      if (name.trim()) expect(checkDisplayName(`abc${name}`).ok, JSON.stringify(name)).toBe(false);
    }
    for (const name of ['Pair', ' Zoë 🐍 李 ', 'family 👨\u200d👩\u200d👧', 'x']) {
      expect(create.Check({ name }), name).toBe(true);
      expect(patch.Check({ name }), name).toBe(true);
      expect(checkRoomName(name)).toEqual({ ok: true, name: name.trim() });
    }
  });
});
