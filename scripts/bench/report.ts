/** Markdown tables, target verdicts and the saturation SVG for one bench run. */
import { mergeCodes, type AbuseConfig, type AbuseResult } from './abuse';
import type { ColdResult, SaturationResult, ScenarioConfig, ScenarioResult, SteadyResult } from './scenarios';

export interface RunMeta {
  startedAt: string;
  finishedAt: string;
  wallSec: number;
  quick: boolean;
  node: string;
  cpus: number;
  cpuModel: string;
  memGb: number;
  loadAvgStart: number[];
  loadAvgEnd: number[];
  workers: number;
  /** Nice value the harness, servers and workers ran at. */
  priority: number;
  servers: { name: string; describe: string }[];
  skipped: string[];
  notes: string[];
}

export interface Target {
  id: string;
  text: string;
  value: string;
  status: 'met' | 'not met' | 'n/a';
}

export interface Failure {
  scenario: string;
  server: string;
  error: string;
}

const fmt = (v: number | null | undefined, digits = 2): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits);

const ratio = (a: number | null | undefined, b: number | null | undefined): number | null =>
  a === null || a === undefined || b === null || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? null : a / b;

const fmtRatio = (r: number | null): string => (r === null ? '-' : `${r.toFixed(2)}x`);

function steadyTable(rows: SteadyResult[]): string {
  const head =
    '| server | p50 ms | p95 ms | p99 ms | max ms | delivered/s | undelivered | failed msgs | converged | server CPU s / 1k deliv | server CPU s | client CPU s | generator loop p99 ms | other CPU % | peak RSS MB | RSS / room KB |\n' +
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const body = rows.map(
    (r) =>
      `| ${r.server} | ${fmt(r.latency.p50)} | ${fmt(r.latency.p95)} | ${fmt(r.latency.p99)} | ${fmt(r.latency.max)} | ${fmt(r.deliveredPerSec, 0)} | ${r.undelivered} | ${r.failedMessages}${Object.keys(r.closeCodes).length ? ` (close ${JSON.stringify(r.closeCodes)})` : ''} | ${r.roomsConverged}/${r.roomsTotal} | ${fmt(r.serverCpuPer1k, 3)} | ${fmt(r.serverCpuSec, 2)} | ${fmt(r.clientCpuSec, 2)} | ${fmt(r.clientLoopP99Ms, 1)} | ${fmt(r.otherCpuPct, 0)} | ${fmt(r.peakRssMb, 1)} | ${fmt(r.rssPerRoomKb, 1)} |`,
  );
  const pp = rows.find((r) => r.server === 'pairpad');
  const ratios = pp
    ? rows
        .filter((r) => r.server !== 'pairpad' && r.server !== 'pairpad-pg')
        .map(
          (r) =>
            `| pairpad / ${r.server} | ${fmtRatio(ratio(pp.latency.p50, r.latency.p50))} | ${fmtRatio(ratio(pp.latency.p95, r.latency.p95))} | ${fmtRatio(ratio(pp.latency.p99, r.latency.p99))} | ${fmtRatio(ratio(pp.latency.max, r.latency.max))} | ${fmtRatio(ratio(pp.deliveredPerSec, r.deliveredPerSec))} | | | | ${fmtRatio(ratio(pp.serverCpuPer1k, r.serverCpuPer1k))} | ${fmtRatio(ratio(pp.serverCpuSec, r.serverCpuSec))} | | | | ${fmtRatio(ratio(pp.peakRssMb, r.peakRssMb))} | ${fmtRatio(ratio(pp.rssPerRoomKb, r.rssPerRoomKb))} |`,
        )
    : [];
  const extra = rows
    .filter((r) => r.connectFailed > 0 || r.lagDrops > 0 || r.workerErrors.length > 0 || r.serverExited || r.divergent.length > 0)
    .map(
      (r) =>
        `- ${r.server}: ${[
          r.connectFailed ? `${r.connectFailed} clients failed to connect (${r.connectErrors.join('; ')})` : '',
          r.lagDrops ? `${r.lagDrops} edits skipped because the generator fell behind` : '',
          r.divergent.length ? `divergent rooms ${r.divergent.join(', ')}` : '',
          r.workerErrors.length ? `worker errors: ${r.workerErrors.join(' | ')}` : '',
          r.serverExited ?? '',
        ]
          .filter(Boolean)
          .join('; ')}`,
    );
  return [head, ...body, ...ratios].join('\n') + (extra.length ? `\n\n${extra.join('\n')}` : '');
}

