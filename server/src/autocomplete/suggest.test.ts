import { LANGUAGES, type Language } from '@pairpad/shared';
import { describe, expect, it } from 'vitest';
import { CHOICE_WEIGHTS, CHOICE_WEIGHTS_BY_LANGUAGE } from './calibration.js';
import { suggest, suggestDetailed } from './suggest.js';

/** Runs suggest with the cursor at the `|` marker. */
function at(source: string, language: Language) {
  const cursor = source.indexOf('|');
  if (cursor === -1) throw new Error('no cursor marker');
  return suggest(source.slice(0, cursor) + source.slice(cursor + 1), cursor, language);
}

const pyTest = `import os
import unittest


class ParserTest(unittest.TestCase):
    def test_parse(self):
        result = parse_line("a")
        self.assertEqual(result, 1)
        self.assertEqual(parse_line("b"), 2)

    def test_empty(self):
        self.assertEqual(parse_line(""), 0)
`;

describe('suggest: ranking', () => {
  it('completes an identifier from the document', () => {
    const r = at(`${pyTest}\n    def test_other(self):\n        other = parse_line("c")\n        more = parse_line("d")\n        value = pars|`, 'python');
    expect(r.suggestion).toBe('e_line(');
    expect(r.suggestions[0]).toMatchObject({ label: 'parse_line(', insertText: 'e_line(', kind: 'line' });
    expect(r.suggestions.some((s) => s.label === 'parse_line' && s.kind === 'identifier')).toBe(true);
    expect(r.source).toBe('local');
  });

  it('prefers members seen after the same receiver', () => {
    const code = `const user = load();\nuser.name = 'x';\nuser.nickname = 'y';\nconst n = user.name;\nconsole.log(user.name);\nsend(user.name);\nsave(user.name);\nconst other = { nap: 1, north: 2 };\nother.north = 3;\nother.north = 4;\nother.north = 5;\nuser.n|`;
    const r = at(code, 'javascript');
    expect(r.suggestions[0]).toMatchObject({ label: 'name', insertText: 'ame', kind: 'member' });
    const labels = r.suggestions.map((s) => s.label);
    expect(labels.indexOf('nickname')).toBeLessThan(labels.indexOf('north'));
  });

  it('prefers the closer of two equally frequent words', () => {
    const filler = Array.from({ length: 200 }, (_, i) => `x${i} = ${i}`).join('\n');
    const code = `alphaFar = 1\nalphaFar = 2\n${filler}\nalphaNear = 1\nalphaNear = 2\nprint(alp|)`;
    const r = at(code, 'python');
    expect(r.suggestions[0]?.label).toBe('alphaNear');
  });

  it('prefers module names after import', () => {
    const r = at(`import os\nimport sys\nos_version = 1\nos_name = 2\nimport o|`, 'python');
    expect(r.suggestions[0]).toMatchObject({ label: 'os', kind: 'module' });
  });

  it('completes module names inside an import string', () => {
    const r = at(`import a from './shared/alpha.js';\nimport b from './shared/beta.js';\nimport c from './shared/a|`, 'typescript');
    expect(r.suggestions[0]).toMatchObject({ label: './shared/alpha.js', insertText: 'lpha.js', kind: 'module' });
  });

  it('offers nothing right after def, function or class: a new name is coming', () => {
    expect(at(`def parse(): pass\ndef par|`, 'python').suggestions).toEqual([]);
    expect(at(`function parse() {}\nfunction par|`, 'javascript').suggestions).toEqual([]);
    expect(at(`class Parser {}\nclass Par|`, 'typescript').suggestions).toEqual([]);
  });

  it('offers the rest of a frequent sequence (multi-token)', () => {
    const code = `async function a() {\n  const { data } = await get('/a');\n  const { data } = await get('/b');\n  const { data } = await get('/c');\n  const { data } = await get('/d');\n  cons|`;
    const r = at(code, 'javascript');
    expect(r.suggestion).toBe('t { data } = await get(');
    expect(r.suggestions[0]?.kind).toBe('line');
  });

  it('offers block-opener snippets with the indentation of the current line', () => {
    const r = at(`def f(xs):\n    fo|`, 'python');
    const snippet = r.suggestions.find((s) => s.kind === 'snippet');
    expect(snippet?.insertText).toBe('r item in items:\n        pass');
  });

  it('offers the shared stem when no single word is likely enough', () => {
    const uses = ['WritableDraft', 'WritableNonArrayDraft'].flatMap((w) => Array.from({ length: 4 }, (_, i) => `type T${w}${i} = ${w};`));
    const r = at(`${uses.join('\n')}\ntype Y = number;\ntype X = W|`, 'typescript');
    expect(r.suggestion).toBe('ritable');
    expect(r.suggestions.map((s) => s.label).slice(0, 2).sort()).toEqual(['WritableDraft', 'WritableNonArrayDraft']);
  });

  it('ranks by what the language usually writes after these tokens (n-gram table)', () => {
    // The document never raised anything: `True` is the more common word, but after `raise`
    // the language's n-gram table expects an exception.
    const r = at(`def f(x):\n    raise T|`, 'python');
    // The continuation (`TypeError(`) comes first in the list; the words follow, best first.
    expect(r.suggestions.find((s) => s.kind !== 'line')?.label).toBe('TypeError');
    expect(r.suggestion).toBe('ypeError(');
  });

  it('continues an idiom the document has shown only once, from the n-gram table', () => {
    // One earlier `isinstance(` is not enough evidence alone; the table knows `(` follows.
    const r = at(`def f(x):\n    if isinstance(x, int):\n        return 1\n    if isinst|`, 'python');
    expect(r.suggestion).toBe('ance(');
    expect(at(`def check(value):\n    if value < 0:\n        raise Val|`, 'python').suggestion).toBe('ueError(');
  });

  it('counts words far outside the lexed window', () => {
    const far = 'configureLoggingHandlers()\n'.repeat(5);
    const filler = 'x = 1\n'.repeat(20_000);
    const r = at(`${far}${filler}configureL|`, 'python');
    expect(r.suggestions[0]?.label).toBe('configureLoggingHandlers');
  });

  it('follows the typed case for SQL keywords', () => {
    expect(at(`sel|`, 'sql').suggestions[0]).toMatchObject({ label: 'select', insertText: 'ect', kind: 'keyword' });
    expect(at(`SEL|`, 'sql').suggestion).toBe('ECT');
  });
});

