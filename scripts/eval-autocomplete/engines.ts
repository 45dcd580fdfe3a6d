import type { Language } from '@pairpad/shared';
import type { AutocompleteService } from '../../server/src/autocomplete/service.js';
import { suggest } from '../../server/src/autocomplete/suggest.js';
import { DEFAULT_TUNING, type SuggestTuning } from '../../server/src/autocomplete/tuning.js';
import type { CorpusFile } from './corpus.js';
import type { Engine, FilePredictor, Prediction } from './simulate.js';

const WORD = /[A-Za-z_$][A-Za-z0-9_$]*/g;

/** pairpad's local engine, optionally with other tuning (the harness tunes on the dev split). */
export function localEngine(tuning: SuggestTuning = DEFAULT_TUNING): Engine {
  return {
    name: 'pairpad',
    forFile(file: CorpusFile): FilePredictor {
      const language = file.language as Language;
      return {
        predict(doc, cursor): Prediction {
          const r = suggest(doc, cursor, language, tuning);
          return { suggestion: r.suggestion, top: topWord(r.suggestions[0]?.label) };
        },
      };
    },
  };
}

/** The whole word of a suggestion list's first label, for top-1 accuracy. */
function topWord(label: string | undefined): string | undefined {
  return label === undefined ? undefined : (/^[A-Za-z_$][\w$]*/.exec(label)?.[0] ?? label);
}

/**
 * The configured model path: every query goes through the server's own autocomplete service
 * (service.ts builds the prompt, asks the model, falls back to the local engine), so what is
 * measured is what `POST /autocomplete` answers. One service for all files, as on the server
 * (its failure count and pause carry over). The answer's `source` is passed on so the harness
 * can report how often the model answered.
 */
export function modelEngine(service: AutocompleteService, name: string): Engine {
  return {
    name,
    forFile(file: CorpusFile): FilePredictor {
      const language = file.language as Language;
      return {
        async predict(doc, cursor): Promise<Prediction> {
          const r = await service.complete({ code: doc, cursorPosition: cursor, language });
          return { suggestion: r.suggestion, top: topWord(r.suggestions[0]?.label), source: r.source ?? 'local' };
        },
      };
    },
  };
}

/**
 * The baseline: the most frequent word in the code so far that starts with the typed
 * characters (ties go to the most recent), always offered. Counts are kept incrementally
 * because the simulated user only moves forward.
 */
export function baselineEngine(): Engine {
  return {
    name: 'baseline',
    forFile(file: CorpusFile): FilePredictor {
      const words: { start: number; end: number; text: string }[] = [];
      for (const m of file.text.matchAll(WORD)) words.push({ start: m.index, end: m.index + m[0].length, text: m[0] });
      const counts = new Map<string, { n: number; last: number }>();
      let next = 0;
      return {
        predict(doc, cursor): Prediction {
          let ws = cursor;
          while (ws > 0 && /[\w$]/.test(doc[ws - 1] as string)) ws--;
          const prefix = doc.slice(ws, cursor);
          // The simulated document equals the file up to the cursor, so the file's words before it are the code so far.
          while (next < words.length && (words[next] as { end: number }).end <= ws) {
            const w = words[next] as { start: number; text: string };
            const c = counts.get(w.text);
            if (c) {
              c.n++;
              c.last = w.start;
            } else counts.set(w.text, { n: 1, last: w.start });
            next++;
          }
          if (prefix === '' || /^\d/.test(prefix)) return { suggestion: '', top: undefined };
          let best: string | undefined;
          let bestN = 0;
          let bestLast = -1;
          for (const [word, c] of counts) {
            if (word.length <= prefix.length || !word.startsWith(prefix)) continue;
            if (c.n > bestN || (c.n === bestN && c.last > bestLast)) {
              best = word;
              bestN = c.n;
              bestLast = c.last;
            }
          }
          return { suggestion: best === undefined ? '' : best.slice(prefix.length), top: best };
        },
      };
    },
  };
}
