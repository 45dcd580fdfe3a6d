/**
 * Formatting with Ruff's WebAssembly build, apart from how the module is loaded (a worker in the
 * page, the package's files in Node for tests): the settings from the model's indentation, and a
 * syntax error turned into a message with its line.
 */
import { utf8Bytes } from '../../../../lib/utf8';

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

/** The UTF-16 offset in `text` of a UTF-8 byte offset (Ruff reports byte ranges). */
export function offsetOfByte(text: string, byteOffset: number): number {
  let bytes = 0;
  let i = 0;
  while (i < text.length && bytes < byteOffset) {
    const code = text.codePointAt(i)!;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    i += code > 0xffff ? 2 : 1;
  }
  return i;
}

/** 1-based line and UTF-16 column of a UTF-8 byte offset into `text`. */
export function positionOfByte(text: string, byteOffset: number): { lineNumber: number; column: number } {
  const lines = text.slice(0, offsetOfByte(text, byteOffset)).split(/\r\n|\r|\n/);
  return { lineNumber: lines.length, column: (lines.at(-1) ?? '').length + 1 };
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

/** Ruff's range formatter (`format_range` of `@wasm-fmt/ruff_fmt`), in UTF-8 byte offsets. */
export type RuffRangeFormatter = (
  text: string,
  range: { start: number; end: number },
  path: string,
  config: RuffConfig,
) => { code: string; source_range: { start: number; end: number } };

/**
 * `text` with the statements that the range (UTF-16 offsets) touches formatted, the rest as it
 * is: Ruff widens the range to whole statements and answers with their new text.
 */
export function formatRangeWith(formatRange: RuffRangeFormatter, text: string, range: { start: number; end: number }, options: FormatRequestOptions): FormatResult {
  try {
    const bytes = { start: utf8Bytes(text.slice(0, range.start)), end: utf8Bytes(text.slice(0, range.end)) };
    const printed = formatRange(text, bytes, 'main.py', ruffSettings(options));
    const from = offsetOfByte(text, printed.source_range.start);
    const to = offsetOfByte(text, printed.source_range.end);
    return { ok: true, text: text.slice(0, from) + printed.code + text.slice(to) };
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