describe('suggest: silence', () => {
  it('is silent inside strings and comments', () => {
    expect(at(`value = 1\nprint("val|")`, 'python')).toEqual({ suggestion: '', suggestions: [], source: 'local' });
    expect(at(`value = 1\n# val|`, 'python').suggestion).toBe('');
    expect(at(`const value = 1;\n// val|`, 'javascript').suggestion).toBe('');
    expect(at(`const value = 1;\n/* val| */`, 'javascript').suggestion).toBe('');
    expect(at('const value = 1;\nconst s = `val|`;', 'javascript').suggestion).toBe('');
    expect(at(`value = 1\ns = """\nval|`, 'python').suggestion).toBe('');
  });

  it('speaks again after a closed string or comment', () => {
    expect(at(`value = 1\nvalue = 2\nprint("x", val|`, 'python').suggestion).toBe('ue');
    expect(at(`const value = 1;\n/* c */ val|`, 'javascript').suggestion).toBe('ue');
  });

  it('is silent right after a number', () => {
    expect(at(`x1 = 10\ny = 10|`, 'python').suggestions).toEqual([]);
    expect(at(`.a { margin: 10p| }`, 'css').suggestions).toEqual([]);
  });

  it('is silent when no candidate is confident', () => {
    const r = at(`apple = 1\napricot = 2\navocado = 3\nazure = 4\nx = a|`, 'python');
    expect(r.suggestion).toBe('');
    expect(r.suggestions.length).toBeGreaterThan(0);
  });

  it('never suggests the word being typed itself', () => {
    // The only "parse" in the document is the one being typed.
    const r = at(`x = 1\nparse|`, 'python');
    expect(r.suggestions.map((s) => s.label)).not.toContain('parse');
    const r2 = at(`tokenize = 1\ntoken|`, 'python');
    expect(r2.suggestions.map((s) => s.label)).not.toContain('token');
    expect(r2.suggestion).toBe('ize');
  });

  it('stays silent when the typed text is most likely a finished word', () => {
    const lines = Array.from({ length: 12 }, (_, i) => `    if x${i} in items${i}:`).join('\n');
    const r = at(`index_of_thing = 1\n${lines}\n    if y in|`, 'python');
    expect(r.suggestion).toBe('');
  });

  it('is silent in the middle of a word', () => {
    expect(at(`parse_line = 1\npar|se`, 'python').suggestions).toEqual([]);
  });
});