function saturationTable(rows: SaturationResult[]): string {
  const head =
    '| server | sustained edits/s | stop reason | p99 ms at sustained | server CPU % at sustained | client CPU % at sustained | est. edits/s at 100 % CPU | undelivered (end) | converged |\n|---|---:|---|---:|---:|---:|---:|---:|---:|';
  const body = rows.map((r) => {
    const at = r.steps.find((s) => s.offered === r.sustained);
    return `| ${r.server} | ${r.generatorBound ? '>= ' : ''}${r.sustained} | ${r.stopReason} | ${fmt(at?.p99 ?? null)} | ${fmt(at?.serverCpuPct ?? null, 0)} | ${fmt(at?.clientCpuPct ?? null, 0)} | ${fmt(r.capacityEstimate, 0)} | ${r.undelivered} | ${r.roomsConverged}/${r.roomsTotal} |`;
  });
  const pp = rows.find((r) => r.server === 'pairpad');
  const ratios = pp
    ? rows
        .filter((r) => r.server !== 'pairpad' && r.server !== 'pairpad-pg')
        .map((r) => `| pairpad / ${r.server} | ${fmtRatio(ratio(pp.sustained, r.sustained))} | | | | | ${fmtRatio(ratio(pp.capacityEstimate, r.capacityEstimate))} | | |`)
    : [];
  const steps = rows.map(
    (r) =>
      `\n<details><summary>${r.server} steps</summary>\n\n| offered/s | sent/s | delivered/s | delivered % | p50 ms | p99 ms | max ms | server CPU % | client CPU % | generator loop p99 ms | other CPU % | result |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n` +
      r.steps
        .map(
          (s) =>
            `| ${s.offered} | ${fmt(s.sentPerSec, 0)} | ${fmt(s.deliveredPerSec, 0)} | ${fmt(s.deliveryRatio * 100, 1)} | ${fmt(s.p50)} | ${fmt(s.p99)} | ${fmt(s.max)} | ${fmt(s.serverCpuPct, 0)} | ${fmt(s.clientCpuPct, 0)} | ${fmt(s.clientLoopP99Ms, 1)} | ${fmt(s.otherCpuPct, 0)} | ${s.ok ? 'ok' : s.reason} |`,
        )
        .join('\n') +
      '\n\n</details>',
  );
  return [head, ...body, ...ratios].join('\n') + '\n' + steps.join('\n');
}

function coldTable(rows: ColdResult[]): string {
  const head =
    '| server | doc bytes | joins ok | median join ms | max join ms | full doc every join | server CPU s / join | peak RSS MB |\n|---|---:|---:|---:|---:|---:|---:|---:|';
  const body = rows.map(
    (r) =>
      `| ${r.server} | ${r.docBytes} | ${r.joinsOk}/${r.joinsOk + r.joinsFailed} | ${fmt(r.joinMedianMs, 1)} | ${fmt(r.joinMaxMs, 1)} | ${r.fullDocument ? 'yes' : 'NO'} | ${fmt(r.serverCpuPerJoinSec, 3)} | ${fmt(r.peakRssMb, 1)} |`,
  );
  const pp = rows.find((r) => r.server === 'pairpad');
  const ratios = pp
    ? rows
        .filter((r) => r.server !== 'pairpad' && r.server !== 'pairpad-pg')
        .map(
          (r) =>
            `| pairpad / ${r.server} | | | ${fmtRatio(ratio(pp.joinMedianMs, r.joinMedianMs))} | ${fmtRatio(ratio(pp.joinMaxMs, r.joinMaxMs))} | | ${fmtRatio(ratio(pp.serverCpuPerJoinSec, r.serverCpuPerJoinSec))} | ${fmtRatio(ratio(pp.peakRssMb, r.peakRssMb))} |`,
        )
    : [];
  const storage = rows
    .filter((r) => r.storageJoinMs !== null || r.storageJoinFullDocument !== null)
    .map(
      (r) =>
        `- ${r.server}, join after the room unloaded (loads from storage): ${fmt(r.storageJoinMs, 1)} ms, server CPU ${fmt(r.storageJoinCpuSec, 3)} s, full document: ${r.storageJoinFullDocument ? 'yes' : 'NO'}`,
    );
  const errs = rows.filter((r) => r.joinErrors.length || r.workerErrors.length).map((r) => `- ${r.server}: ${[...r.joinErrors, ...r.workerErrors].join(' | ')}`);
  return [head, ...body, ...ratios].join('\n') + (storage.length ? `\n\n${storage.join('\n')}` : '') + (errs.length ? `\n\n${errs.join('\n')}` : '');
}

