import { loadavg } from 'node:os';
import { type AcceptFigures, measureAccept } from './accept';
import { measureLag, measureThroughput } from './end-to-end';
import type { BenchOptions } from './options';
import { measureOutbound, type OutboundRun } from './outbound';
import { describeMachine, judgeTargets } from './report';
import type { BenchResult } from './result';
import { sampleMemory } from './rss';
import { type ServiceOptions, startService } from './service';

export type Where = Pick<ServiceOptions, 'temporalAddress' | 'databaseUrl' | 'databaseServer' | 'outputDir'>;

/**
 * The failure run's retries would otherwise wait the production schedule (5 s, then doubling); a shorter
 * one keeps the run short without changing what is measured: that each event arrives exactly once.
 */
function serviceSettings(env: NodeJS.ProcessEnv): Record<string, string> {
  return {
    DELIVERY_RETRY_INITIAL_MS: env.DELIVERY_RETRY_INITIAL_MS ?? '500',
    DELIVERY_RETRY_MAX_MS: env.DELIVERY_RETRY_MAX_MS ?? '5000',
  };
}

/** `--accept-only`: the baseline and accept runs against a freshly started service. */
export async function runAcceptBench(options: BenchOptions, where: Where, log: (line: string) => void): Promise<AcceptFigures> {
  const service = await startService({ ...where, profile: options.profile, env: serviceSettings(process.env), log });
  try {
    return await measureAccept(service, options, log);
  } finally {
    await service.stop();
  }
}

/** One run of every measurement against a freshly started service; the service is stopped whatever happens. */
export async function runBench(options: BenchOptions, where: Where, log: (line: string) => void): Promise<BenchResult> {
  const startedAt = new Date().toISOString();
  const machine = describeMachine();
  const settings = serviceSettings(process.env);
  const service = await startService({ ...where, profile: options.profile, env: settings, log });
  const memory = sampleMemory({ api: service.pids.api, worker: service.pids.worker });
  const temporalMemory = service.pids.temporal ? sampleMemory({ temporal: service.pids.temporal }) : undefined;
  try {
    log(`[bench] service up (API pid ${service.pids.api}, worker pid ${service.pids.worker}, task queue ${service.taskQueue})`);
    const accept = await measureAccept(service, options, log);
    log(`[bench] end to end: ${options.events} events at full speed over ${options.integrations} integrations…`);
    const endToEnd = await measureThroughput(service, options);
    log(`[bench] end to end: ${endToEnd.eventsPerSecond} events/s, lag p99 ${endToEnd.lag.toCommitMs.p99} ms`);
    log(`[bench] processing lag: ${options.rate}/s for ${options.lagSeconds} s…`);
    const lag = await measureLag(service, options);
    log(`[bench] processing lag: p50 ${lag.lag.toCommitMs.p50} ms, p99 ${lag.lag.toCommitMs.p99} ms (offered ${lag.accept.sentPerSecond}/s)`);
    const outbound: OutboundRun[] = [];
    for (const failEvery of [null, options.failEvery]) {
      log(`[bench] outbound: ${options.deliveries} deliveries${failEvery ? `, every ${failEvery}th request failing` : ''}…`);
      const run = await measureOutbound(service, options.deliveries, failEvery);
      outbound.push(run);
      log(`[bench] outbound: ${run.deliveriesPerSecond} deliveries/s, ${run.missing} missing, ${run.duplicates} duplicate(s)`);
    }
    const result: BenchResult = {
      startedAt,
      finishedAt: new Date().toISOString(),
      options,
      machine: { ...machine, loadAverage: { ...machine.loadAverage, end: Math.round(loadavg()[0] * 100) / 100 } },
      versions: { node: process.version, ...service.versions },
      serviceSettings: settings,
      accept,
      endToEnd,
      lag,
      outbound,
      memory: { ...memory.stop(), temporalServerPeakRssMb: temporalMemory?.stop().peakRssMb.temporal },
      targets: [],
    };
    result.targets = judgeTargets(result);
    return result;
  } finally {
    memory.stop();
    temporalMemory?.stop();
    await service.stop();
  }
}
