import { cpus, loadavg, release, totalmem, type } from 'node:os';
import type { AcceptFigures } from './accept';
import type { BenchResult, Machine, TargetRow } from './result';
import type { CpuSnapshot } from './cpu';
import type { LoadResult } from './load';

export function describeMachine(): Machine {
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${type()} ${release()}`,
    loadAverage: { start: Math.round(loadavg()[0] * 100) / 100 },
  };
}

/** The issue's targets, each judged on the worst configuration that it covers. */
export function judgeTargets(result: BenchResult): TargetRow[] {
  const { accept, endToEnd, lag, outbound, memory } = result;
  const worstRatio = accept.runs.reduce((worst, run) => (run.ratioToBaseline < worst.ratioToBaseline ? run : worst));
  const topConcurrency = Math.max(...accept.runs.map((run) => run.concurrency));
  const worstP99 = accept.runs.filter((run) => run.concurrency === topConcurrency).reduce((worst, run) => (run.load.latencyMs.p99 > worst.load.latencyMs.p99 ? run : worst));
  const clean = outbound.find((run) => run.failEvery === null);
  const exact = outbound.every((run) => run.missing === 0 && run.duplicates === 0 && run.unexpected === 0 && run.badSignatures === 0);
  const history = Math.max(endToEnd.temporal.eventsPerThousand, lag.temporal.eventsPerThousand) / 1000;
  const offeredRate = 'ratePerSecond' in lag.offered ? lag.offered.ratePerSecond : 0;
  const accepted = (run: { concurrency: number; integrations: number }) => `c=${run.concurrency}, ${run.integrations} integration(s)`;
  return [
    { target: 'accept throughput ≥ 80% of baseline', measured: `${Math.round(worstRatio.ratioToBaseline * 100)}% (worst: ${accepted(worstRatio)})`, pass: worstRatio.ratioToBaseline >= 0.8 },
    { target: `accept p99 ≤ 50 ms at concurrency ${topConcurrency}`, measured: `${worstP99.load.latencyMs.p99} ms (worst: ${accepted(worstP99)})`, pass: worstP99.load.latencyMs.p99 <= 50 },
    { target: 'end to end ≥ 1,000 events/s sustained', measured: `${endToEnd.eventsPerSecond} events/s`, pass: endToEnd.eventsPerSecond >= 1000 },
    {
      target: `processing lag p99 ≤ 2 s at ${offeredRate} events/s`,
      // Kept up, or the lag hides in front of the API: requests queued by the sender are not in the inbox yet.
      measured: `${lag.lag.toCommitMs.p99} ms (offered ${lag.accept.sentPerSecond}/s, all converted at ${lag.eventsPerSecond}/s, accept p99 ${lag.accept.latencyMs.p99} ms)`,
      pass: lag.lag.toCommitMs.p99 <= 2000 && lag.accept.sentPerSecond >= offeredRate * 0.95 && lag.eventsPerSecond >= offeredRate * 0.95,
    },
    { target: 'outbound ≥ 500 deliveries/s', measured: clean ? `${clean.deliveriesPerSecond} deliveries/s` : 'not run', pass: (clean?.deliveriesPerSecond ?? 0) >= 500 },
    {
      target: 'outbound exactly once, also with failing requests',
      measured: outbound.map((run) => `${run.failEvery ? `1/${run.failEvery} failing` : 'clean'}: ${run.missing} missing, ${run.duplicates} duplicate(s)`).join('; '),
      pass: exact,
    },
    { target: '≤ 0.1 Temporal history events per webhook', measured: `${history.toFixed(3)} per webhook`, pass: history <= 0.1 },
    { target: 'API + worker RSS ≤ 400 MB under load', measured: `${memory.peakCombinedRssMb} MB (API ${memory.peakRssMb.api}, worker ${memory.peakRssMb.worker})`, pass: memory.peakCombinedRssMb <= 400 },
  ];
}

const row = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
const table = (header: string[], rows: Array<Array<string | number>>) => [row(header), row(header.map(() => '---')), ...rows.map(row)].join('\n');
const latency = (load: LoadResult) => `${load.latencyMs.p50} / ${load.latencyMs.p95} / ${load.latencyMs.p99}`;
const CPU_PARTS: Array<[string, string]> = [['baseline', 'baseline'], ['api', 'API'], ['worker', 'worker'], ['postgres', 'PG'], ['temporal', 'Temporal']];
/** "API 1.8 + worker 1.2 + PG 2.2 + Temporal 1 = 6.2" (the load generator's own share is left out of the sum). */
const cpuTotal = (perUnit: CpuSnapshot) => Math.round(CPU_PARTS.reduce((sum, [key]) => sum + (perUnit[key] ?? 0), 0) * 100) / 100;
const cpu = (perUnit: CpuSnapshot) =>
  `${CPU_PARTS.filter(([key]) => (perUnit[key] ?? 0) > 0).map(([key, label]) => `${label} ${perUnit[key]}`).join(' + ')} = ${cpuTotal(perUnit)}`;
const errors = (load: LoadResult) => (Object.keys(load.errors).length === 0 ? '0' : Object.entries(load.errors).map(([status, count]) => `${count}× ${status}`).join(', '));

/** The baseline and accept runs, one row each. */
export function acceptTable(accept: AcceptFigures): string {
  return table(
    ['endpoint', 'concurrency', 'integrations', 'requests', 'req/s', '× baseline', 'latency p50 / p95 / p99 (ms)', 'errors', 'CPU ms per request'],
    [
      ...accept.baseline.map(({ concurrency, load, cpuMsPerRequest }) => ['baseline', concurrency, '–', load.requests, load.requestsPerSecond, '1', latency(load), errors(load), cpu(cpuMsPerRequest)]),
      ...accept.runs.map((run) => ['API', run.concurrency, run.integrations, run.load.requests, run.load.requestsPerSecond, run.ratioToBaseline, latency(run.load), errors(run.load), cpu(run.cpuMsPerRequest)]),
    ],
  );
}

/** The run as Markdown: machine and versions, every measurement, then the targets with pass/miss. */
export function markdown(result: BenchResult): string {
  const { machine, versions, accept, endToEnd, lag, outbound, memory } = result;
  const busy = machine.loadAverage.start > machine.cores * 0.25;
  const endToEndRows = [endToEnd, lag].map((run) => [
    'concurrency' in run.offered ? `full speed (c=${run.offered.concurrency})` : `${run.offered.ratePerSecond}/s offered`,
    run.events,
    run.integrations,
    run.eventsPerSecond,
    latency(run.accept),
    `${run.lag.toCommitMs.p50} / ${run.lag.toCommitMs.p95} / ${run.lag.toCommitMs.p99}`,
    run.rowsPerEvent.total,
    `${run.temporal.eventsPerThousand} / ${run.temporal.signalsPerThousand}`,
    cpu(run.cpuMsPerEvent),
  ]);
  return [
    `## npm run bench — ${result.startedAt}`,
    '',
    `Machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, ${machine.os}; load average ${machine.loadAverage.start} at start, ${machine.loadAverage.end ?? '?'} at end.`,
    busy ? `**The machine was busy when the run started (load average ${machine.loadAverage.start} on ${machine.cores} cores): these figures are disturbed.**` : '',
    `Versions: Node ${versions.node}; Temporal server ${versions.temporalServer}${versions.temporalCli ? ` (dev server of the CLI: ${versions.temporalCli})` : ''}; PostgreSQL ${versions.postgres}.`,
    `Settings: ${Object.entries(result.serviceSettings).map(([key, value]) => `${key}=${value}`).join(', ')}.`,
    '',
    '### Accept (signed Stripe webhooks, closed loop)',
    '',
    acceptTable(accept),
    '',
    '### End to end (webhook sent → conversion committed)',
    '',
    table(['load', 'events', 'integrations', 'events/s', 'accept p50 / p95 / p99 (ms)', 'lag p50 / p95 / p99 (ms)', 'rows / event', 'history events / signals per 1,000', 'CPU ms per event'], endToEndRows),
    '',
    '### Outbound (webhook destination on a local receiver)',
    '',
    table(
      ['receiver', 'deliveries', 'deliveries/s', 'requests (failed)', 'missing', 'duplicates', 'bad signatures', 'history events per 1,000', 'CPU ms per delivery'],
      outbound.map((run) => [
        run.failEvery ? `500 on every ${run.failEvery}th request` : 'always 200',
        run.deliveries,
        run.deliveriesPerSecond,
        `${run.attempts} (${run.failedAttempts})`,
        run.missing,
        run.duplicates,
        run.badSignatures,
        run.temporal.eventsPerThousand,
        cpu(run.cpuMsPerDelivery),
      ]),
    ),
    '',
    `CPU ms = user + system time from /proc per unit of work (PG: this run's database backends only), steadier than the rates on a shared machine. ` +
      `At ${cpuTotal(endToEnd.cpuMsPerEvent)} ms per event end to end, ${machine.cores} cores allow at most ${Math.round((machine.cores * 1000) / Math.max(0.01, cpuTotal(endToEnd.cpuMsPerEvent)))} events/s.`,
    `Rows written per event (full-speed run): ${Object.entries(endToEnd.rowsPerEvent.byTable).map(([name, rows]) => `${name} ${rows}`).join(', ')}.`,
    `Peak RSS under load: API ${memory.peakRssMb.api} MB, worker ${memory.peakRssMb.worker} MB, together ${memory.peakCombinedRssMb} MB` +
      ` (idle after start-up: API ${memory.atStartRssMb.api} MB, worker ${memory.atStartRssMb.worker} MB;` +
      ` high-water marks incl. start-up: API ${memory.highWaterMarkMb.api} MB, worker ${memory.highWaterMarkMb.worker} MB${memory.temporalServerPeakRssMb ? `; Temporal dev server ${memory.temporalServerPeakRssMb} MB` : ''}).`,
    '',
    '### Targets',
    '',
    table(['target', 'measured', ''], result.targets.map((target) => [target.target, target.measured, target.pass ? 'pass' : '**miss**'])),
    '',
  ]
    .filter((line, index, lines) => line !== '' || lines[index - 1] !== '')
    .join('\n');
}
