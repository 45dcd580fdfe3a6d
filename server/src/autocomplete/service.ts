import type { AutocompleteBody, AutocompleteResult, Suggestion } from '@pairpad/shared';
import type { Logger } from '../log.js';
import { suggest } from './suggest.js';

/** Completion for the `POST /autocomplete` route: a configured model, else the local engine. */
export interface AutocompleteService {
  complete(body: AutocompleteBody, signal?: AbortSignal): Promise<AutocompleteResult>;
}

export interface AutocompleteServiceOptions {
  provider: 'local' | 'openai';
  /** Base URL of an OpenAI-compatible server, e.g. `http://127.0.0.1:11434` (Ollama) or `http://127.0.0.1:8080` (llama.cpp); see completionsUrl. */
  url?: string;
  model?: string;
  apiKey?: string;
  /** Hard limit for one model call; the local engine answers after it. */
  timeoutMs: number;
  logger: Logger;
}

/** Characters of context sent to a model, before and after the cursor. */
export const MODEL_PREFIX_CHARS = 4_000;
export const MODEL_SUFFIX_CHARS = 1_000;
const MODEL_MAX_TOKENS = 48;
/** Consecutive model failures after which the model is skipped for PAUSE_MS. */
export const FAILURES_BEFORE_PAUSE = 3;
export const PAUSE_MS = 30_000;

/**
 * Builds the completion service. With `provider: 'openai'` each call posts a fill-in-the-middle
 * request (`prompt` = text before the cursor, `suffix` = text after) to completionsUrl(url)
 * and answers with the model's text (`source: 'model'`); on timeout, error or an empty answer
 * it falls back to the local engine (`source: 'local'`). A caller's abort cancels the request.
 * After FAILURES_BEFORE_PAUSE failures in a row the model is not asked for PAUSE_MS.
 */
export function createAutocompleteService(options: AutocompleteServiceOptions): AutocompleteService {
  const { provider, timeoutMs, logger } = options;
  const endpoint = options.url ? completionsUrl(options.url) : undefined;

  const local = (body: AutocompleteBody): AutocompleteResult => suggest(body.code, body.cursorPosition, body.language);

  if (provider === 'local' || endpoint === undefined) {
    if (provider === 'openai') logger.warn('AUTOCOMPLETE_PROVIDER=openai without a URL: using the local engine');
    return { complete: async (body) => local(body) };
  }

  // After a few failures in a row the model is skipped for a while: when the model server is
  // down, every keystroke would otherwise wait for the full timeout before the local answer.
  let failures = 0;
  let skipUntil = 0;

  return {
    async complete(body, signal) {
      if (signal?.aborted || Date.now() < skipUntil) return local(body);
      const started = Date.now();
      try {
        const text = await askModel(endpoint, options, body, timeoutMs, signal);
        failures = 0;
        if (text !== '') {
          // The model gives one continuation; the local list still fills the menu below it.
          const rest = local(body).suggestions.filter((s) => s.insertText !== text);
          const suggestions: Suggestion[] = [{ label: labelFor(body, text), insertText: text, kind: 'line' }, ...rest];
          return { suggestion: text, suggestions, source: 'model' };
        }
        logger.debug({ ms: Date.now() - started }, 'autocomplete model gave an empty answer');
      } catch (err) {
        if (signal?.aborted) {
          logger.debug({ ms: Date.now() - started }, 'autocomplete request cancelled by the caller');
        } else {
          failures++;
          const reason = err instanceof Error && err.name === 'TimeoutError' ? 'timeout' : 'error';
          const message = err instanceof Error ? err.message : String(err);
          if (failures >= FAILURES_BEFORE_PAUSE) {
            skipUntil = Date.now() + PAUSE_MS;
            failures = 0;
            logger.warn({ reason, err: message, pauseMs: PAUSE_MS }, 'autocomplete model keeps failing; using the local engine for a while');
          } else {
            logger.warn({ reason, ms: Date.now() - started, err: message }, 'autocomplete model failed, using local engine');
          }
        }
      }
      return local(body);
    },
  };
}

/**
 * The completions endpoint for a configured URL: `http://host:11434` -> `http://host:11434/v1/completions`,
 * `http://host/v1` -> `http://host/v1/completions`; a URL ending in `/completions` is used as is.
 */
export function completionsUrl(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  if (trimmed.endsWith('/completions')) return trimmed;
  if (trimmed.endsWith('/v1')) return `${trimmed}/completions`;
  return `${trimmed}/v1/completions`;
}

async function askModel(
  endpoint: string,
  options: AutocompleteServiceOptions,
  body: AutocompleteBody,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<string> {
  const { code, cursorPosition } = body;
  const prompt = code.slice(Math.max(0, cursorPosition - MODEL_PREFIX_CHARS), cursorPosition);
  const suffix = code.slice(cursorPosition, cursorPosition + MODEL_SUFFIX_CHARS);
  const timeout = AbortSignal.timeout(timeoutMs);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  const response = await fetch(endpoint, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      model: options.model,
      prompt,
      suffix,
      max_tokens: MODEL_MAX_TOKENS,
      temperature: 0,
      // One logical line is what an inline suggestion can show; a blank line ends a block.
      stop: ['\n\n', '\r\n\r\n'],
      stream: false,
    }),
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
  });
  if (!response.ok) throw new Error(`model answered HTTP ${response.status}`);
  const json = (await response.json()) as { choices?: { text?: unknown }[] };
  const text = json.choices?.[0]?.text;
  return typeof text === 'string' ? cleanCompletion(text, suffix) : '';
}

/** Trims a model answer to what is worth inserting: no trailing whitespace, nothing already after the cursor. */
function cleanCompletion(text: string, suffix: string): string {
  let out = text.replace(/\s+$/, '');
  // Some servers echo the suffix's first line; inserting it would duplicate text.
  const nextLine = suffix.split('\n', 1)[0]?.trim() ?? '';
  if (nextLine !== '' && out.endsWith(nextLine)) out = out.slice(0, out.length - nextLine.length).replace(/\s+$/, '');
  return out;
}

function labelFor(body: AutocompleteBody, text: string): string {
  const before = body.code.slice(Math.max(0, body.cursorPosition - 64), body.cursorPosition);
  const typed = /[\p{L}\p{N}_$]*$/u.exec(before)?.[0] ?? '';
  return (typed + text).split('\n', 1)[0] ?? text;
}
