import type { AutocompleteResult, Language } from '@pairpad/shared';

export interface AutocompleteBody {
  code: string;
  cursorPosition: number;
  language: Language;
}

/** Who wrote a ghost text: pairpad's engine, a configured model, or the editor's language service. */
export type SuggestionSource = 'local' | 'model' | 'language-service';

export interface ReadySuggestion {
  text: string;
  source: SuggestionSource;
  /** Cursor offset (UTF-16) the suggestion was computed for. */
  offset: number;
  /** Text before the cursor at request time; the suggestion is only valid while it is unchanged. */
  prefix: string;
}

export interface AutocompleteSchedulerOptions {
  delayMs: number;
  /** What to ask for right now, or null when nothing should be asked (selection, read-only, ...). */
  read(): AutocompleteBody | null;
  fetch(body: AutocompleteBody, signal: AbortSignal): Promise<AutocompleteResult>;
  /** Asked only when the server offers nothing: a guess of the editor's own (or null). */
  fallback?(body: AutocompleteBody): Promise<string | null>;
  onRequest?(offset: number): void;
  onSuggestion(suggestion: ReadySuggestion): void;
  /** The current suggestion (if any) is gone: typing, Esc, a stale answer. */
  onClear(): void;
}

export interface AutocompleteScheduler {
  /** The user typed: drop any suggestion and start the idle timer again. */
  typed(): void;
  /** Drop everything (Esc, cursor moved away, suggestion accepted). */
  cancel(): void;
  /** The current suggestion, if one is showing. */
  current(): ReadySuggestion | null;
  dispose(): void;
}

/**
 * Debounce + discard for ghost-text suggestions. Every keystroke bumps a generation; an
 * answer is used only if no keystroke came after its request, so a slow reply never
 * lands on text it was not computed for. No request goes out while the user is typing.
 */
export function createAutocompleteScheduler(options: AutocompleteSchedulerOptions): AutocompleteScheduler {
  let generation = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let inFlight: AbortController | null = null;
  let shown: ReadySuggestion | null = null;
  let disposed = false;

  const stop = (): void => {
    generation++;
    const hadSomething = shown !== null || inFlight !== null;
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    if (inFlight) {
      inFlight.abort();
      inFlight = null;
    }
    shown = null;
    if (hadSomething) options.onClear();
  };

  const fire = async (): Promise<void> => {
    timer = null;
    const body = options.read();
    if (!body || disposed) return;
    const mine = generation;
    const controller = new AbortController();
    inFlight = controller;
    options.onRequest?.(body.cursorPosition);
    let result: AutocompleteResult;
    try {
      result = await options.fetch(body, controller.signal);
    } catch {
      if (inFlight === controller) inFlight = null;
      if (mine === generation && !disposed) options.onClear();
      return;
    }
    if (inFlight === controller) inFlight = null;
    if (mine !== generation || disposed) return; // the user typed meanwhile: stale
    let text = typeof result.suggestion === 'string' ? result.suggestion : '';
    let source: SuggestionSource = result.source === 'model' ? 'model' : 'local';
    if (text.length === 0 && options.fallback) {
      inFlight = controller;
      const guess = await options.fallback(body).catch(() => null);
      if (inFlight === controller) inFlight = null;
      if (mine !== generation || disposed) return;
      text = guess ?? '';
      source = 'language-service';
    }
    if (text.length === 0) {
      options.onClear();
      return;
    }
    shown = {
      text,
      source,
      offset: body.cursorPosition,
      prefix: body.code.slice(0, body.cursorPosition),
    };
    options.onSuggestion(shown);
  };

  return {
    typed() {
      if (disposed) return;
      stop();
      timer = setTimeout(() => void fire(), options.delayMs);
    },
    cancel() {
      stop();
    },
    current() {
      return shown;
    },
    dispose() {
      stop();
      disposed = true;
    },
  };
}