describe('suggest: languages', () => {
  const typed: Record<Language, [string, string]> = {
    plaintext: ['the quick brown fox\nqui|', 'quick'],
    javascript: ['retu|', 'return'],
    typescript: ['interf|', 'interface'],
    python: ['lamb|', 'lambda'],
    java: ['synchron|', 'synchronized'],
    go: ['fallth|', 'fallthrough'],
    c: ['typed|', 'typedef'],
    cpp: ['namesp|', 'namespace'],
    rust: ['impl T {}\nstatic X: i32 = 1;\nunsa|', 'unsafe'],
    sql: ['SELECT * FROM t WHE|', 'WHERE'],
    json: ['{"name": 1, "nested": {"na|', 'name'],
    markdown: ['# Install\n\nRun the installer.\n\nThe insta|', 'installer'],
    html: ['<butt|', 'button'],
    css: ['.a { backgr|', 'background'],
  };
  for (const language of LANGUAGES) {
    it(`${language}: completes its keywords or document words`, () => {
      const [source, label] = typed[language];
      const r = at(source, language);
      expect(r.suggestions.map((s) => s.label)).toContain(label);
    });
  }
});

describe('suggest: offsets', () => {
  it('counts UTF-16 units: an emoji before the cursor', () => {
    const code = `greeting = "👋🏽"\ngreeting = 2\nprint("😀", gree`;
    const r = suggest(code, code.length, 'python');
    expect(r.suggestion).toBe('ting');
  });

  it('handles the cursor at 0 and at the end', () => {
    expect(suggest('value = 1', 0, 'python')).toEqual({ suggestion: '', suggestions: [], source: 'local' });
    expect(suggest('', 0, 'python').suggestion).toBe('');
    expect(suggest('value = 1\nvalue = 2\nva', 24, 'python').suggestion).toBe('lue');
  });

  it('clamps an out-of-range cursor instead of throwing', () => {
    expect(() => suggest('abc', 99, 'python')).not.toThrow();
  });
});

describe('suggest: fitted choice model', () => {
  // Hidden units read their bias and output weight after the inputs, so weights fitted before a
  // feature was added would silently read the wrong numbers: a refit must follow (npm run gen:autocomplete).
  it('has weights for exactly the features the engine computes', () => {
    const d = suggestDetailed('value = 1\nvalue = 2\nva', 22, 'python');
    const candidateInputs = d.choice?.rows[0]?.length ?? 0;
    const queryInputs = d.choice?.query.length ?? 0;
    expect(candidateInputs).toBeGreaterThan(0);
    for (const weights of [CHOICE_WEIGHTS, ...Object.values(CHOICE_WEIGHTS_BY_LANGUAGE)]) {
      expect(weights.candidate).toHaveLength(candidateInputs);
      expect(weights.none).toHaveLength(queryInputs);
      expect(weights.candidateHidden.length).toBeGreaterThan(0);
      for (const unit of weights.candidateHidden) expect(unit).toHaveLength(candidateInputs + queryInputs + 2);
      for (const unit of weights.noneHidden) expect(unit).toHaveLength(queryInputs + 2);
    }
  });
});
