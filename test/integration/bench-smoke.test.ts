import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBench } from '../../bench/bench';
import { DEFAULTS } from '../../bench/options';
import { markdown } from '../../bench/report';

describe('npm run bench at a tiny size', () => {
  it('runs every measurement, every event becomes a conversion, every delivery arrives exactly once', async () => {
    const outputDir = mkdtempSync(join(tmpdir(), 'linquid-bench-'));
    const result = await runBench(
      { ...DEFAULTS, acceptRequests: 20, acceptRounds: 2, concurrency: [5], integrations: 2, events: 50, rate: 25, lagSeconds: 2, deliveries: 20, failEvery: 5, relayEvents: 20, out: '' },
      {
        temporalAddress: process.env.TEMPORAL_ADDRESS,
        // Not the run's database itself but one of its own on the same server: the outbox is global, so other
        // test files' dispatchers would start the bench's deliveries on their task queues (and the bench theirs).
        databaseServer: process.env.DATABASE_URL,
        outputDir,
      },
      () => undefined,
    );
    rmSync(outputDir, { recursive: true, force: true });

    const { accept, endToEnd, lag, outbound, events, relay } = result;
    for (const run of [...accept!.baseline, ...accept!.runs.map((run) => ({ load: run.load }))]) {
      expect(run.load).toMatchObject({ requests: 20, ok: 20, errors: {} });
    }
    // Per round: one integration and two, first with the worker paused, then draining.
    const configurations = ['1 paused', '2 paused', '1 draining', '2 draining'];
    expect(accept!.runs.map((run) => `${run.round}: ${run.integrations} ${run.worker}`)).toEqual([1, 2].flatMap((round) => configurations.map((configuration) => `${round}: ${configuration}`)));
    // runBench waits until every event is a conversion and fails otherwise; these are the counts it waited for.
    expect([endToEnd!.events, lag!.events]).toEqual([50, 50]);
    expect(endToEnd!.rowsPerEvent.byTable.conversions).toBe(1);
    expect(endToEnd!.temporal.events).toBeGreaterThan(0);
    const exactlyOnce = { missing: 0, duplicates: 0, unexpected: 0, badSignatures: 0 };
    expect(outbound).toHaveLength(2);
    for (const run of outbound) expect(run).toMatchObject({ deliveries: 20, delivered: 20, ...exactlyOnce });
    expect(outbound[1].failedAttempts).toBeGreaterThan(0);
    // POST /v1/events: every request accepted (201), every event delivered once.
    expect(events.map((run) => run.concurrency)).toEqual([5]);
    expect(events[0].load).toMatchObject({ requests: 20, ok: 20, errors: {} });
    expect(events[0]).toMatchObject({ delivered: 20, failedAttempts: 0, ...exactlyOnce });
    // Relay: every webhook accepted, became a sale, and reached the destination once.
    expect(relay!.accept).toMatchObject({ requests: 20, ok: 20, errors: {} });
    expect(relay).toMatchObject({ events: 20, delivered: 20, ...exactlyOnce });
    expect(relay!.lagMs.p50).toBeGreaterThan(0);
    // CPU per unit of work of every scenario, per process.
    expect(result.cpuByScenario.map((entry) => entry.scenario)).toEqual([
      'accept c=5, 1 integration(s), worker paused',
      'accept c=5, 2 integration(s), worker paused',
      'accept c=5, 1 integration(s), worker draining',
      'accept c=5, 2 integration(s), worker draining',
      'end to end, full speed (c=5)',
      'end to end, 25/s offered',
      'outbound backlog',
      'outbound backlog, 1/5 failing',
      'POST /v1/events c=5, while accepting',
      'POST /v1/events c=5, posted → delivered',
      'relay c=5, 2 integration(s)',
    ]);
    for (const entry of result.cpuByScenario) {
      expect(entry.perProcessMs.api).toBeGreaterThan(0);
      expect(entry.totalMs).toBeGreaterThanOrEqual(entry.perProcessMs.api);
    }
    expect(result.memory.peakCombinedRssMb).toBeGreaterThan(0);
    expect(result.targets.map((target) => target.target)).toEqual(expect.arrayContaining(['`POST /v1/events` ≥ 1,000 req/s accepted', 'relay (webhook → conversion → destination) ≥ 500 events/s', 'end to end ≤ 1.5 ms CPU per event, all processes']));
    expect(result.targets).toHaveLength(13);
    const report = markdown(result);
    for (const heading of ['### `POST /v1/events`', '### Relay', '### CPU ms per unit of work, by process', '### Targets']) expect(report).toContain(heading);
  }, 600_000);
});
