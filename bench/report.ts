import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { type AcceptFigures, type AcceptSummary, medianBaseline, summarizeAccept } from './accept';
import type { CpuSnapshot } from './cpu';
import { exactlyOnce, type ReceiptTally } from './destination';
import type { EndToEndRun } from './end-to-end';
import type { EventsApiRun } from './events-api';
import type { LoadResult } from './load';
import type { BenchResult, CpuRow, Machine, TargetRow } from './result';
import type { Percentiles } from './stats';

export function describeMachine(): Machine {
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${type()} ${release()}`,
    loadAverage: { start: Math.round(loadavg()[0] * 100) / 100 },
  };
}

const perConfiguration = (run: { concurrency: number; integrations: number }) => `c=${run.concurrency}, ${run.integrations} integration(s)`;

/** "0.95 × [0.9–1.1]": the median round's ratio and the rounds' range. */
const ratioSpread = ({ ratio }: AcceptSummary) => (ratio.min === ratio.max ? `${ratio.median} ×` : `${ratio.median} × [${ratio.min}–${ratio.max}]`);

/** Judged with the worker paused: the baseline has no consumer, so the two paths get the same cores. */
function acceptTargets(accept: AcceptFigures): TargetRow[] {
  const alone = summarizeAccept(accept).filter((summary) => summary.worker === 'paused');
  const worstRatio = alone.reduce((worst, summary) => (summary.ratio.median < worst.ratio.median ? summary : worst));
  const topConcurrency = Math.max(...alone.map((summary) => summary.concurrency));
  const worstP99 = alone.filter((summary) => summary.concurrency === topConcurrency).reduce((worst, summary) => (summary.median.load.latencyMs.p99 > worst.median.load.latencyMs.p99 ? summary : worst));
  const rounds = `median of ${accept.rounds} round(s)`;
  return [
    { target: 'accept throughput ≥ 1.0 × the baseline (worker paused)', measured: `${ratioSpread(worstRatio)} (worst: ${perConfiguration(worstRatio)}; ${rounds})`, pass: worstRatio.ratio.median >= 1 },
    { target: `accept p99 ≤ 50 ms at concurrency ${topConcurrency}`, measured: `${worstP99.median.load.latencyMs.p99} ms (worst: ${perConfiguration(worstP99)}; baseline ${medianBaseline(accept, topConcurrency).load.latencyMs.p99} ms)`, pass: worstP99.median.load.latencyMs.p99 <= 50 },
  ];
}

function endToEndTargets(endToEnd: EndToEndRun, lag: EndToEndRun): TargetRow[] {
  const history = Math.max(endToEnd.temporal.eventsPerThousand, lag.temporal.eventsPerThousand) / 1000;
  const offeredRate = 'ratePerSecond' in lag.offered ? lag.offered.ratePerSecond : 0;
  return [
    { target: 'end to end ≥ 1,000 events/s sustained', measured: `${endToEnd.eventsPerSecond} events/s`, pass: endToEnd.eventsPerSecond >= 1000 },
    { target: 'end to end ≤ 1.5 ms CPU per event, all processes', measured: `${cpuTotal(endToEnd.cpuMsPerEvent)} ms`, pass: cpuTotal(endToEnd.cpuMsPerEvent) <= 1.5 },
    {
      target: `processing lag p99 ≤ 2 s at ${offeredRate} events/s`,
      // Kept up, or the lag hides in front of the API: requests queued by the sender are not in the inbox yet.
      measured: `${lag.lag.toCommitMs.p99} ms (offered ${lag.accept.sentPerSecond}/s, all converted at ${lag.eventsPerSecond}/s, accept p99 ${lag.accept.latencyMs.p99} ms)`,
      pass: lag.lag.toCommitMs.p99 <= 2000 && lag.accept.sentPerSecond >= offeredRate * 0.95 && lag.eventsPerSecond >= offeredRate * 0.95,
    },
    { target: '≤ 0.1 Temporal history events per webhook', measured: `${history.toFixed(3)} per webhook`, pass: history <= 0.1 },
  ];
}

function eventsTargets(events: EventsApiRun[]): TargetRow[] {
  const slowestAccept = events.reduce((worst, run) => (run.load.requestsPerSecond < worst.load.requestsPerSecond ? run : worst));
  const slowestDelivery = events.reduce((worst, run) => (run.deliveriesPerSecond < worst.deliveriesPerSecond ? run : worst));
  const costliest = events.reduce((worst, run) => (cpuTotal(run.cpuMsPerDelivery) > cpuTotal(worst.cpuMsPerDelivery) ? run : worst));
  return [
    { target: '`POST /v1/events` ≥ 1,000 req/s accepted', measured: `${slowestAccept.load.requestsPerSecond} req/s (worst: c=${slowestAccept.concurrency})`, pass: slowestAccept.load.requestsPerSecond >= 1000 },
    { target: 'posted events ≥ 500 deliveries/s delivered', measured: `${slowestDelivery.deliveriesPerSecond} deliveries/s (worst: c=${slowestDelivery.concurrency})`, pass: slowestDelivery.deliveriesPerSecond >= 500 },
    { target: '≤ 2.5 ms CPU per delivery all-in (POST → delivered)', measured: `${cpu(costliest.cpuMsPerDelivery)} ms (worst: c=${costliest.concurrency})`, pass: cpuTotal(costliest.cpuMsPerDelivery) <= 2.5 },
  ];
}

/** The issue's targets, each judged on the worst configuration that it covers; a scenario left out by `--only` judges none. */
export function judgeTargets(result: BenchResult): TargetRow[] {
  const { accept, endToEnd, lag, outbound, events, relay, memory } = result;
  const clean = outbound.find((run) => run.failEvery === null);
  const exact: Array<[string, ReceiptTally]> = [
    ...outbound.map((run): [string, ReceiptTally] => [run.failEvery ? `1/${run.failEvery} failing` : 'backlog', run]),
    ...events.map((run): [string, ReceiptTally] => [`POST c=${run.concurrency}`, run]),
    ...(relay ? [['relay', relay] as [string, ReceiptTally]] : []),
  ];
  return [
    ...(accept ? acceptTargets(accept) : []),
    ...(endToEnd && lag ? endToEndTargets(endToEnd, lag) : []),
    ...(clean ? [{ target: 'outbound ≥ 500 deliveries/s', measured: `${clean.deliveriesPerSecond} deliveries/s (a backlog)`, pass: clean.deliveriesPerSecond >= 500 }] : []),
    ...(events.length > 0 ? eventsTargets(events) : []),
    ...(relay ? [{ target: 'relay (webhook → conversion → destination) ≥ 500 events/s', measured: `${relay.eventsPerSecond} events/s (lag p99 ${relay.lagMs.p99} ms)`, pass: relay.eventsPerSecond >= 500 }] : []),
    ...(exact.length > 0
      ? [{
          target: 'outbound exactly once with valid signatures, also with failing requests',
          measured: exact.map(([name, tally]) => `${name}: ${tally.missing} missing, ${tally.duplicates} duplicate(s)${tally.badSignatures ? `, ${tally.badSignatures} bad signature(s)` : ''}`).join('; '),
          pass: exact.every(([, tally]) => exactlyOnce(tally)),
        }]
      : []),
    { target: 'API + worker RSS ≤ 400 MB under load', measured: `${memory.peakCombinedRssMb} MB (API ${memory.peakRssMb.api}, worker ${memory.peakRssMb.worker})`, pass: memory.peakCombinedRssMb <= 400 },
  ];
}

const row = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
const table = (header: string[], rows: Array<Array<string | number>>) => [row(header), row(header.map(() => '---')), ...rows.map(row)].join('\n');
const latency = (load: LoadResult) => spread(load.latencyMs);
const CPU_PARTS: Array<[string, string]> = [['baseline', 'baseline'], ['api', 'API'], ['worker', 'worker'], ['postgres', 'PG'], ['temporal', 'Temporal']];
/** "API 1.8 + worker 1.2 + PG 2.2 + Temporal 1 = 6.2" (the load generator's own share is left out of the sum). */
const cpuTotal = (perUnit: CpuSnapshot) => Math.round(CPU_PARTS.reduce((sum, [key]) => sum + (perUnit[key] ?? 0), 0) * 100) / 100;
const cpu = (perUnit: CpuSnapshot) =>
  `${CPU_PARTS.filter(([key]) => (perUnit[key] ?? 0) > 0).map(([key, label]) => `${label} ${perUnit[key]}`).join(' + ')} = ${cpuTotal(perUnit)}`;
/** Non-2xx answers of one or more runs, summed by status. */
function errors(...loads: LoadResult[]): string {
  const byStatus = new Map<string, number>();
  for (const load of loads) for (const [status, count] of Object.entries(load.errors)) byStatus.set(status, (byStatus.get(status) ?? 0) + count);
  return byStatus.size === 0 ? '0' : [...byStatus].map(([status, count]) => `${count}× ${status}`).join(', ');
}

/** CPU ms per unit of work of every scenario that ran, per process: one table for comparing what each path costs. */
export function cpuByScenario(result: Pick<BenchResult, 'accept' | 'endToEnd' | 'lag' | 'outbound' | 'events' | 'relay'>): CpuRow[] {
  const { accept, endToEnd, lag, outbound, events, relay } = result;
  const rows: Array<Omit<CpuRow, 'totalMs'>> = [
    ...(accept ? summarizeAccept(accept) : []).map((summary) => ({ scenario: `accept ${perConfiguration(summary)}, worker ${summary.worker}`, unit: 'request', perProcessMs: summary.median.cpuMsPerRequest })),
    ...(endToEnd ? [{ scenario: `end to end, full speed (c=${'concurrency' in endToEnd.offered ? endToEnd.offered.concurrency : '?'})`, unit: 'event', perProcessMs: endToEnd.cpuMsPerEvent }] : []),
    ...(lag ? [{ scenario: `end to end, ${'ratePerSecond' in lag.offered ? lag.offered.ratePerSecond : '?'}/s offered`, unit: 'event', perProcessMs: lag.cpuMsPerEvent }] : []),
    ...outbound.map((run) => ({ scenario: `outbound backlog${run.failEvery ? `, 1/${run.failEvery} failing` : ''}`, unit: 'delivery', perProcessMs: run.cpuMsPerDelivery })),
    ...events.flatMap((run) => [
      { scenario: `POST /v1/events c=${run.concurrency}, while accepting`, unit: 'request', perProcessMs: run.cpuMsPerRequest },
      { scenario: `POST /v1/events c=${run.concurrency}, posted → delivered`, unit: 'delivery', perProcessMs: run.cpuMsPerDelivery },
    ]),
    ...(relay ? [{ scenario: `relay c=${relay.concurrency}, ${relay.integrations} integration(s)`, unit: 'event', perProcessMs: relay.cpuMsPerEvent }] : []),
  ];
  return rows.map((entry) => ({ ...entry, totalMs: cpuTotal(entry.perProcessMs) }));
}

const tally = (run: ReceiptTally) => [`${run.attempts} (${run.failedAttempts})`, run.missing, run.duplicates, run.badSignatures];

/** A heading and its table, or nothing when the scenario did not run. */
const section = (ran: boolean, heading: string, header: string[], rows: () => Array<Array<string | number>>): string[] => (ran ? [heading, table(header, rows())] : []);
const spread = (figures: Percentiles) => `${figures.p50} / ${figures.p95} / ${figures.p99}`;

function sections(result: BenchResult): string[][] {
  const { accept, endToEnd, lag, outbound, events, relay } = result;
  const endToEndRuns = [endToEnd, lag].filter((run): run is EndToEndRun => run !== undefined);
  return [
    section(
      accept !== undefined,
      `### Accept (signed Stripe webhooks, closed loop; each configuration's median of ${accept?.rounds} round(s), the ratio's range in brackets)`,
      ['endpoint', 'concurrency', 'integrations', 'worker', 'requests per round', 'req/s', '× baseline', 'latency p50 / p95 / p99 (ms)', 'errors (all rounds)', 'CPU ms per request'],
      () => [
        ...[...new Set(accept!.baseline.map((run) => run.concurrency))].map((concurrency) => {
          const { load, cpuMsPerRequest } = medianBaseline(accept!, concurrency);
          return ['baseline', concurrency, '–', '–', load.requests, load.requestsPerSecond, '1', latency(load), errors(...accept!.baseline.filter((run) => run.concurrency === concurrency).map((run) => run.load)), cpu(cpuMsPerRequest)];
        }),
        ...summarizeAccept(accept!).map((summary) => {
          const { load, cpuMsPerRequest } = summary.median;
          const rounds = accept!.runs.filter((run) => run.concurrency === summary.concurrency && run.integrations === summary.integrations && run.worker === summary.worker);
          return ['API', summary.concurrency, summary.integrations, summary.worker, load.requests, load.requestsPerSecond, ratioSpread(summary), latency(load), errors(...rounds.map((run) => run.load)), cpu(cpuMsPerRequest)];
        }),
      ],
    ),
    section(
      endToEndRuns.length > 0,
      '### End to end (webhook sent → conversion committed)',
      ['load', 'events', 'integrations', 'events/s', 'accept p50 / p95 / p99 (ms)', 'lag p50 / p95 / p99 (ms)', 'rows / event', 'history events / signals per 1,000', 'CPU ms per event'],
      () =>
        endToEndRuns.map((run) => [
          'concurrency' in run.offered ? `full speed (c=${run.offered.concurrency})` : `${run.offered.ratePerSecond}/s offered`,
          run.events,
          run.integrations,
          run.eventsPerSecond,
          latency(run.accept),
          spread(run.lag.toCommitMs),
          run.rowsPerEvent.total,
          `${run.temporal.eventsPerThousand} / ${run.temporal.signalsPerThousand}`,
          cpu(run.cpuMsPerEvent),
        ]),
    ),
    section(
      outbound.length > 0,
      '### Outbound (a backlog of workspace events to a webhook destination on a local receiver)',
      ['receiver', 'deliveries', 'deliveries/s', 'requests (failed)', 'missing', 'duplicates', 'bad signatures', 'history events per 1,000', 'CPU ms per delivery'],
      () =>
        outbound.map((run) => [
          run.failEvery ? `500 on every ${run.failEvery}th request` : 'always 200',
          run.deliveries,
          run.deliveriesPerSecond,
          ...tally(run),
          run.temporal.eventsPerThousand,
          cpu(run.cpuMsPerDelivery),
        ]),
    ),
    section(
      events.length > 0,
      '### `POST /v1/events` (closed loop) → delivered to a webhook destination',
      ['concurrency', 'events', 'accepted req/s', 'latency p50 / p95 / p99 (ms)', 'errors', 'deliveries/s (first POST → last receipt)', 'requests (failed)', 'missing', 'duplicates', 'bad signatures', 'CPU ms per request while accepting', 'CPU ms per delivery, all-in'],
      () =>
        events.map((run) => [
          run.concurrency,
          run.load.requests,
          run.load.requestsPerSecond,
          latency(run.load),
          errors(run.load),
          run.deliveriesPerSecond,
          ...tally(run),
          cpu(run.cpuMsPerRequest),
          cpu(run.cpuMsPerDelivery),
        ]),
    ),
    section(
      relay !== undefined,
      '### Relay (signed Stripe webhook → sale → forwarded to a webhook destination)',
      ['concurrency', 'integrations', 'events', 'events/s (first webhook → last receipt)', 'accept p50 / p95 / p99 (ms)', 'accepted → received p50 / p95 / p99 (ms)', 'requests (failed)', 'missing', 'duplicates', 'bad signatures', 'CPU ms per event'],
      () => [[relay!.concurrency, relay!.integrations, relay!.events, relay!.eventsPerSecond, latency(relay!.accept), spread(relay!.lagMs), ...tally(relay!), cpu(relay!.cpuMsPerEvent)]],
    ),
    section(true, '### CPU ms per unit of work, by process', ['scenario', 'per', ...CPU_PARTS.slice(1).map(([, label]) => label), 'total', 'load generator (not in total)'], () =>
      result.cpuByScenario.map((entry) => [entry.scenario, entry.unit, ...CPU_PARTS.slice(1).map(([key]) => entry.perProcessMs[key] ?? '–'), entry.totalMs, entry.perProcessMs.loadGenerator ?? '–']),
    ),
  ];
}

