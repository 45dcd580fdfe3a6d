/**
 * `npm run bench [-- --quick] [--scenario a,b] [--servers a,b] [--workers N] [--duration S] [--cpu-prof]`
 *
 * Starts every server under test fresh per scenario, drives it from forked
 * load-generator processes, and writes bench/results/<date>.{md,json} plus
 * the saturation chart. See scripts/bench/README.md.
 */
import { mkdirSync, readdirSync, writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { summarizeProfiles } from './profile';
import { evaluateTargets, renderMarkdown, saturationSvg, type Failure, type RunMeta } from './report';
import { clusterVerdicts, runCluster } from './cluster';
import {
  ALL_SCENARIOS,
  PAIRPAD_ONLY,
  SELF_HOSTED,
  runOn,
  runScenario,
  scenarioConfigs,
  type SaturationResult,
  type ScenarioName,
  type ScenarioResult,
} from './scenarios';
import { ALL_SERVERS, pairpadAvailable, SPECS, startServer, type RunContext, type RunningServer, type ServerName } from './servers';

const ROOT = new URL('../../', import.meta.url).pathname;

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    scenario: { type: 'string' },
    servers: { type: 'string' },
    workers: { type: 'string' },
    duration: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    out: { type: 'string' },
    'base-port': { type: 'string' },
    'max-minutes': { type: 'string' },
    priority: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
  allowPositionals: false,
});

if (values.help) {
  console.log(`usage: npm run bench -- [--quick] [--scenario ${ALL_SCENARIOS.join(',')}] [--servers ${ALL_SERVERS.join(',')}]
       [--workers N] [--duration SEC] [--cpu-prof] [--out DIR] [--base-port P] [--max-minutes M] [--priority=NICE]
DATABASE_URL set: pairpad also runs against PostgreSQL (as pairpad-pg).`);
  process.exit(0);
}

function list<T extends string>(raw: string | undefined, all: readonly T[], what: string): T[] {
  if (!raw) return [...all];
  const picked = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const p of picked) {
    if (!(all as readonly string[]).includes(p)) {
      console.error(`unknown ${what} '${p}'; known: ${all.join(', ')}`);
      process.exit(2);
    }
  }
  return picked as T[];
}

if (values.priority !== undefined) {
  // Servers and workers spawned from here inherit the nice value: on a shared machine a
  // negative one (root only) keeps other jobs from reshaping the latency figures.
  os.setPriority(Number(values.priority));
}

const quick = values.quick;
const scenarios = list<ScenarioName>(values.scenario, ALL_SCENARIOS, 'scenario');
// --quick defaults to pairpad + reference: enough for a CI smoke and for one ratio per figure.
const requested = list<ServerName>(values.servers ?? (quick ? 'pairpad,reference' : undefined), ALL_SERVERS, 'server');
const workers = Number(values.workers ?? 2);
const duration = values.duration ? Number(values.duration) : undefined;
const maxMinutes = Number(values['max-minutes'] ?? (quick ? 5 : 25));
const outDir = values.out ?? join(ROOT, 'bench/results');
let nextPort = Number(values['base-port'] ?? 4100);
const databaseUrl = process.env.DATABASE_URL;

const skipped: string[] = [];
const servers = requested.filter((s) => {
  if ((s === 'pairpad' || s === 'pairpad-pg') && !pairpadAvailable()) {
    skipped.push(`${s}: server/src/main.ts does not exist yet`);
    return false;
  }
  if (s === 'pairpad-pg' && !databaseUrl) {
    if (values.servers) skipped.push('pairpad-pg: DATABASE_URL is not set');
    return false;
  }
  return true;
});

const configs = scenarioConfigs(quick, duration);
const started = new Date();
const loadAvgStart = os.loadavg();
const t0 = performance.now();
const logDir = mkdtempSync(join(os.tmpdir(), 'pairpad-bench-logs-'));
const profDir = join(logDir, 'profiles');

const ctx: RunContext = {
  workers,
  startOpts: (label, cpuProfile) => ({
    port: nextPort++,
    logDir,
    label,
    ...(databaseUrl ? { databaseUrl } : {}),
    ...(cpuProfile ? { cpuProfileDir: profDir } : {}),
  }),
  log: (s) => console.log(s),
  cpuProfileServer: null,
};

const results: ScenarioResult[] = [];
const failures: Failure[] = [];
const deadline = t0 + maxMinutes * 60_000;

console.log(`bench: scenarios ${scenarios.join(',')} | servers ${servers.join(',')} | ${workers} worker(s)${quick ? ' | quick' : ''} | logs ${logDir}`);
for (const s of skipped) console.log(`bench: skipping ${s}`);

/** Peers are not attacked: a pairpad-only scenario runs on pairpad servers and is n/a for the rest. */
const runsOn = (name: ScenarioName, server: ServerName): boolean => !PAIRPAD_ONLY.includes(name) || SPECS[server].createsRooms;

