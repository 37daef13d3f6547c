import { Context } from '@temporalio/activity';
import type { Db } from '../db';
import { expiredRows } from '../db/queries/retention';
import { logger } from '../lib/logger';
import { metrics } from '../lib/metrics';
import type { RetentionPassInput, RetentionPassResult } from '../contract/retention';

/** One pass deletes for up to this long, then hands back so the workflow records progress (and can be cancelled). */
const PASS_BUDGET_MS = 30_000;

/** Deletes one table's expired rows in batches (each its own short statement), heartbeating after each. */
export function applyRetentionActivity(db: Db) {
  return async function applyRetention({ table, policy }: RetentionPassInput): Promise<RetentionPassResult> {
    const activity = Context.current();
    const deleteBatch = await expiredRows(db, table, policy);
    const deadline = Date.now() + PASS_BUDGET_MS;
    let deleted = 0;
    let batches = 0;
    let more = true;
    while (more) {
      const batch = await deleteBatch();
      deleted += batch.deleted;
      batches += 1;
      metrics.retentionDeleted.inc({ table }, batch.deleted);
      activity.heartbeat({ deleted });
      more = !batch.done;
      if (more && (Date.now() >= deadline || activity.cancellationSignal.aborted)) break;
    }
    if (deleted > 0) logger.info({ table, deleted, batches, complete: !more }, 'retention deleted expired rows');
    return { deleted, batches, more };
  };
}