/** The run as Markdown: machine and versions, every measurement, then the targets with pass/miss. */
export function markdown(result: BenchResult): string {
  const { machine, versions, endToEnd, memory } = result;
  const busy = machine.loadAverage.start > machine.cores * 0.25;
  return [
    `## npm run bench — ${result.startedAt}`,
    '',
    `Machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, ${machine.os}; load average ${machine.loadAverage.start} at start, ${machine.loadAverage.end ?? '?'} at end.`,
    busy ? `**The machine was busy when the run started (load average ${machine.loadAverage.start} on ${machine.cores} cores): these figures are disturbed.**` : '',
    `Versions: Node ${versions.node}; Temporal server ${versions.temporalServer}${versions.temporalCli ? ` (dev server of the CLI: ${versions.temporalCli})` : ''}; PostgreSQL ${versions.postgres}.`,
    `Settings: ${Object.entries(result.serviceSettings).map(([key, value]) => `${key}=${value}`).join(', ')}.`,
    `Scenarios: ${result.options.only.join(', ')}.`,
    '',
    ...sections(result).flatMap((section) => (section.length > 0 ? [section[0], '', ...section.slice(1), ''] : [])),
    `CPU ms = user + system time from /proc per unit of work (PG: this run's database backends only), steadier than the rates on a shared machine.` +
      (endToEnd ? ` At ${cpuTotal(endToEnd.cpuMsPerEvent)} ms per event end to end, ${machine.cores} cores allow at most ${Math.round((machine.cores * 1000) / Math.max(0.01, cpuTotal(endToEnd.cpuMsPerEvent)))} events/s.` : ''),
    endToEnd ? `Rows written per event (full-speed run): ${Object.entries(endToEnd.rowsPerEvent.byTable).map(([name, rows]) => `${name} ${rows}`).join(', ')}.` : '',
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
