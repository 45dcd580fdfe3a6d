import type { Language } from '@pairpad/shared';

export interface Indentation {
  /** Columns per indentation level (and per tab character). */
  tabSize: number;
  /** Spaces (true) or tab characters (false). */
  insertSpaces: boolean;
}

/**
 * Each language's own convention: PEP 8's 4 spaces for Python, gofmt's tabs for Go, 4 spaces
 * for Java, C, C++ (most house styles) and Rust (rustfmt), 2 for the web languages (Prettier's
 * default), JSON, Markdown and SQL.
 */
const INDENTATION: Record<Language, Indentation> = {
  plaintext: { tabSize: 4, insertSpaces: true },
  javascript: { tabSize: 2, insertSpaces: true },
  typescript: { tabSize: 2, insertSpaces: true },
  python: { tabSize: 4, insertSpaces: true },
  java: { tabSize: 4, insertSpaces: true },
  go: { tabSize: 4, insertSpaces: false },
  c: { tabSize: 4, insertSpaces: true },
  cpp: { tabSize: 4, insertSpaces: true },
  rust: { tabSize: 4, insertSpaces: true },
  sql: { tabSize: 2, insertSpaces: true },
  json: { tabSize: 2, insertSpaces: true },
  markdown: { tabSize: 2, insertSpaces: true },
  html: { tabSize: 2, insertSpaces: true },
  css: { tabSize: 2, insertSpaces: true },
};

export function indentationFor(language: Language): Indentation {
  return INDENTATION[language];
}

/** Monaco's model options for the language: Tab, Enter's auto-indent and Format Document follow them. */
export function indentationOptions(language: Language): { tabSize: number; indentSize: number; insertSpaces: boolean } {
  const { tabSize, insertSpaces } = indentationFor(language);
  return { tabSize, indentSize: tabSize, insertSpaces };
}
