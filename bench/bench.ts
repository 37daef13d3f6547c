import { loadavg } from 'node:os';
import { measureAccept } from './accept';
import { type EndToEndRun, measureLag, measureThroughput } from './end-to-end';
import { measureEventsApi } from './events-api';
import type { BenchOptions, Scenario } from './options';
import { measureOutbound, type OutboundRun } from './outbound';
import { measureRelay, type RelayRun } from './relay';
import { cpuByScenario, describeMachine, judgeTargets } from './report';
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

/** One run of every measurement against a freshly started service; the service is stopped whatever happens. */
export async function runBench(options: BenchOptions, where: Where, log: (line: string) => void): Promise<BenchResult> {
  const startedAt = new Date().toISOString();
  const machine = describeMachine();
  const settings = serviceSettings(process.env);
  const service = await startService({ ...where, profile: options.profile, env: settings, log });
  const memory = sampleMemory({ api: service.pids.api, worker: service.pids.worker });
  const temporalMemory = service.pids.temporal ? sampleMemory({ temporal: service.pids.temporal }) : undefined;
  const runs = (scenario: Scenario) => options.only.includes(scenario);
  try {
    log(`[bench] service up (API pid ${service.pids.api}, worker pid ${service.pids.worker}, task queue ${service.taskQueue})`);
    const accept = runs('accept') ? await measureAccept(service, options, log) : undefined;
    let endToEnd: EndToEndRun | undefined;
    let lag: EndToEndRun | undefined;
    if (runs('end-to-end')) {
      log(`[bench] end to end: ${options.events} events at full speed over ${options.integrations} integrations…`);
      endToEnd = await measureThroughput(service, options);
      log(`[bench] end to end: ${endToEnd.eventsPerSecond} events/s, lag p99 ${endToEnd.lag.toCommitMs.p99} ms`);
      log(`[bench] processing lag: ${options.rate}/s for ${options.lagSeconds} s…`);
      lag = await measureLag(service, options);
      log(`[bench] processing lag: p50 ${lag.lag.toCommitMs.p50} ms, p99 ${lag.lag.toCommitMs.p99} ms (offered ${lag.accept.sentPerSecond}/s)`);
    }
    const outbound: OutboundRun[] = [];
    for (const failEvery of runs('outbound') ? [null, options.failEvery] : []) {
      log(`[bench] outbound: ${options.deliveries} deliveries${failEvery ? `, every ${failEvery}th request failing` : ''}…`);
      const run = await measureOutbound(service, options.deliveries, failEvery);
      outbound.push(run);
      log(`[bench] outbound: ${run.deliveriesPerSecond} deliveries/s, ${run.missing} missing, ${run.duplicates} duplicate(s)`);
    }
    const events = runs('events') ? await measureEventsApi(service, options, log) : [];
    let relay: RelayRun | undefined;
    if (runs('relay')) {
      log(`[bench] relay: ${options.relayEvents} webhooks → sales → a webhook destination…`);
      relay = await measureRelay(service, options);
      log(`[bench] relay: ${relay.eventsPerSecond} events/s, lag p99 ${relay.lagMs.p99} ms, ${relay.missing} missing, ${relay.duplicates} duplicate(s)`);
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
      events,
      relay,
      memory: { ...memory.stop(), temporalServerPeakRssMb: temporalMemory?.stop().peakRssMb.temporal },
      cpuByScenario: [],
      targets: [],
    };
    result.cpuByScenario = cpuByScenario(result);
    result.targets = judgeTargets(result);
    return result;
  } finally {
    memory.stop();
    temporalMemory?.stop();
    await service.stop();
  }
}
