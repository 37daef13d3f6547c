import { ApplicationFailure, log, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { failureMessage } from '../contract/failures';
import { RETENTION_TABLES, type RetentionPolicy, type RetentionReport } from '../contract/retention';

/**
 * Passes per table and run: a run (and its history) stays bounded, and what is left waits for the next
 * run. At the activity's 30 s budget this is up to 10 minutes per table.
 */
const MAX_PASSES_PER_TABLE = 20;

const { applyRetention } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '30 seconds',
  // PostgreSQL away: a few tries, then the table waits for the next scheduled run.
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
});

/**
 * One retention run, started by the `linquid-retention` Schedule: each table in turn, pass after pass
 * while its last pass ran out of time. A table that fails does not keep the others from their pass;
 * the run then fails naming it (visible in the Web UI), and the next run tries again.
 */
export async function retentionWorkflow(policy: RetentionPolicy): Promise<RetentionReport> {
  const report: RetentionReport = {};
  const failed: string[] = [];
  for (const table of RETENTION_TABLES) {
    const totals = { deleted: 0, batches: 0, complete: false };
    report[table] = totals;
    try {
      for (let pass = 0; pass < MAX_PASSES_PER_TABLE && !totals.complete; pass++) {
        const result = await applyRetention({ table, policy });
        totals.deleted += result.deleted;
        totals.batches += result.batches;
        totals.complete = !result.more;
      }
    } catch (error) {
      log.warn('retention pass failed', { table, error: String(error) });
      failed.push(`${table}: ${failureMessage(error)}`);
    }
  }
  if (failed.length > 0) throw ApplicationFailure.nonRetryable(`retention failed for ${failed.join('; ')}`, 'RetentionFailed', report);
  return report;
}
