/** Markdown tables, target verdicts and the saturation SVG for one bench run. */
import { mergeCodes, type AbuseConfig, type AbuseResult } from './abuse';
import { CLUSTER_TARGETS, clusterDelivery, clusterVerdicts, relayCpuPerFrameUs, type ClusterConfig, type ClusterPhase, type ClusterResult } from './cluster';
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

/** The cluster scenario's targets: against single-process mode measured in the same run. */
function clusterTargets(r: ClusterResult | undefined, failure: Failure | undefined): Target[] {
  const na = (id: string, text: string, value: string): Target => ({ id, text, value, status: 'n/a' });
  const texts = {
    cross: `cluster: cross-instance fan-out p99 <= single-instance p99 + ${CLUSTER_TARGETS.crossAddMs} ms and <= ${CLUSTER_TARGETS.crossRatio}x`,
    same: `cluster: fan-out p99 of rooms whose clients share an instance <= ${CLUSTER_TARGETS.sameRatio}x single-instance`,
    cpu: `cluster: server CPU (all instances) per cross-instance delivery <= ${CLUSTER_TARGETS.cpuRatio}x single-instance`,
    failover: `cluster: p99 time until a room is served again after SIGKILL of its owner <= ${CLUSTER_TARGETS.failoverP99Ms / 1000} s`,
    delivery: 'cluster: zero undelivered updates and failed messages, every room converged (every phase, failover included)',
  };
  if (!r || r.unavailable) {
    const why = r?.unavailable ?? failure?.error ?? '-';
    return Object.entries(texts).map(([k, t]) => na(`cluster-${k}`, t, why));
  }
  const v = clusterVerdicts(r);
  const within = (x: number | null, max: number | null): Target['status'] => (x === null || max === null ? 'n/a' : x <= max ? 'met' : 'not met');
  const d = clusterDelivery(r);
  const fo = r.failover;
  return [
    {
      id: 'cluster-cross',
      text: texts.cross,
      value: `${fmt(v.crossP99)} ms vs ${fmt(v.singleP99)} ms (limit ${fmt(v.crossLimitMs)} ms, ${fmtRatio(ratio(v.crossP99, v.singleP99))})`,
      status: within(v.crossP99, v.crossLimitMs),
    },
    {
      id: 'cluster-same',
      text: texts.same,
      value: `${fmt(v.sameP99)} ms vs ${fmt(v.singleP99)} ms (${fmtRatio(ratio(v.sameP99, v.singleP99))})`,
      status: within(v.sameP99, v.sameLimitMs),
    },
    {
      id: 'cluster-cpu',
      text: texts.cpu,
      value: `${fmtRatio(v.cpuCrossRatio)} (${fmt(r.cross?.serverCpuPer1k, 3)} vs ${fmt(r.single?.serverCpuPer1k, 3)} s per 1k; same-instance phase ${fmtRatio(v.cpuSameRatio)})`,
      status: within(v.cpuCrossRatio, CLUSTER_TARGETS.cpuRatio),
    },
    {
      id: 'cluster-failover',
      text: texts.failover,
      value: fo ? `p50 ${fmt(fo.p50, 0)} ms, p99 ${fmt(fo.p99, 0)} ms, max ${fmt(fo.max, 0)} ms over ${fo.rooms} rooms${fo.notServed ? `, ${fo.notServed} NOT served` : ''}` : '-',
      status: !fo ? 'n/a' : fo.notServed > 0 ? 'not met' : within(fo.p99, CLUSTER_TARGETS.failoverP99Ms),
    },
    {
      id: 'cluster-delivery',
      text: texts.delivery,
      value: `undelivered ${d.undelivered}, failed ${d.failed}, unconverged ${d.unconverged}${r.errors.length ? `, errors: ${r.errors.join(' | ')}` : ''}${r.instanceExits.length ? `, instance exits: ${r.instanceExits.join(' | ')}` : ''}`,
      status: d.ok ? 'met' : 'not met',
    },
  ];
}