async function quickRun(): Promise<void> {
  // --quick is a smoke: one server per kind serves every scenario (pairpad alone takes seconds to boot).
  // Pairpad-only scenarios set their own server environment, so they get a fresh server afterwards.
  const shared = scenarios.filter((s) => !PAIRPAD_ONLY.includes(s));
  for (const server of servers) {
    if (shared.length === 0) break;
    let running: RunningServer;
    try {
      running = await startServer(SPECS[server], ctx.startOpts(`quick-${server}`, false));
    } catch (e) {
      for (const name of shared) failures.push({ scenario: name, server, error: (e as Error).message });
      console.log(`[quick] ${server} FAILED to start: ${(e as Error).message}`);
      continue;
    }
    try {
      for (const name of shared) {
        const ts = performance.now();
        try {
          const r = await runOn(configs[name], running, ctx);
          results.push(r);
          console.log(`[${name}] ${server} done in ${((performance.now() - ts) / 1000).toFixed(1)} s: ${headline(r)}`);
        } catch (e) {
          failures.push({ scenario: name, server, error: (e as Error).message });
          console.log(`[${name}] ${server} FAILED: ${(e as Error).message}`);
        }
      }
    } finally {
      await running.stop();
    }
  }
  for (const name of scenarios.filter((s) => PAIRPAD_ONLY.includes(s))) {
    if (SELF_HOSTED.includes(name)) {
      await runSelfHosted(name);
      continue;
    }
    for (const server of servers.filter((s) => runsOn(name, s))) {
      const ts = performance.now();
      try {
        const r = await runScenario(configs[name], SPECS[server], ctx);
        results.push(r);
        console.log(`[${name}] ${server} done in ${((performance.now() - ts) / 1000).toFixed(1)} s: ${headline(r)}`);
      } catch (e) {
        failures.push({ scenario: name, server, error: (e as Error).message });
        console.log(`[${name}] ${server} FAILED: ${(e as Error).message}`);
      }
    }
  }
}

/**
 * A scenario that starts its own pairpad servers (the cluster: several instances against one)
 * runs once, when pairpad is among the servers; its result is filed under pairpad-pg.
 */
async function runSelfHosted(name: ScenarioName): Promise<void> {
  if (!servers.some((s) => s === 'pairpad' || s === 'pairpad-pg')) return;
  const cfg = configs[name];
  if (cfg.kind !== 'cluster') return;
  const ts = performance.now();
  console.log(`[${name}] pairpad-pg ...`);
  try {
    const r = await runCluster(cfg, ctx, databaseUrl);
    results.push(r);
    console.log(`[${name}] pairpad-pg done in ${((performance.now() - ts) / 1000).toFixed(1)} s: ${headline(r)}`);
  } catch (e) {
    failures.push({ scenario: name, server: 'pairpad-pg', error: (e as Error).message });
    console.log(`[${name}] pairpad-pg FAILED: ${(e as Error).message}`);
  }
}

async function fullRun(): Promise<void> {
  outer: for (const name of scenarios) {
    const cfg = configs[name];
    if (SELF_HOSTED.includes(name)) {
      if (performance.now() > deadline) {
        failures.push({ scenario: name, server: 'pairpad-pg', error: `skipped: run exceeded --max-minutes ${maxMinutes}` });
        console.log(`bench: time budget exhausted, skipping the rest`);
        break;
      }
      await runSelfHosted(name);
      continue;
    }
    for (const server of servers.filter((s) => runsOn(name, s))) {
      if (performance.now() > deadline) {
        failures.push({ scenario: name, server, error: `skipped: run exceeded --max-minutes ${maxMinutes}` });
        console.log(`bench: time budget exhausted, skipping the rest`);
        break outer;
      }
      const ts = performance.now();
      console.log(`[${name}] ${server} ...`);
      try {
        const r = await runScenario(cfg, SPECS[server], ctx);
        results.push(r);
        console.log(`[${name}] ${server} done in ${((performance.now() - ts) / 1000).toFixed(1)} s: ${headline(r)}`);
      } catch (e) {
        const msg = (e as Error).message;
        failures.push({ scenario: name, server, error: msg });
        console.log(`[${name}] ${server} FAILED: ${msg}`);
      }
    }
  }
}

if (quick) await quickRun();
else await fullRun();

let profileSummary: string | null = null;
if (values['cpu-prof'] && servers.includes('pairpad')) {
  // The busy scenario unless --scenario names a steady one: profile what was asked about.
  const profiled = values.scenario ? (scenarios.find((s) => s === 'pair' || s === 'busy' || s === 'classroom' || s === 'idle') ?? 'busy') : 'busy';
  console.log(`[profile] pairpad ${profiled} scenario with --cpu-prof (not part of the tables) ...`);
  try {
    ctx.cpuProfileServer = 'pairpad';
    const r = await runScenario(configs[profiled], SPECS.pairpad, ctx);
    const window = r.kind === 'steady' ? r.window : undefined;
    const files = readdirSync(profDir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => join(profDir, f));
    if (files.length) {
      profileSummary = summarizeProfiles(files, 20, window) + `\n\nRaw profiles: ${profDir}`;
      console.log(profileSummary);
    } else profileSummary = 'No .cpuprofile was written (did the server exit through process.exit on SIGTERM?).';
  } catch (e) {
    profileSummary = `profiling run failed: ${(e as Error).message}`;
  }
}

