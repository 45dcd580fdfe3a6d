/**
 * Where does the local engine lose savings? Dev split only. Buckets every query of the
 * simulated user (same model as simulate.ts) by what the engine did and what it would have
 * saved.
 *
 *   npx tsx scripts/eval-autocomplete/analyze.ts [--language python]
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Language } from '@pairpad/shared';
import { LANGUAGE_SPECS } from '../../server/src/autocomplete/languages.js';
import { IDENT, lex } from '../../server/src/autocomplete/lexer.js';
import { suggestDetailed } from '../../server/src/autocomplete/suggest.js';
import { fnv1a, loadCorpus, type EvalLanguage } from './corpus.js';
import { editorDocument, regionOf, typedCharsIn } from './simulate.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: args } = parseArgs({ options: { language: { type: 'string' }, 'max-files': { type: 'string', default: '70' } } });
const languages: EvalLanguage[] = args.language ? [args.language as EvalLanguage] : ['python', 'javascript', 'typescript'];
const corpus = loadCorpus(repoRoot);

for (const language of languages) {
  const files = corpus
    .filter((f) => f.language === language && f.split === 'dev')
    .sort((a, b) => fnv1a(a.id) - fnv1a(b.id))
    .slice(0, Number(args['max-files']));
  const b: Record<string, number> = {};
  const add = (k: string, v = 1): void => void (b[k] = (b[k] ?? 0) + v);
  let typed = 0;
  for (const file of files) {
    const { text } = file;
    const { start, end } = regionOf(file, fnv1a(`region:${file.id}`));
    typed += typedCharsIn(text, start, end);
    const toks = lex(text, 0, text.length, LANGUAGE_SPECS[language], -1);
    // characters in identifiers within the region
    for (let t = 0; t < toks.kinds.length; t++) {
      const ts = toks.starts[t] as number;
      if (ts < start || ts >= end) continue;
      add(`chars:kind${toks.kinds[t]}`, (toks.ends[t] as number) - ts);
    }
    let pos = start;
    for (let t = 0; t < toks.kinds.length; t++) {
      if (toks.kinds[t] !== IDENT) continue;
      const ts = toks.starts[t] as number;
      const te = toks.ends[t] as number;
      if (ts < pos) continue;
      if (ts >= end) break;
      const token = text.slice(ts, te);
      add('tokens');
      add('tokenchars-1', token.length - 1);
      for (let k = 1; k <= Math.min(2, token.length); k++) {
        const cursor = ts + k;
        const doc = editorDocument(text, cursor);
        const d = suggestDetailed(doc, cursor, language as Language);
        const s = d.result.suggestion;
        const top = d.result.suggestions.find((x) => x.kind !== 'snippet');
        const topWord = top ? /^[A-Za-z_$][\w$]*/.exec(top.label)?.[0] : undefined;
        const wordGain = token.length - k - 1;
        const tag = `k${k}`;
        if (k === token.length) { add(`${tag}:complete`); continue; }
        if (s !== '') {
          if (text.startsWith(s, cursor)) {
            add(`${tag}:right`);
            add(`${tag}:right:saved`, s.length - 1);
            add(`${tag}:right:extsaved`, Math.max(0, s.length - (token.length - k)));
            if (s.length < token.length - k) add(`${tag}:right:stem`);
            pos = cursor + s.length;
            break;
          }
          const wordOk = s.startsWith(token.slice(k)) && !/[\w$]/.test(s.charAt(token.length - k));
          if (wordOk) { add(`${tag}:wrongExt`); add(`${tag}:wrongExt:lostWordGain`, wordGain); }
          else add(`${tag}:wrongWord`);
        } else if (topWord === token) {
          add(`${tag}:silentTopRight`);
          add(`${tag}:silentTopRight:gain`, wordGain);
          const c = d.confidence ?? 0;
          add(`${tag}:silentTopRight:conf${Math.floor(c * 10)}`);
        } else {
          add(`${tag}:silentTopWrong`);
          if (d.result.suggestions.some((x) => x.label === token)) add(`${tag}:silentInList`);
          else add(`${tag}:silentNotInList`);
        }
      }
    }
  }
  console.log(`== ${language}: typed ${typed}`);
  for (const k of Object.keys(b).sort()) console.log(`${k}\t${b[k]}\t${(k.includes('saved') || k.includes('gain') || k.includes('Gain') || k.startsWith('chars')) ? ((100 * (b[k] as number)) / typed).toFixed(2) + '%' : ''}`);
}