function abuseTable(cfg: AbuseConfig, rows: AbuseResult[]): string {
  const head =
    `| server | victim p50 ms quiet | victim p99 ms quiet | victim p50 ms attacked | victim p99 ms attacked | p99 attacked / quiet | target (<= ${cfg.maxP99Ratio}x) | server CPU % quiet | server CPU % attacked | attacker CPU % | server RSS MB peak quiet / attacked / process | attacker sockets closed by server (codes) | attacker connects failed | victim undelivered / failed |\n` +
    '|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|---:|---|';
  const body = rows.map((r) => {
    const a = r.attacked;
    const closed = r.attacks.reduce((n, s) => n + s.closedByServer, 0);
    const codes = mergeCodes(r.attacks);
    const connectFailed = r.attacks.reduce((n, s) => n + s.connectFailed, 0);
    const verdict = r.p99Ratio === null ? 'n/a' : r.p99Ratio <= cfg.maxP99Ratio ? 'pass' : '**fail**';
    const victimFailed = r.quiet.victimFailed + (a?.victimFailed ?? 0);
    return `| ${r.server} | ${fmt(r.quiet.latency.p50)} | ${fmt(r.quiet.latency.p99)} | ${fmt(a?.latency.p50)} | ${fmt(a?.latency.p99)} | ${fmtRatio(r.p99Ratio)} | ${verdict} | ${fmt(r.quiet.serverCpuPct, 0)} | ${fmt(a?.serverCpuPct, 0)} | ${fmt(a?.attackerCpuPct, 0)} | ${fmt(r.quiet.peakRssMb, 0)} / ${fmt(a?.peakRssMb, 0)} / ${fmt(r.peakRssMb, 0)} | ${closed}${closed ? ` ${JSON.stringify(codes)}` : ''} | ${connectFailed} | ${r.victimUndelivered} / ${victimFailed}${r.victimConverged ? '' : ', NOT converged'} |`;
  });
  const details = rows.map((r) => {
    const lines: string[] = [];
    const doc = (d: AbuseResult['target']): string =>
      d ? `${d.stateBytes} bytes encoded (${d.length} chars of text, ${d.structs} structs, ${d.deleteRanges} delete-set ranges, ${d.edits} edits in ${d.frames} frames, seeded in ${fmt(d.ms / 1000, 1)} s)` : 'not seeded';
    lines.push(`- ${r.server}: attacked room ${doc(r.target)}; unloaded room ${doc(r.unloaded)}. Server RSS before setup ${fmt(r.baselineRssMb, 1)} MB.`);
    lines.push(
      `- ${r.server}: one GET /rooms/<viewId> of the unloaded room before the quiet phase: ${fmt(r.unloadedProbeMs, 0)} ms (${r.unloadedProbeLength ?? '-'} chars).`,
    );
    const phase = (name: string, p: AbuseResult['quiet'] | null): string =>
      p
        ? `${name}: ${p.latency.samples} latency samples over ${fmt(p.elapsedSec, 1)} s, ${p.sentEdits} edits sent, max ${fmt(p.latency.max)} ms, server CPU ${fmt(p.serverCpuSec, 2)} s, other CPU ${fmt(p.otherCpuPct, 0)} % (work outside the server, victim and attackers: noise), server RSS at end ${fmt(p.endRssMb, 1)} MB${Object.keys(p.victimCloseCodes).length ? `, victim sockets closed ${JSON.stringify(p.victimCloseCodes)}` : ''}`
        : `${name}: not measured`;
    lines.push(`- ${r.server}: victim ${phase('quiet', r.quiet)}; ${phase('attacked', r.attacked)}.`);
    for (const a of r.attacks) {
      const what =
        a.kind === 'http'
          ? `${a.requests} GETs (${JSON.stringify(a.statuses)}), mean ${fmt(a.requestMeanMs, 0)} ms, max ${fmt(a.requestMaxMs, 0)} ms, ${fmt(a.bytesReceived / 1048576, 1)} MB received`
          : `${a.opened} sockets opened, ${a.framesSent} frames (${fmt(a.bytesSent / 1048576, 1)} MB) sent, ${a.framesReceived} frames (${fmt(a.bytesReceived / 1048576, 1)} MB) received, ${a.closedByServer} closed by the server ${JSON.stringify(a.closeCodes)}, ${a.connectFailed} connects failed`;
      lines.push(`- ${r.server}, ${a.kind} attack over ${fmt(a.elapsedMs / 1000, 1)} s: ${what}${a.errors.length ? `; errors: ${a.errors.join(' | ')}` : ''}.`);
    }
    const problems = [...r.setupErrors.map((e) => `setup: ${e}`), ...r.attackErrors, ...r.workerErrors.map((e) => `worker: ${e}`), r.serverExited ?? ''].filter(Boolean);
    if (problems.length) lines.push(`- ${r.server} problems: ${problems.join(' | ')}`);
    return lines.join('\n');
  });
  return [head, ...body].join('\n') + (details.length ? `\n\n${details.join('\n')}` : '');
}