function clusterSection(cfg: ClusterConfig, rows: ClusterResult[]): string {
  const r = rows[0];
  const method =
    `Method: one fresh PostgreSQL database per run (created from DATABASE_URL, dropped afterwards), migrated once. ${cfg.rooms} rooms x 2 clients per phase, both clients typing ${cfg.rate} edits/s` +
    `${cfg.awarenessPerEdit ? ' with a cursor awareness update per edit' : ''}; each phase has fresh rooms, two load-generator processes (one per half of the rooms), ${cfg.warmupSec} s warm-up, ${cfg.durationSec} s measured, ${cfg.settleSec} s pause before it. ` +
    '*single*: one instance in single-process mode (no CLUSTER_SECRET) on the same database, every client on it. ' +
    `*mixed*: ${cfg.instances} instances; half the rooms with both clients on the room's owner (same-instance), half with the second client on the next instance, which relays its frames to the owner (cross-instance); owners spread evenly. ` +
    "Every room's first client joins before any second one (the first instance to load a room claims it); room_owners is read back after the joins to check each room's owner is the planned one. " +
    `*single* and *mixed* alternate ${cfg.rounds} time(s) (all servers stay up throughout, so each phase runs beside the other side's idle processes); their figures are over the samples of every round in which neither phase saw more than ${cfg.noisyOtherPct} % of a core of other work (all rounds if none was that quiet). ` +
    'The latency targets use the two kinds of the *mixed* phase, measured side by side, against *single*. ' +
    "*same* / *cross*: every room same-instance, then every room cross-instance, so that the CPU of all instance processes over the window (utime+stime, /proc) divided by that phase's deliveries is the CPU per delivery of that kind alone; the CPU target compares *cross* with *single*. " +
    `*single-high* / *cross-high*: the same at ${cfg.highRateFactor}x the rate; the slope of server CPU over deliveries between the two rates is the *marginal* CPU per delivery, free of the fixed costs (timers, one wake-up per batch) that three processes pay three times at a light load. ` +
    (cfg.maxReruns > 0 ? `A phase during which other processes used more than ${cfg.noisyOtherPct} % of a core is run once more on fresh rooms and the second attempt kept (at most ${cfg.maxReruns} times per run). ` : '') +
    '*Background CPU* = the instances\' CPU with no rooms, sampled for ' + `${cfg.idleSampleSec} s after they started; *net of background* subtracts it over the window (information only: the target counts all CPU). ` +
    '*Relay CPU / frame* = (cross CPU - same CPU scaled to cross deliveries) / frames relayed (/healthz forwardedFrames, counted on the instance that holds the client, both directions). ' +
    `*failover*: ${cfg.failoverRooms} rooms owned by one instance, the second client on each instance in turn (so some rooms have both clients on the owner), every client typing ${cfg.failoverRate} edits/s and reconnecting like y-websocket ` +
    '(100 ms after a close, doubling after failed attempts; a refused connection goes straight to the next instance, as a load balancer skips a dead one). The owner gets SIGKILL; per room, the time from the kill until every client has received an edit the other typed after it. ' +
    "All instances, PostgreSQL and the generators share the machine's cores: the cluster's latency includes that contention, not only the relay hop.";
  if (!r) return method;
  if (r.unavailable) return `${method}\n\n**n/a**: ${r.unavailable}`;
  const merged = [r.single, r.mixed].filter((p): p is ClusterPhase => p !== null && cfg.rounds > 1);
  const used = r.roundsUsed.length ? `round${r.roundsUsed.length > 1 ? 's' : ''} ${r.roundsUsed.join(' + ')}` : `all ${cfg.rounds} rounds (none was quiet)`;
  const phases = [...r.phases.map((p) => ({ label: p.name as string, p })), ...merged.map((p) => ({ label: `**${p.name}, ${used}**`, p }))];
  const lat =
    '| phase | edits/s per client | room kind | rooms | p50 ms | p95 ms | p99 ms | max ms | samples |\n|---|---:|---|---:|---:|---:|---:|---:|---:|\n' +
    phases
      .flatMap(({ label, p }) => {
        const kinds = [...new Set(p.groups.map((g) => g.kind))];
        // Phases with one kind in both halves show it once, over both generators.
        if (kinds.length === 1) return [`| ${label} | ${p.rate} | ${kinds[0] ?? '-'} | ${p.rooms} | ${fmt(p.latency.p50)} | ${fmt(p.latency.p95)} | ${fmt(p.latency.p99)} | ${fmt(p.latency.max)} | ${p.latency.samples} |`];
        return p.groups.map((g) => `| ${label} | ${p.rate} | ${g.kind} | ${g.rooms} | ${fmt(g.latency.p50)} | ${fmt(g.latency.p95)} | ${fmt(g.latency.p99)} | ${fmt(g.latency.max)} | ${g.latency.samples} |`);
      })
      .join('\n');
  const single = r.single;
  const relay = relayCpuPerFrameUs(r);
  const totals =
    '| phase | edits/s per client | instances | delivered/s | server CPU s (per instance) | server CPU s / 1k deliv | vs single | background CPU % (no rooms) | net of background s / 1k deliv | net vs single | frames relayed | client CPU s | generator loop p99 ms | other CPU % | undelivered | failed msgs | converged | owners as planned |\n|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n' +
    phases
      .map(
        ({ label, p }) =>
          `| ${label}${p.discardedOtherPct !== null ? ` (rerun: other CPU ${fmt(p.discardedOtherPct, 0)} % the first time)` : ''} | ${p.rate} | ${p.instances} | ${fmt(p.deliveredPerSec, 0)} | ${fmt(p.serverCpuSec)} (${p.instanceCpuSec.map((c) => fmt(c)).join(' + ')}) | ${fmt(p.serverCpuPer1k, 3)} | ${fmtRatio(ratio(p.serverCpuPer1k, single?.serverCpuPer1k))} | ${fmt(p.idleCpuPerSec * 100, 1)} | ${fmt(p.netCpuPer1k, 3)} | ${fmtRatio(ratio(p.netCpuPer1k, single?.netCpuPer1k))} | ${p.forwardedFrames} | ${fmt(p.clientCpuSec)} | ${fmt(p.clientLoopP99Ms, 1)} | ${fmt(p.otherCpuPct, 0)} | ${p.undelivered} | ${p.failedMessages}${Object.keys(p.closeCodes).length ? ` (close ${JSON.stringify(p.closeCodes)})` : ''} | ${p.roomsConverged}/${p.roomsTotal} | ${p.ownersChecked ? `${p.ownersAsPlanned}/${p.ownersChecked}` : '-'} |`,
      )
      .join('\n');
  const v = clusterVerdicts(r);
  const verdict = (ok: boolean | null): string => (ok === null ? 'n/a' : ok ? 'pass' : '**fail**');
  const le = (x: number | null, max: number | null): boolean | null => (x === null || max === null ? null : x <= max);
  const fo = r.failover;
  const verdicts =
    '| figure | measured | target | verdict |\n|---|---:|---|---|\n' +
    [
      `| single-instance p99 (single phase) | ${fmt(v.singleP99)} ms | baseline | |`,
      `| cross-instance p99 (mixed phase) | ${fmt(v.crossP99)} ms (${fmtRatio(ratio(v.crossP99, v.singleP99))}) | <= single + ${CLUSTER_TARGETS.crossAddMs} ms and <= ${CLUSTER_TARGETS.crossRatio}x: <= ${fmt(v.crossLimitMs)} ms | ${verdict(le(v.crossP99, v.crossLimitMs))} |`,
      `| same-instance p99 (mixed phase) | ${fmt(v.sameP99)} ms (${fmtRatio(ratio(v.sameP99, v.singleP99))}) | <= ${CLUSTER_TARGETS.sameRatio}x: <= ${fmt(v.sameLimitMs)} ms | ${verdict(le(v.sameP99, v.sameLimitMs))} |`,
      `| server CPU per delivery, cross phase / single | ${fmtRatio(v.cpuCrossRatio)} | <= ${CLUSTER_TARGETS.cpuRatio}x | ${verdict(le(v.cpuCrossRatio, CLUSTER_TARGETS.cpuRatio))} |`,
      `| server CPU per delivery, same phase / single | ${fmtRatio(v.cpuSameRatio)} | (information) | |`,
      `| the same net of the instances' background CPU with no rooms: cross / single, same / single | ${fmtRatio(ratio(r.cross?.netCpuPer1k, single?.netCpuPer1k))}, ${fmtRatio(ratio(r.same?.netCpuPer1k, single?.netCpuPer1k))} | (information) | |`,
      `| marginal server CPU per 1k deliveries (rate ${cfg.rate} -> ${cfg.rate * cfg.highRateFactor} edits/s): single, cross | ${fmt(v.marginalSingle, 3)} s, ${fmt(v.marginalCross, 3)} s (${fmtRatio(ratio(v.marginalCross, v.marginalSingle))}) | (information) | |`,
      `| relay CPU per relayed frame | ${relay === null ? '-' : `${relay.toFixed(1)} µs`} | (information) | |`,
      `| failover: time until served again, p50 / p99 / max | ${fo ? `${fmt(fo.p50, 0)} / ${fmt(fo.p99, 0)} / ${fmt(fo.max, 0)} ms` : '-'} | p99 <= ${CLUSTER_TARGETS.failoverP99Ms} ms, every room served | ${verdict(fo ? fo.notServed === 0 && (le(fo.p99, CLUSTER_TARGETS.failoverP99Ms) ?? false) : null)} |`,
    ].join('\n');
  const notes: string[] = [];
  if (cfg.rounds > 1)
    notes.push(
      r.roundsUsed.length
        ? `- single and mixed figures (and the targets) use ${used}: the rounds in which neither phase saw other processes above ${cfg.noisyOtherPct} % of a core.`
        : `- no round had both phases under ${cfg.noisyOtherPct} % other CPU: single and mixed merge all rounds, and the latency verdicts carry that noise.`,
    );
  if (fo) {
    notes.push(
      `- failover: killed ${fo.killedInstance} (owner of ${fo.ownersAsPlanned}/${fo.rooms} rooms as planned); served again in ms, per room: ${fo.servedMs.map((m) => m.toFixed(0)).join(', ')}${fo.notServed ? `; ${fo.notServed} rooms NOT served within the wait` : ''}. ` +
        `Reconnections ${fo.reconnects}; owners afterwards ${JSON.stringify(fo.newOwners)}; undelivered after the drain ${fo.undelivered}; converged ${fo.roomsConverged}/${fo.roomsTotal}.` +
        (fo.workerErrors.length ? ` Worker errors: ${fo.workerErrors.join(' | ')}` : ''),
    );
  }
  for (const { p } of phases) {
    const probs = [p.connectFailed ? `${p.connectFailed} clients failed to connect (${p.connectErrors.join('; ')})` : '', p.workerErrors.length ? `worker errors: ${p.workerErrors.join(' | ')}` : ''].filter(Boolean);
    if (probs.length) notes.push(`- ${p.name}: ${probs.join('; ')}`);
  }
  for (const e of r.errors) notes.push(`- error: ${e}`);
  for (const e of r.instanceExits) notes.push(`- instance exited: ${e}`);
  return [method, '', verdicts, '', lat, '', totals, ...(notes.length ? ['', ...notes] : [])].join('\n');
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
  targets.push(...clusterTargets(find<ClusterResult>('cluster', 'pairpad-pg'), failures.find((f) => f.scenario === 'cluster')));
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
    } else if (r.kind === 'cold') {
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
    } else if (cfg.kind === 'cluster') {
      out.push(clusterSection(cfg, rows as ClusterResult[]));
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
