import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { execFileSync } from 'node:child_process';

export type EvalLanguage = 'python' | 'javascript' | 'typescript';
export type Split = 'dev' | 'heldout';

export interface CorpusFile {
  language: EvalLanguage;
  /** Stable id: `<source>/<path inside it>`; the split is a hash of it. */
  id: string;
  path: string;
  source: string;
  licence: string;
  split: Split;
  text: string;
  lines: number;
}

export interface CorpusSource {
  language: EvalLanguage;
  name: string;
  licence: string;
  /** The package version (package.json), or what the source says it is. */
  version?: string;
  root: string;
  /** Directories (relative to root) to walk; files directly inside `root` when empty. */
  dirs: string[];
  ext: string;
  /** Walk subdirectories. */
  recursive: boolean;
}

/** Files longer than this are left out (the engine's target is files up to 10,000 lines). */
export const MAX_LINES = 10_000;
const SKIP_DIRS = new Set(['test', 'tests', '__tests__', '__pycache__', 'node_modules', 'dist', 'idlelib', 'site-packages', 'dist-packages', 'lib2to3', 'ensurepip', 'turtledemo', 'encodings']);

/** FNV-1a, 32 bits: a split that is the same on every machine and Node version. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** One file in three is held out; tuning only ever looks at the rest. */
export function splitOf(id: string): Split {
  return fnv1a(id) % 3 === 0 ? 'heldout' : 'dev';
}

function pythonStdlib(): string | undefined {
  const candidates = existsSync('/usr/lib')
    ? readdirSync('/usr/lib')
        .filter((d) => /^python3\.\d+$/.test(d))
        .sort((a, b) => Number(b.split('.')[1]) - Number(a.split('.')[1]))
        .map((d) => join('/usr/lib', d))
    : [];
  for (const dir of candidates) if (existsSync(join(dir, 'os.py'))) return dir;
  try {
    const out = execFileSync('python3', ['-c', 'import sysconfig;print(sysconfig.get_paths()["stdlib"])'], { encoding: 'utf8' }).trim();
    if (existsSync(join(out, 'os.py'))) return out;
  } catch {
    // No python3: the Python rows are skipped.
  }
  return undefined;
}

/** The corpus: CPython's standard library (PSF) and MIT-licensed packages from node_modules. */
export function corpusSources(repoRoot: string): CorpusSource[] {
  const nm = join(repoRoot, 'node_modules');
  const sources: CorpusSource[] = [];
  const stdlib = pythonStdlib();
  if (stdlib) {
    sources.push({ language: 'python', name: 'cpython-stdlib', licence: 'PSF-2.0', version: `host ${stdlib}`, root: stdlib, dirs: [''], ext: '.py', recursive: true });
  }
  const js: [string, string[]][] = [
    ['fastify', ['', 'lib']],
    ['ws', ['lib']],
    ['pino', ['', 'lib']],
    ['find-my-way', ['', 'lib']],
    ['avvio', ['', 'lib']],
    ['yjs', ['src']],
    ['lib0', ['']],
  ];
  for (const [pkg, dirs] of js) {
    sources.push({ language: 'javascript', name: pkg, licence: 'MIT', root: join(nm, pkg), dirs, ext: '.js', recursive: pkg === 'yjs' });
  }
  const ts: [string, string[]][] = [
    ['@reduxjs/toolkit', ['src']],
    ['redux', ['src']],
    ['react-redux', ['src']],
    ['immer', ['src']],
    ['reselect', ['src']],
    ['@hocuspocus/server', ['src']],
  ];
  for (const [pkg, dirs] of ts) {
    sources.push({ language: 'typescript', name: pkg, licence: 'MIT', root: join(nm, pkg), dirs, ext: '.ts', recursive: true });
  }
  return sources.filter((s) => existsSync(s.root));
}

function walk(dir: string, ext: string, recursive: boolean, out: string[]): void {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return;
  }
  for (const name of entries) {
    const full = join(dir, name);
    const st = statSync(full);
    if (st.isDirectory()) {
      if (recursive && !SKIP_DIRS.has(name) && !name.startsWith('.') && !name.startsWith('config-')) walk(full, ext, recursive, out);
    } else if (name.endsWith(ext) && !name.endsWith('.d.ts') && !name.includes('.min.') && !/\.(test|spec|bench)\./.test(name) && !name.startsWith('eslint.config')) {
      out.push(full);
    }
  }
}

/** Reads every corpus file once; minified or generated-looking files are skipped. */
export function loadCorpus(repoRoot: string): CorpusFile[] {
  const files: CorpusFile[] = [];
  for (const source of corpusSources(repoRoot)) {
    const paths: string[] = [];
    for (const d of source.dirs) {
      if (d === '' && source.recursive) walk(source.root, source.ext, true, paths);
      else walk(join(source.root, d), source.ext, source.recursive && d !== '', paths);
    }
    for (const path of [...new Set(paths)]) {
      const text = readFileSync(path, 'utf8');
      const lines = text.split('\n');
      if (lines.length > MAX_LINES || lines.length < 20) continue;
      if (lines.some((l) => l.length > 400)) continue; // minified or data
      const id = `${source.name}/${relative(source.root, path)}`;
      files.push({ language: source.language, id, path, source: source.name, licence: source.licence, split: splitOf(id), text, lines: lines.length });
    }
  }
  return files;
}
