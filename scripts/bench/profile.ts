/** Summarises a V8 .cpuprofile: top functions by self time, and self time per package. */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function where(url: string): string {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? url);
  }
  const m = /\/(server|shared|db)\/src\/(.*)$/.exec(url);
  if (m) return `${m[1]}/src/${m[2]}`;
  if (url.startsWith('node:')) return 'node core';
  return url === '' ? '(vm)' : url.replace(/^file:\/\//, '');
}

/**
 * `window` = [from, to] seconds after the profile started: only those samples count (the
 * harness passes the measured window, so start-up, compile and shutdown stay out).
 */
export function summarizeProfile(path: string, top = 15, window?: [number, number]): string {
  return summarizeParsed(path, JSON.parse(readFileSync(path, 'utf8')) as CpuProfile, top, window);
}

function summarizeParsed(path: string, p: CpuProfile, top: number, window?: [number, number]): string {
  const byId = new Map<number, ProfileNode>();
  for (const n of p.nodes) byId.set(n.id, n);
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Inclusive time of the project's own functions (server/, shared/, db/ sources): where the lead can act.
  const inclusive = new Map<string, number>();
  const ownKey = (n: ProfileNode): string | null => {
    const cf = n.callFrame;
    if (cf.url.includes('node_modules') || !/\/(server|shared|db)\/src\//.test(cf.url)) return null;
    // tsx-compiled sources report generated line numbers, so the file name is the useful part.
    return `${cf.functionName || '(anonymous)'} | ${where(cf.url)}`;
  };
  const self = new Map<string, number>();
  const perPkg = new Map<string, number>();
  let total = 0;
  let t = 0;
  const from = (window?.[0] ?? 0) * 1e6;
  const to = (window?.[1] ?? Infinity) * 1e6;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    t += dt;
    if (t < from || t > to) return;
    const n = byId.get(id);
    if (!n) return;
    total += dt;
    const seen = new Set<string>();
    for (let cur: ProfileNode | undefined = n; cur; cur = byId.get(parent.get(cur.id) ?? -1)) {
      const k = ownKey(cur);
      if (k && !seen.has(k)) {
        seen.add(k);
        inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
      }
    }
    const cf = n.callFrame;
    const w = where(cf.url);
    const key = `${cf.functionName || '(anonymous)'} | ${w}${cf.url && !w.startsWith('(') ? `:${cf.lineNumber + 1}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    if (cf.functionName === '(idle)') return;
    const pkg = cf.url.includes('/src/') && !cf.url.includes('node_modules') ? w.split('/').slice(0, 3).join('/') : w;
    perPkg.set(pkg, (perPkg.get(pkg) ?? 0) + dt);
  });
  // Percentages are of busy time: idle samples say nothing about where CPU goes.
  const idle = [...self.entries()].filter(([k]) => k.startsWith('(idle)')).reduce((a, [, v]) => a + v, 0);
  const busy = total - idle;
  const rows = [...self.entries()]
    .filter(([k]) => !k.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top);
  const pk = [...perPkg.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10);
  const pct = (v: number): string => ((v / busy) * 100).toFixed(1);
  return [
    `Profile ${path.split('/').pop() ?? path} (main thread): ${(total / 1e6).toFixed(1)} s of samples${window ? ` (seconds ${window[0].toFixed(1)}-${window[1].toFixed(1)} after start: the measured window)` : ''}, ${(busy / 1e6).toFixed(2)} s busy (${((busy / total) * 100).toFixed(0)} %). Percentages below are of busy time.`,
    '',
    '| self % | self ms | function | where |',
    '|---:|---:|---|---|',
    ...rows.map(([k, v]) => {
      const [fn, loc] = k.split(' | ');
      return `| ${pct(v)} | ${(v / 1000).toFixed(0)} | \`${fn}\` | ${loc ?? ''} |`;
    }),
    '',
    '| inclusive % | project function (time with it on the stack) | where |',
    '|---:|---|---|',
    ...[...inclusive.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([k, v]) => {
        const [fn, loc] = k.split(' | ');
        return `| ${pct(v)} | \`${fn}\` | ${loc ?? ''} |`;
      }),
    '',
    '| self % by module/package | |',
    '|---|---:|',
    ...pk.map(([k, v]) => `| ${k} | ${pct(v)} |`),
  ].join('\n');
}

/** V8 names per-thread files CPU.<date>.<time>.<pid>.<threadId>.<seq>.cpuprofile; thread 0 is the main thread. */
function threadOf(path: string): number {
  const parts = (path.split('/').pop() ?? '').split('.');
  return Number(parts[4] ?? NaN);
}

/**
 * Main thread in full; every other thread (tsx's loader, a PGlite worker, ...) as one line with
 * its busy time in the same window and its top self-time entries.
 */
export function summarizeProfiles(paths: string[], top = 20, window?: [number, number]): string {
  const parsed = paths.map((path) => ({ path, thread: threadOf(path), p: JSON.parse(readFileSync(path, 'utf8')) as CpuProfile }));
  const main = parsed.find((x) => x.thread === 0) ?? parsed[0];
  if (!main) return 'no profile';
  const out = [summarizeParsed(main.path, main.p, top, window)];
  for (const x of parsed) {
    if (x === main) continue;
    const shift = (x.p.startTime - main.p.startTime) / 1e6;
    const w: [number, number] | undefined = window ? [window[0] - shift, window[1] - shift] : undefined;
    const byId = new Map<number, ProfileNode>();
    for (const n of x.p.nodes) byId.set(n.id, n);
    let t = 0;
    let busy = 0;
    const self = new Map<string, number>();
    x.p.samples.forEach((id, i) => {
      const dt = x.p.timeDeltas[i] ?? 0;
      t += dt;
      if (w && (t < w[0] * 1e6 || t > w[1] * 1e6)) return;
      const cf = byId.get(id)?.callFrame;
      if (!cf || cf.functionName === '(idle)' || cf.functionName === '(program)') return;
      busy += dt;
      const k = `${cf.functionName || '(anonymous)'} (${where(cf.url)})`;
      self.set(k, (self.get(k) ?? 0) + dt);
    });
    const best = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 4);
    out.push(
      `\nOther thread ${x.thread} (${x.path.split('/').pop() ?? ''}): ${(busy / 1000).toFixed(0)} ms busy in the window; top: ${best.map(([k, v]) => `${k} ${(v / 1000).toFixed(0)} ms`).join(', ') || '-'}`,
    );
  }
  return out.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const files = args.filter((a) => a.endsWith('.cpuprofile'));
  const nums = args.filter((a) => !a.endsWith('.cpuprofile')).map(Number);
  if (!files.length) {
    console.error('usage: tsx scripts/bench/profile.ts FILE.cpuprofile... [FROM_SEC TO_SEC]');
    process.exit(2);
  }
  const [from, to] = nums;
  console.log(summarizeProfiles(files, 20, from !== undefined && to !== undefined ? [from, to] : undefined));
}
