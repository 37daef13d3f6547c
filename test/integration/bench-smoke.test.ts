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
      { ...DEFAULTS, acceptRequests: 20, concurrency: [5], integrations: 2, events: 50, rate: 25, lagSeconds: 2, deliveries: 20, failEvery: 5, out: '' },
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

    for (const run of [...result.accept.baseline, ...result.accept.runs.map((accept) => ({ load: accept.load }))]) {
      expect(run.load).toMatchObject({ requests: 20, ok: 20, errors: {} });
    }
    expect(result.accept.runs.map((run) => run.integrations)).toEqual([1, 2]);
    // runBench waits until every event is a conversion and fails otherwise; these are the counts it waited for.
    expect([result.endToEnd.events, result.lag.events]).toEqual([50, 50]);
    expect(result.endToEnd.rowsPerEvent.byTable.conversions).toBe(1);
    expect(result.endToEnd.temporal.events).toBeGreaterThan(0);
    expect(result.outbound).toHaveLength(2);
    for (const run of result.outbound) {
      expect(run).toMatchObject({ deliveries: 20, delivered: 20, missing: 0, duplicates: 0, unexpected: 0, badSignatures: 0 });
    }
    expect(result.outbound[1].failedAttempts).toBeGreaterThan(0);
    expect(result.memory.peakCombinedRssMb).toBeGreaterThan(0);
    expect(result.targets).toHaveLength(8);
    expect(markdown(result)).toContain('### Targets');
  }, 600_000);
});