export function evaluateTargets(results: ScenarioResult[], failures: Failure[]): Target[] {
  const targets: Target[] = [];
  const find = <T extends ScenarioResult>(scenario: string, server: string): T | undefined =>
    results.find((r) => r.scenario === scenario && r.server === server) as T | undefined;
  const verdict = (v: number | null, max: number): Target['status'] => (v === null ? 'n/a' : v <= max ? 'met' : 'not met');
  const steadyNames = ['pair', 'busy', 'classroom', 'idle'];
  for (const s of steadyNames) {
    const pp = find<SteadyResult>(s, 'pairpad');
    const ref = find<SteadyResult>(s, 'reference');
    const r = ratio(pp?.serverCpuPer1k, ref?.serverCpuPer1k);
    targets.push({ id: `cpu-${s}`, text: `${s}: server CPU per 1,000 delivered updates <= 0.7x reference`, value: fmtRatio(r), status: verdict(r, 0.7) });
  }
  for (const s of steadyNames) {
    const pp = find<SteadyResult>(s, 'pairpad');
    const ref = find<SteadyResult>(s, 'reference');
    const r = ratio(pp?.latency.p99, ref?.latency.p99);
    targets.push({ id: `p99-${s}`, text: `${s}: fan-out p99 <= 0.8x reference`, value: fmtRatio(r), status: verdict(r, 0.8) });
  }
  const spp = find<SaturationResult>('saturation', 'pairpad');
  for (const [peer, min] of [
    ['reference', 1.3],
    ['hocuspocus', 2.5],
  ] as const) {
    const o = find<SaturationResult>('saturation', peer);
    const r = ratio(spp?.sustained, o?.sustained);
    const cap = ratio(spp?.capacityEstimate, o?.capacityEstimate);
    const note =
      (o?.generatorBound || spp?.generatorBound ? ' (a generator-bound side makes this a bound, not a ratio)' : '') +
      (cap !== null ? `; CPU-extrapolated capacity ratio ${fmtRatio(cap)}` : '');
    targets.push({
      id: `saturation-${peer}`,
      text: `saturation rate >= ${min}x ${peer}`,
      value: fmtRatio(r) + note,
      status: r === null ? 'n/a' : r >= min ? 'met' : 'not met',
    });
  }
  const idle = find<SteadyResult>('idle', 'pairpad');
  targets.push({
    id: 'idle-memory',
    text: 'memory per idle small room <= 100 KB',
    value: idle ? `${fmt(idle.rssPerRoomKb, 1)} KB` : '-',
    status: verdict(idle?.rssPerRoomKb ?? null, 100),
  });
  const cpp = find<ColdResult>('cold', 'pairpad');
  const cref = find<ColdResult>('cold', 'reference');
  const cr = ratio(cpp?.serverCpuPerJoinSec, cref?.serverCpuPerJoinSec);
  targets.push({ id: 'cold-cpu', text: 'server CPU per cold join of the large doc <= 0.5x reference', value: fmtRatio(cr), status: verdict(cr, 0.5) });
  const abuse = find<AbuseResult>('abuse', 'pairpad');
  targets.push({
    id: 'abuse-p99',
    text: 'abuse: victim room fan-out p99 while another room is attacked through its view link <= 2x its quiet p99',
    value: abuse ? `${fmtRatio(abuse.p99Ratio)} (${fmt(abuse.quiet.latency.p99)} -> ${fmt(abuse.attacked?.latency.p99)} ms)` : '-',
    status: verdict(abuse?.p99Ratio ?? null, 2),
  });
  const mine = results.filter((r) => r.server === 'pairpad');
  const ppFailures = failures.filter((f) => f.server === 'pairpad');
  let undelivered = 0;
  let unconverged = 0;
  let failed = 0;
  for (const r of mine) {
    if (r.kind === 'steady') {
      undelivered += r.undelivered;
      unconverged += r.roomsTotal - r.roomsConverged;
      failed += r.failedMessages;
    } else if (r.kind === 'saturation') {
      undelivered += r.undelivered;
      unconverged += r.roomsTotal - r.roomsConverged;
    } else if (r.kind === 'abuse') {
      // The victim room only: the attackers' sockets are meant to be closed.
      undelivered += r.victimUndelivered;
      if (!r.victimConverged) unconverged++;
      failed += r.quiet.victimFailed + (r.attacked?.victimFailed ?? 0);
    } else {
      if (!r.fullDocument) unconverged++;
      if (r.storageJoinFullDocument === false) unconverged++;
    }
  }
  targets.push({
    id: 'delivery',
    text: 'zero undelivered updates, zero failed messages, every room converged (pairpad, all scenarios)',
    value: mine.length ? `undelivered ${undelivered}, failed ${failed}, unconverged ${unconverged}, scenario errors ${ppFailures.length}` : '-',
    status: mine.length === 0 ? 'n/a' : undelivered === 0 && unconverged === 0 && failed === 0 && ppFailures.length === 0 ? 'met' : 'not met',
  });
  return targets;
}

