/**
 * Formatting with Ruff's WebAssembly build, apart from how the module is loaded (a worker in the
 * page, the package's files in Node for tests): the settings from the model's indentation, and a
 * syntax error turned into a message with its line.
 */

/** What the editor asks for: the model's indentation. Everything else is Ruff's default. */
export interface FormatRequestOptions {
  tabSize: number;
  insertSpaces: boolean;
}

export type FormatResult =
  | { ok: true; text: string }
  | { ok: false; reason: 'syntax'; message: string; lineNumber: number | null; column: number | null }
  | { ok: false; reason: 'unavailable'; message: string };

/** Ruff's formatter (`format` of `@wasm-fmt/ruff_fmt`): the text, a file name, the options. */
export type RuffFormatter = (text: string, path: string, config: RuffConfig) => string;

/** The options of `@wasm-fmt/ruff_fmt` set here. */
export interface RuffConfig {
  indent_style: 'space' | 'tab';
  indent_width: number;
}

/**
 * Ruff's options for the model's indentation: indent width and style; line length (88), quotes
 * (double) and the rest stay Ruff's defaults.
 */
export function ruffSettings(options: FormatRequestOptions): RuffConfig {
  const width = Number.isInteger(options.tabSize) && options.tabSize >= 1 && options.tabSize <= 16 ? options.tabSize : 4;
  return { indent_style: options.insertSpaces ? 'space' : 'tab', indent_width: width };
}

/** 1-based line and UTF-16 column of a UTF-8 byte offset into `text` (Ruff reports byte ranges). */
export function positionOfByte(text: string, byteOffset: number): { lineNumber: number; column: number } {
  let bytes = 0;
  let lineNumber = 1;
  let lineStart = 0;
  let i = 0;
  while (i < text.length && bytes < byteOffset) {
    const code = text.codePointAt(i)!;
    const units = code > 0xffff ? 2 : 1;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    i += units;
    if (code === 0x0a || (code === 0x0d && text[i] !== '\n')) {
      lineNumber++;
      lineStart = i;
    }
  }
  return { lineNumber, column: i - lineStart + 1 };
}

/** Ruff's parse error ("Expected ..., at byte range 6..7") as a message and a position. */
export function syntaxError(text: string, error: unknown): Extract<FormatResult, { reason: 'syntax' }> {
  const raw = (error instanceof Error ? error.message : String(error)).replace(/^Error:\s*/, '');
  const range = /\s*at byte range (\d+)\.\.(\d+)\s*$/.exec(raw);
  const message = (range ? raw.slice(0, range.index) : raw).trim() || 'syntax error';
  if (!range) return { ok: false, reason: 'syntax', message, lineNumber: null, column: null };
  const { lineNumber, column } = positionOfByte(text, Number(range[1]));
  return { ok: false, reason: 'syntax', message, lineNumber, column };
}

/** Formats `text`; a file Ruff cannot parse is a `syntax` result, never an exception. */
export function formatWith(format: RuffFormatter, text: string, options: FormatRequestOptions): FormatResult {
  try {
    return { ok: true, text: format(text, 'main.py', ruffSettings(options)) };
  } catch (error) {
    return syntaxError(text, error);
  }
}

/** The line shown in the editor when a format did not happen. */
export function failureMessage(result: Exclude<FormatResult, { ok: true }>): string {
  if (result.reason === 'unavailable') return `Format Document: Ruff could not be loaded (${result.message}). Try again.`;
  const where = result.lineNumber === null ? '' : ` on line ${result.lineNumber}`;
  return `Format Document: syntax error${where}: ${result.message}. The text was not changed.`;
}
