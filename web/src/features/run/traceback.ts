/** The name Python programs run under (tracebacks say `File "main.py", line 3`). */
export const FILENAME = 'main.py';

/** A traceback from the program's first frame on (Pyodide's own frames above it are noise). */
export function cleanTraceback(message: string): string {
  const lines = message.replace(/\s+$/, '').split('\n');
  const first = lines.findIndex((l) => l.includes(`File "${FILENAME}"`));
  if (first < 0) return `${message.replace(/\s+$/, '')}\n`;
  const header = lines[0]?.startsWith('Traceback') ? ['Traceback (most recent call last):'] : [];
  return `${[...header, ...lines.slice(first)].join('\n')}\n`;
}

