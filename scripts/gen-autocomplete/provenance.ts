/**
 * What a generated autocomplete table was built from: the corpus files it read (per source, with
 * the package version and a digest of their contents), the parameters and the command. Written
 * into each data file so that a reader can tell what changed when a table changes.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { corpusSources, type CorpusFile } from '../eval-autocomplete/corpus.js';

export const COMMAND = 'npm run gen:autocomplete';

export interface CorpusInput {
  source: string;
  version: string;
  licence: string;
  /** Dev-split files of this source that the generator read. */
  files: number;
  /** SHA-256 over the files' ids and contents, in id order. */
  sha256: string;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The package version of a corpus source (its package.json, or the version its source records). */
function versionOf(repoRoot: string, source: string): string {
  const found = corpusSources(repoRoot).find((s) => s.name === source);
  if (found?.version) return found.version;
  const pkg = join(repoRoot, 'node_modules', source, 'package.json');
  return existsSync(pkg) ? (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version : 'unknown';
}

/** One entry per corpus source among `files`, sorted by source name. */
export function corpusInputs(repoRoot: string, files: readonly CorpusFile[]): CorpusInput[] {
  const bySource = new Map<string, CorpusFile[]>();
  for (const f of files) {
    let list = bySource.get(f.source);
    if (!list) bySource.set(f.source, (list = []));
    list.push(f);
  }
  return [...bySource.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([source, list]) => {
      const hash = createHash('sha256');
      for (const f of [...list].sort((a, b) => (a.id < b.id ? -1 : 1))) hash.update(`${f.id}\u0000${f.text}\u0000`);
      return { source, version: versionOf(repoRoot, source), licence: (list[0] as CorpusFile).licence, files: list.length, sha256: hash.digest('hex') };
    });
}

/**
 * The code whose behaviour the fitted weights depend on: the engine (its features come from
 * the lexer, the language data and the candidate collection), the simulated typing and the fit.
 */
export function codeInputs(repoRoot: string): Record<string, string> {
  const engine = readdirSync(join(repoRoot, 'server/src/autocomplete'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'service.ts')
    .sort()
    .map((f) => `server/src/autocomplete/${f}`);
  const scripts = ['scripts/eval-autocomplete/corpus.ts', 'scripts/eval-autocomplete/simulate.ts', 'scripts/eval-autocomplete/choice-fit.ts', 'scripts/gen-autocomplete/calibration.ts'];
  const out: Record<string, string> = {};
  for (const path of [...engine, ...scripts]) out[path] = sha256(readFileSync(join(repoRoot, path), 'utf8'));
  return out;
}
