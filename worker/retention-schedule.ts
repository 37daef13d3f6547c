import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy, type ScheduleUpdateOptions } from '@temporalio/client';
import type { Config } from '../lib/config';
import { logger } from '../lib/logger';
import { retentionWorkflow } from '../workflows/retention';

export const RETENTION_SCHEDULE_ID = 'linquid-retention';

/**
 * Creates the retention Schedule, or brings an existing one to this worker's configuration: every worker
 * start does this, so the last one started decides (a deployment's workers share one configuration).
 * The policy travels as the workflow's input, so the Web UI shows the windows each run applied.
 * `RETENTION_ENABLED=false` leaves it paused, with a note saying why. A Temporal that refuses (a
 * locked-down namespace) is logged and the worker runs on: its integrations matter more.
 */
export async function ensureRetentionSchedule(temporal: Client, config: Pick<Config, 'retention' | 'taskQueue'>): Promise<void> {
  const { enabled, intervalMs, policy } = config.retention;
  const options: ScheduleUpdateOptions = {
    spec: { intervals: [{ every: intervalMs }] },
    action: {
      type: 'startWorkflow',
      workflowType: retentionWorkflow,
      workflowId: RETENTION_SCHEDULE_ID,
      taskQueue: config.taskQueue,
      args: [policy],
      staticSummary: `Retention: inbox ${policy.inboxDays} d, delivery attempts ${policy.deliveryAttemptsDays} d, signature failures ${policy.signatureFailuresDays} d, transitions ${policy.transitionsDays} d`,
    },
    // A run still going when the next is due (a large backlog) is not doubled; one missed during an outage is made up.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: intervalMs },
    state: enabled ? { paused: false, note: 'retention on (worker configuration)' } : { paused: true, note: 'turned off: RETENTION_ENABLED=false' },
  };
  try {
    try {
      await temporal.schedule.create({ scheduleId: RETENTION_SCHEDULE_ID, ...options });
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      await temporal.schedule.getHandle(RETENTION_SCHEDULE_ID).update(() => options);
    }
  } catch (error) {
    logger.error({ err: error, scheduleId: RETENTION_SCHEDULE_ID }, 'could not create or update the retention schedule; retention does not run');
  }
}