const COLORS: Record<string, string> = {
  pairpad: '#d62728',
  'pairpad-pg': '#ff7f0e',
  reference: '#1f77b4',
  hocuspocus: '#2ca02c',
  relay: '#7f7f7f',
};

/** p99 (solid) and p50 (dashed) fan-out latency against offered edit rate, log-scale y. */
export function saturationSvg(rows: SaturationResult[]): string {
  const W = 760;
  const H = 440;
  const L = 70;
  const R = 150;
  const T = 40;
  const B = 60;
  const maxX = Math.max(100, ...rows.flatMap((r) => r.steps.map((s) => s.offered)));
  const yMin = 0.1;
  const yMax = Math.max(100, ...rows.flatMap((r) => r.steps.map((s) => s.p99 ?? 0)));
  const x = (v: number): number => L + (v / maxX) * (W - L - R);
  const y = (v: number): number => {
    const c = Math.min(Math.max(v, yMin), yMax);
    return T + (1 - (Math.log10(c) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * (H - T - B);
  };
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">Fan-out latency vs offered load (saturation, 50 rooms x 2 clients)</text>`);
  for (let d = Math.ceil(Math.log10(yMin)); d <= Math.floor(Math.log10(yMax)); d++) {
    const v = 10 ** d;
    parts.push(`<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`);
    parts.push(`<text x="${L - 6}" y="${y(v) + 4}" text-anchor="end">${v >= 1 ? v.toFixed(0) : v}</text>`);
  }
  const ticks = 5;
  for (let i = 0; i <= ticks; i++) {
    const v = Math.round((maxX / ticks) * i);
    parts.push(`<line x1="${x(v)}" x2="${x(v)}" y1="${T}" y2="${H - B}" stroke="#eee"/>`);
    parts.push(`<text x="${x(v)}" y="${H - B + 16}" text-anchor="middle">${v}</text>`);
  }
  parts.push(`<line x1="${L}" x2="${W - R}" y1="${y(50)}" y2="${y(50)}" stroke="#000" stroke-dasharray="2,3"/>`);
  parts.push(`<text x="${W - R - 4}" y="${y(50) - 4}" text-anchor="end">50 ms limit</text>`);
  parts.push(`<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#333"/>`);
  parts.push(`<text x="${(L + W - R) / 2}" y="${H - 20}" text-anchor="middle">offered edits/s (total)</text>`);
  parts.push(`<text transform="translate(18 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">latency ms (log)</text>`);
  rows.forEach((r, i) => {
    const color = COLORS[r.server] ?? '#000';
    for (const [key, dash] of [
      ['p99', ''],
      ['p50', '5,4'],
    ] as const) {
      const pts = r.steps.filter((s) => s[key] !== null).map((s) => `${x(s.offered).toFixed(1)},${y(s[key] ?? yMin).toFixed(1)}`);
      if (pts.length) {
        parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" ${dash ? `stroke-dasharray="${dash}"` : ''} points="${pts.join(' ')}"/>`);
      }
    }
    for (const s of r.steps) {
      if (s.p99 !== null) parts.push(`<circle cx="${x(s.offered).toFixed(1)}" cy="${y(s.p99).toFixed(1)}" r="3" fill="${s.ok ? color : 'white'}" stroke="${color}"/>`);
    }
    const ly = T + 14 + i * 18;
    parts.push(`<line x1="${W - R + 12}" x2="${W - R + 36}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"/>`);
    parts.push(`<text x="${W - R + 42}" y="${ly + 4}">${r.server}</text>`);
  });
  const ly = T + 14 + rows.length * 18 + 8;
  parts.push(`<text x="${W - R + 12}" y="${ly}" font-size="11">solid p99, dashed p50;</text>`);
  parts.push(`<text x="${W - R + 12}" y="${ly + 14}" font-size="11">hollow dot = step failed</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}

export function renderMarkdown(
  meta: RunMeta,
  configs: ScenarioConfig[],
  results: ScenarioResult[],
  failures: Failure[],
  targets: Target[],
  svgName: string | null,
  profileSummary: string | null,
): string {
  const out: string[] = [];
  out.push(`# pairpad benchmark, ${meta.startedAt}${meta.quick ? ' (--quick smoke, not a measurement)' : ''}`);
  out.push('');
  out.push(
    `Machine: ${meta.cpus} CPUs (${meta.cpuModel}), ${meta.memGb.toFixed(0)} GiB, Node ${meta.node}. Wall time ${meta.wallSec.toFixed(0)} s. Nice ${meta.priority}. Load average ${meta.loadAvgStart.map((v) => v.toFixed(1)).join('/')} at start, ${meta.loadAvgEnd.map((v) => v.toFixed(1)).join('/')} at end. ` +
      `Load generator: ${meta.workers} worker process(es) of y-protocols clients (separate from every server process), all traffic on 127.0.0.1.`,
  );
  out.push('');
  out.push('Servers (each started fresh per scenario, own port, own process):');
  for (const s of meta.servers) out.push(`- **${s.name}**: ${s.describe}`);
  for (const s of meta.skipped) out.push(`- skipped: ${s}`);
  out.push('');
  out.push(
    'Definitions: *fan-out latency* = receive time at a client minus the send time stamped into the inserted text (same clock), over every (edit, receiving client) pair in the measured window. ' +
      '*Delivered* counts those pairs. *Undelivered* = pairs still missing 5 s after typing stopped. *Failed msgs* = sends on a closed socket, unexpected closes, failed connects. ' +
      '*Converged* = rooms whose clients all hold the same text at the end. Server CPU = utime+stime from /proc/<pid>/stat over the measured window; RSS from /proc/<pid>/status (peak = max of VmHWM and 200 ms VmRSS polls). ' +
      '*RSS / room* = with >= 100 rooms, the least-squares slope of settled VmRSS (median of 5 samples) against rooms joined, measured after each quarter of the rooms joined; otherwise (VmRSS at the end - VmRSS before any room existed) / rooms. ' +
      '*Other CPU %* = whole-machine busy CPU (/proc/stat) minus server and generator, in % of one core: anything above a few % means other work shared the 2 cores and the figures carry that noise. ' +
      '*Generator loop p99* = the worst worker\'s event-loop delay p99: when it is large, the latency figures include the generator\'s own stalls. ' +
      'Ratios are pairpad / peer; lower is better except delivered/s and saturation.',
  );
  for (const n of meta.notes) out.push(`\nNote: ${n}`);
  out.push('');
  out.push('## Targets');
  out.push('');
  out.push('| target | pairpad | verdict |\n|---|---|---|');
  for (const t of targets) out.push(`| ${t.text} | ${t.value} | ${t.status === 'met' ? 'met' : t.status === 'not met' ? '**not met**' : 'n/a'} |`);
  for (const cfg of configs) {
    const rows = results.filter((r) => r.scenario === cfg.name);
    const fails = failures.filter((f) => f.scenario === cfg.name);
    if (!rows.length && !fails.length) continue;
    out.push('');
    out.push(`## ${cfg.title}`);
    out.push('');
    if (cfg.kind === 'steady') {
      out.push(`Measured ${cfg.durationSec} s after ${cfg.warmupSec} s warm-up.`);
      out.push('');
      out.push(steadyTable(rows as SteadyResult[]));
    } else if (cfg.kind === 'saturation') {
      out.push(`Steps of ${cfg.stepSec} s (after ${cfg.settleSec} s settle). A step passes when p99 <= ${cfg.p99LimitMs} ms, >= ${cfg.minDeliveryRatio * 100} % of the step's edits were delivered within it, and the generator kept up; a failing step is retried once. ">=" marks a result limited by the generator. *Est. edits/s at 100 % CPU* = sent/s / server CPU share at the highest passing step: an extrapolation, but one that latency noise from other work on the machine does not move.`);
      out.push('');
      out.push(saturationTable(rows as SaturationResult[]));
      if (svgName) out.push(`\n![latency vs load](${svgName})`);
    } else if (cfg.kind === 'abuse') {
      out.push(
        `Victim room: 2 clients, one typing ${cfg.victimRate} edits/s; fan-out latency measured ${cfg.quietSec} s quiet, then ${cfg.attackSec} s while the attack runs (after ${cfg.attackRampSec} s of ramp-up), on one server started with ROOM_UNLOAD_DELAY_MS=${cfg.unloadDelayMs} and MAX_MESSAGES_PER_SECOND=${cfg.maxMessagesPerSecond}. ` +
          `The attacker holds only the view ids, from forked processes: ${cfg.syncSockets} viewer sockets each sending ${cfg.syncRate} sync step 1 frames/s with the room's real state vector, one client's clock lowered by a random amount; ` +
          `one viewer socket sending ${cfg.deepRate} awareness frames/s whose state nests ${cfg.deepLevels} arrays deep; one sending ${cfg.nullRate} frames/s of ${cfg.nullEntries} null-state entries for never-seen client ids; ` +
          `${cfg.httpLoops} HTTP loops reading GET /rooms/<viewId> of a large room that was left to unload. A socket the server closes reconnects after ${cfg.reconnectMs} ms. ` +
          'Server CPU % is of one core over the window; attacker CPU % is the three attacker processes. RSS: highest 200 ms VmRSS poll in each window, and the process peak (VmHWM, which includes start-up). All traffic is from 127.0.0.1, exempt from per-IP limits by default, so per-IP defences are not exercised. Peers n/a: they have no view links or REST reads to attack.',
      );
      out.push('');
      out.push(abuseTable(cfg, rows as AbuseResult[]));
    } else {
      out.push(
        `${cfg.joins} sequential joins; the seeding client stays connected, so the document is in the server's memory. Server CPU per join is net of the server's idle CPU over the same wall time (10 ms /proc resolution, so read it as +-1 ms).`,
      );
      out.push('');
      out.push(coldTable(rows as ColdResult[]));
    }
    for (const f of fails) out.push(`\n- **${f.server} failed**: ${f.error}`);
  }
  if (profileSummary) {
    out.push('');
    out.push('## pairpad CPU profile, top self time');
    out.push('');
    out.push(profileSummary);
  }
  out.push('');
  return out.join('\n');
}
