import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readZip } from './zip.js';

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
  /** `root` is a zip archive; `dirs` are folders inside it. */
  zip?: boolean;
}

/** Files longer than this are left out (the engine's target is files up to 10,000 lines). */
export const MAX_LINES = 10_000;
// pyodide and _pyodide: Pyodide's own modules inside its python_stdlib.zip (not CPython's).
const SKIP_DIRS = new Set(['test', 'tests', '__tests__', '__pycache__', 'node_modules', 'dist', 'idlelib', 'site-packages', 'dist-packages', 'lib2to3', 'ensurepip', 'turtledemo', 'encodings', 'pyodide', '_pyodide']);

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

/**
 * CPython's standard library as the `pyodide` package (a pinned devDependency) ships it:
 * python_stdlib.zip holds the library's .py sources. So the corpus is the same on every machine
 * after `npm ci`, whatever Python the host has (or none).
 */
function pythonStdlib(nodeModules: string): { zip: string; version: string } | undefined {
  const pkg = join(nodeModules, 'pyodide');
  const zip = join(pkg, 'python_stdlib.zip');
  if (!existsSync(zip)) return undefined;
  const { version } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { version: string };
  const lock = JSON.parse(readFileSync(join(pkg, 'pyodide-lock.json'), 'utf8')) as { info: { python: string } };
  return { zip, version: `CPython ${lock.info.python}, python_stdlib.zip of pyodide ${version}` };
}

/** The corpus: CPython's standard library (PSF, from the pyodide package) and MIT-licensed packages from node_modules. */
export function corpusSources(repoRoot: string): CorpusSource[] {
  const nm = join(repoRoot, 'node_modules');
  const sources: CorpusSource[] = [];
  const stdlib = pythonStdlib(nm);
  if (stdlib) {
    sources.push({ language: 'python', name: 'cpython-stdlib', licence: 'PSF-2.0', version: stdlib.version, root: stdlib.zip, zip: true, dirs: [''], ext: '.py', recursive: true });
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

function walksInto(dir: string): boolean {
  return !SKIP_DIRS.has(dir) && !dir.startsWith('.') && !dir.startsWith('config-');
}

function isSourceFile(name: string, ext: string): boolean {
  return name.endsWith(ext) && !name.endsWith('.d.ts') && !name.includes('.min.') && !/\.(test|spec|bench)\./.test(name) && !name.startsWith('eslint.config');
}

/** Compares paths in the order a depth-first walk over sorted directory entries visits them. */
function walkOrder(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] !== pb[i]) return (pa[i] as string) < (pb[i] as string) ? -1 : 1;
  }
  return pa.length - pb.length;
}

/** The source files of a zip archive, filtered and ordered as walk() would (all of it: dirs [''], recursive). */
function zipFiles(source: CorpusSource): { path: string; name: string; text: string }[] {
  return readZip(source.root)
    .filter((e) => {
      const parts = e.name.split('/');
      const file = parts.pop() as string;
      return parts.every(walksInto) && (source.recursive || parts.length === 0) && isSourceFile(file, source.ext);
    })
    .sort((a, b) => walkOrder(a.name, b.name))
    .map((e) => ({ path: `${source.root}:${e.name}`, name: e.name, text: e.data.toString('utf8') }));
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
      if (recursive && walksInto(name)) walk(full, ext, recursive, out);
    } else if (isSourceFile(name, ext)) {
      out.push(full);
    }
  }
}

/** Reads every corpus file once; minified or generated-looking files are skipped. */
export function loadCorpus(repoRoot: string): CorpusFile[] {
  const files: CorpusFile[] = [];
  for (const source of corpusSources(repoRoot)) {
    const found: { path: string; name: string; text: string }[] = [];
    if (source.zip) {
      found.push(...zipFiles(source));
    } else {
      const paths: string[] = [];
      for (const d of source.dirs) {
        if (d === '' && source.recursive) walk(source.root, source.ext, true, paths);
        else walk(join(source.root, d), source.ext, source.recursive && d !== '', paths);
      }
      for (const path of [...new Set(paths)]) found.push({ path, name: relative(source.root, path), text: readFileSync(path, 'utf8') });
    }
    for (const { path, name, text } of found) {
      const lines = text.split('\n');
      if (lines.length > MAX_LINES || lines.length < 20) continue;
      if (lines.some((l) => l.length > 400)) continue; // minified or data
      const id = `${source.name}/${name}`;
      files.push({ language: source.language, id, path, source: source.name, licence: source.licence, split: splitOf(id), text, lines: lines.length });
    }
  }
  return files;
}
