import type { Client } from '@temporalio/client';
import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db';
import type { Database } from '../../db/schema';
import { logger } from '../../lib/logger';
import type { DeliveryResult } from '../../providers/types';
import { lifecycleSignals } from '../../workflows/definitions';
import { integrationWorkflowId } from '../../workflows/search-attributes';

export interface HealthPolicy {
  /** Consecutive failed attempts that move the destination to `error`. */
  threshold: number;
  /** …or failing for this long without a success. */
  windowMs: number;
}

/** A run of attempt results in completion order; a 4xx counts as a failure, a 410 as neither. */
export interface Tally {
  successes: number;
  failures: number;
  /** Failures after the last success. */
  trailing: number;
  lastError?: string;
}

export function tally(results: DeliveryResult[]): Tally {
  const counted: Tally = { successes: 0, failures: 0, trailing: 0 };
  for (const result of results) {
    if (result.outcome === 'success') {
      counted.successes += 1;
      counted.trailing = 0;
    } else if (result.outcome === 'retry' || result.outcome === 'rejected') {
      counted.failures += 1;
      counted.trailing += 1;
      counted.lastError = result.error ?? `HTTP ${result.statusCode}`;
    }
  }
  return counted;
}

/**
 * Applies a run of results to the destination's failure streak. Returns the reason to move it to
 * `error` the first time the streak crosses the policy (claimed in the row, so it is raised once).
 */
export async function recordHealth(trx: Transaction<Database>, integrationId: string, counted: Tally, policy: HealthPolicy): Promise<string | undefined> {
  if (counted.successes === 0 && counted.failures === 0) return undefined;
  const now = new Date();
  const streak =
    counted.successes > 0
      ? {
          consecutive_failures: counted.trailing,
          failing_since: counted.trailing > 0 ? now : null,
          failure_alerted_at: null,
          last_delivery_success_at: now,
          ...(counted.trailing > 0 ? { last_delivery_failure_at: now } : {}),
        }
      : {
          consecutive_failures: sql<number>`consecutive_failures + ${counted.failures}::int`,
          failing_since: sql<Date>`coalesce(failing_since, now())`,
          last_delivery_failure_at: now,
        };
  const row = await trx
    .updateTable('integrations')
    .set(streak)
    .where('id', '=', integrationId)
    .returning(['consecutive_failures', 'failing_since', 'failure_alerted_at', 'state'])
    .executeTakeFirstOrThrow();
  if (counted.trailing === 0 || row.state !== 'active' || row.failure_alerted_at) return undefined;
  const failingForMs = now.getTime() - (row.failing_since?.getTime() ?? now.getTime());
  const reason =
    row.consecutive_failures >= policy.threshold
      ? `${row.consecutive_failures} consecutive delivery failures (last: ${counted.lastError})`
      : failingForMs >= policy.windowMs
        ? `deliveries failing for ${Math.round(failingForMs / 3_600_000)} h (last: ${counted.lastError})`
        : undefined;
  if (!reason) return undefined;
  await trx.updateTable('integrations').set({ failure_alerted_at: now }).where('id', '=', integrationId).execute();
  return reason;
}

/** Asks the destination's integration workflow to change state; a lost `fail` signal is re-armed for the next failure. */
export async function signalDestination(db: Db, temporal: Client, integrationId: string, action: 'fail' | 'disconnect', reason: string): Promise<void> {
  try {
    await temporal.workflow.getHandle(integrationWorkflowId(integrationId)).signal(lifecycleSignals[action], { reason, actor: 'system:outbound' });
    logger.warn({ integrationId, action, reason }, 'destination state change requested');
  } catch (error) {
    logger.warn({ err: error, integrationId, action }, 'could not signal the destination workflow');
    if (action === 'fail') await db.updateTable('integrations').set({ failure_alerted_at: null }).where('id', '=', integrationId).execute();
  }
}
