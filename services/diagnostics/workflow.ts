import { WorkflowNotFoundError } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { openSecrets } from '../../db/queries/secrets';
import { integrationWorkflowId } from '../../contract/search-attributes';
import { logger } from '../../lib/logger';
import { type DiagnosticContext, type Detector, workflowLink } from './types';

/** Describing the workflow must not hold up a health read when Temporal is slow or away. */
const DESCRIBE_TIMEOUT_MS = 3000;
const MESSAGE_MAX = 500;
/** Run states the integration workflow never ends in while the integration is not disconnected. */
const BROKEN_RUN_STATES = ['FAILED', 'TERMINATED', 'CANCELLED', 'TIMED_OUT'];

const at = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** A failure message as shown to the workspace: short, and without any of the integration's secret values. */
function shown(ctx: DiagnosticContext, message: string | null | undefined): string | null {
  if (!message) return null;
  const secrets = Object.values(openSecrets(ctx.box, ctx.row)).filter((value): value is string => typeof value === 'string' && value.length >= 4);
  const redacted = secrets.reduce((text, secret) => text.replaceAll(secret, '[redacted]'), message);
  return redacted.length > MESSAGE_MAX ? `${redacted.slice(0, MESSAGE_MAX)}…` : redacted;
}

async function describe(ctx: DiagnosticContext, workflowId: string) {
  try {
    return await ctx.temporal.connection.withDeadline(Date.now() + DESCRIBE_TIMEOUT_MS, () => ctx.temporal.workflow.getHandle(workflowId).describe());
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) logger.warn({ err: error, integrationId: ctx.row.id }, 'could not describe the integration workflow for diagnosis');
    return undefined;
  }
}

/**
 * The integration's workflow cannot go on: an activity (a drain, a recorded transition, a credential
 * check…) failed `stuckWorkflowFailures` times in a row and is being retried, or the run ended
 * although the integration is not disconnected. Read from Temporal (describe), not from the database.
 */
export const stuckWorkflow: Detector = async (ctx) => {
  const { row, config } = ctx;
  if (row.state === 'disconnected') return undefined;
  const workflowId = integrationWorkflowId(row.id);
  const description = await describe(ctx, workflowId);
  if (!description) return undefined;
  const link = workflowLink(ctx);
  const run = { workflowId, runId: description.runId, runStatus: description.status.name, link };
  if (BROKEN_RUN_STATES.includes(description.status.name)) {
    return {
      scenario: 'stuck_workflow',
      severity: 'failing',
      likelyCause: `the integration's workflow is ${description.status.name.toLowerCase()} although the integration is ${row.state}: nothing drains its inbox or applies its lifecycle requests`,
      firstAction: `Open the workflow in the Temporal Web UI (${link}) to see how the run ended, then start it again (an operator reset of the run to its last workflow task, in the Web UI or with \`temporal workflow reset\`)`,
      action: { code: 'open_workflow', url: link },
      evidence: { ...run, activities: [] },
    };
  }
  const retrying = (description.raw.pendingActivities ?? []).filter((activity) => (activity.attempt ?? 1) > config.stuckWorkflowFailures);
  if (retrying.length === 0) return undefined;
  const activities = retrying.map((activity) => ({
    activityType: activity.activityType?.name ?? null,
    attempt: activity.attempt ?? null,
    lastFailure: shown(ctx, activity.lastFailure?.message),
    lastAttemptAt: at(optionalTsToMs(activity.lastAttemptCompleteTime)),
    nextAttemptAt: at(optionalTsToMs(activity.nextAttemptScheduleTime)),
  }));
  const [first] = activities;
  return {
    scenario: 'stuck_workflow',
    severity: 'failing',
    likelyCause: `the ${first.activityType} activity of the integration's workflow failed ${(first.attempt ?? 1) - 1} times in a row and is being retried${first.lastFailure ? `; last failure: ${first.lastFailure}` : ''}`,
    firstAction: `Open the workflow in the Temporal Web UI (${link}): the pending ${first.activityType} activity shows its last failure and stack trace. Fix what it names (the database, the provider, the data); the activity is retried on its own and the workflow goes on`,
    action: { code: 'open_workflow', url: link },
    evidence: { ...run, activities },
  };
};
