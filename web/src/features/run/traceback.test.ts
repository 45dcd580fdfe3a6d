import { describe, expect, it } from 'vitest';
import { cleanTraceback } from './traceback';

describe('Python tracebacks', () => {
  it('start at the program’s own frames (Pyodide’s are noise)', () => {
    const raw = [
      'Traceback (most recent call last):',
      '  File "/lib/python314.zip/_pyodide/_base.py", line 597, in eval_code_async',
      '    await CodeRunner(',
      '  File "main.py", line 2, in <module>',
      '    name = input("name? ")',
      'EOFError: EOF when reading a line',
      '',
    ].join('\n');
    expect(cleanTraceback(raw)).toBe(['Traceback (most recent call last):', '  File "main.py", line 2, in <module>', '    name = input("name? ")', 'EOFError: EOF when reading a line', ''].join('\n'));
  });

  it('a syntax error keeps its line and caret; a message without the program’s frame is kept whole', () => {
    const raw = ['Traceback (most recent call last):', '  File "/lib/x.py", line 1, in f', '  File "main.py", line 3', '    x = (', '        ^', "SyntaxError: '(' was never closed"].join('\n');
    expect(cleanTraceback(raw)).toMatch(/^Traceback \(most recent call last\):\n {2}File "main\.py", line 3\n/);
    expect(cleanTraceback('RuntimeError: odd')).toBe('RuntimeError: odd\n');
  });
});
