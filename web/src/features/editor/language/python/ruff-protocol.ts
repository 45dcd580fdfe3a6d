import type { FormatRequestOptions, FormatResult } from './ruff-format';

/** Messages between the page (format.ts) and Ruff's worker (ruff-worker.ts). */
export interface FormatRequest {
  id: number;
  text: string;
  options: FormatRequestOptions;
  /** Format Selection: the selection's UTF-16 offsets (absent: the whole document). */
  range?: { start: number; end: number };
}

export interface FormatResponse {
  id: number;
  result: FormatResult;
}