function headline(r: ScenarioResult): string {
  if (r.kind === 'steady')
    return `p99 ${r.latency.p99?.toFixed(2) ?? '-'} ms, ${r.deliveredPerSec.toFixed(0)} deliv/s, undelivered ${r.undelivered}, failed ${r.failedMessages}, converged ${r.roomsConverged}/${r.roomsTotal}, CPU/1k ${r.serverCpuPer1k?.toFixed(3) ?? '-'} s, RSS/room ${r.rssPerRoomKb.toFixed(1)} KB`;
  if (r.kind === 'abuse')
    return `victim p99 quiet ${r.quiet.latency.p99?.toFixed(2) ?? '-'} ms, attacked ${r.attacked?.latency.p99?.toFixed(2) ?? '-'} ms (${r.p99Ratio?.toFixed(2) ?? '-'}x), server CPU ${r.quiet.serverCpuPct.toFixed(0)} % -> ${r.attacked?.serverCpuPct.toFixed(0) ?? '-'} %, attacker sockets closed ${r.attacks.reduce((a, s) => a + s.closedByServer, 0)}`;
  if (r.kind === 'cluster') {
    if (r.unavailable) return `n/a: ${r.unavailable}`;
    const v = clusterVerdicts(r);
    return `p99 single ${v.singleP99?.toFixed(2) ?? '-'} ms, same-instance ${v.sameP99?.toFixed(2) ?? '-'} ms, cross-instance ${v.crossP99?.toFixed(2) ?? '-'} ms; CPU per delivery cross/single ${v.cpuCrossRatio?.toFixed(2) ?? '-'}x; failover p99 ${r.failover?.p99?.toFixed(0) ?? '-'} ms${r.errors.length ? `; errors: ${r.errors.join(' | ')}` : ''}`;
  }
  if (r.kind === 'saturation') return `sustained ${r.generatorBound ? '>= ' : ''}${r.sustained} edits/s (${r.stopReason})`;
  return `median join ${r.joinMedianMs?.toFixed(1) ?? '-'} ms, CPU/join ${r.serverCpuPerJoinSec?.toFixed(3) ?? '-'} s, full doc ${r.fullDocument}`;
}

const wallSec = (performance.now() - t0) / 1000;
const meta: RunMeta = {
  startedAt: started.toISOString(),
  finishedAt: new Date().toISOString(),
  wallSec,
  quick,
  node: process.versions.node,
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? '?',
  memGb: os.totalmem() / 1024 ** 3,
  loadAvgStart,
  loadAvgEnd: os.loadavg(),
  workers,
  priority: os.getPriority(),
  servers: servers.map((s) => ({ name: s, describe: SPECS[s].describe })),
  skipped,
  notes: [
    'pairpad is started as `node --import tsx server/src/main.ts` (what `npx tsx` runs, without the wrapper processes) with PORT, HOST=127.0.0.1, DATA_DIR=<fresh temp dir>, LOG_LEVEL=warn.',
    'The reference is the published @y/websocket-server 0.1.1 (the last release on yjs 13; 0.1.5 needs yjs 14 prereleases) run unmodified from its src/server.js; it keeps documents in memory (no YPERSISTENCE). Hocuspocus 4.7 runs with no extensions on Node 20 although it declares node >= 22.',
    'Classroom uses 20 clients per room for every server because pairpad caps a room at 20.',
    ...(scenarios.includes('abuse') ? ['The abuse scenario runs on pairpad only (it attacks view links and REST reads the peers do not have); the peers are n/a there.'] : []),
    ...(scenarios.includes('cluster') ? ['The cluster scenario runs pairpad only (several instances on PostgreSQL, a pairpad feature); the peers are n/a there.'] : []),
  ],
};

const targets = evaluateTargets(results, failures);
const day = started.toISOString().slice(0, 10);
const partial = values.scenario !== undefined || values.servers !== undefined || duration !== undefined;
const base = `${day}${quick ? '-quick' : partial ? '-partial' : ''}`;
mkdirSync(outDir, { recursive: true });
const sat = results.filter((r): r is SaturationResult => r.kind === 'saturation');
const svgName = sat.length ? `${base}-saturation.svg` : null;
if (svgName) writeFileSync(join(outDir, svgName), saturationSvg(sat));
const md = renderMarkdown(
  meta,
  scenarios.map((s) => configs[s]),
  results,
  failures,
  targets,
  svgName,
  profileSummary,
);
writeFileSync(join(outDir, `${base}.md`), md);
writeFileSync(join(outDir, `${base}.json`), JSON.stringify({ meta, configs, results, failures, targets, profileSummary }, null, 2) + '\n');
console.log('');
console.log('Targets:');
for (const t of targets) console.log(`  ${t.status.padEnd(7)} ${t.text}: ${t.value}`);
console.log(`\nbench: wrote ${join(outDir, base)}.md/.json${svgName ? ` and ${svgName}` : ''} in ${wallSec.toFixed(0)} s`);
if (failures.length) console.log(`bench: ${failures.length} scenario run(s) failed; server logs in ${logDir}`);
process.exitCode = failures.length ? 1 : 0;
