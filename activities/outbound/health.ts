import type { Client } from '@temporalio/client';
import { sql } from 'kysely';
import type { Db } from '../../db';
import type { StateReason } from '../../contract/states';
import { formatDuration } from '../../lib/duration';
import { logger } from '../../lib/logger';
import type { DeliveryResult } from '../../providers/types';
import type { RecordedOutcome, withAttemptsRecorded } from './attempt';
import { lifecycleSignals } from '../../contract/definitions';
import { integrationWorkflowId } from '../../contract/search-attributes';

export interface HealthPolicy {
  /** Consecutive failed attempts that move the destination to `error`. */
  threshold: number;
  /** …or failing for this long without a success. */
  windowMs: number;
}

/** A run of attempt results in completion order; a 4xx counts as a failure, a 410 (or a request it cancelled) as neither. */
export interface Tally {
  successes: number;
  failures: number;
  /** Failures after the last success. */
  trailing: number;
  lastError?: string;
  /** A 410 among them. */
  gone: boolean;
}

export function tally(results: Array<{ outcome: RecordedOutcome; result: DeliveryResult }>): Tally {
  const counted: Tally = { successes: 0, failures: 0, trailing: 0, gone: false };
  for (const { outcome, result } of results) {
    if (outcome === 'success') {
      counted.successes += 1;
      counted.trailing = 0;
    } else if (outcome === 'retry' || outcome === 'rejected') {
      counted.failures += 1;
      counted.trailing += 1;
      counted.lastError = result.error ?? `HTTP ${result.statusCode}`;
    } else if (outcome === 'gone') {
      counted.gone = true;
    }
  }
  return counted;
}

/** The destination after a run of results was recorded. */
export interface DestinationAfter {
  /** Still worth sending to: active, and it never answered 410. */
  open: boolean;
  /** The reason to move it to `error`, the first time the streak crosses the policy (claimed in the row, so it is raised once). */
  alert?: string;
  /** This run holds its first 410 (claimed in `gone_at`, so the disconnect is asked for once). */
  firstGone: boolean;
}

function streakAfter(counted: Tally, now: Date) {
  if (counted.successes > 0) {
    return {
      consecutive_failures: counted.trailing,
      failing_since: counted.trailing > 0 ? now : null,
      failure_alerted_at: null,
      last_delivery_success_at: now,
      ...(counted.trailing > 0 ? { last_delivery_failure_at: now } : {}),
    };
  }
  if (counted.failures === 0) return {};
  return {
    consecutive_failures: sql<number>`consecutive_failures + ${counted.failures}::int`,
    failing_since: sql<Date>`coalesce(failing_since, now())`,
    last_delivery_failure_at: now,
  };
}

/**
 * Applies a run of results to the destination's failure streak (and `gone_at` on a 410), and reads where it
 * stands — as the last part of `statement` (the attempts' CTEs: attempt.ts), so the results and the streak
 * commit together in one statement. Crossing the policy is claimed in a second statement, once: only while
 * the streak lasts and nobody claimed it since.
 */
export async function recordHealth(db: Db, statement: ReturnType<typeof withAttemptsRecorded>, integrationId: string, counted: Tally, policy: HealthPolicy): Promise<DestinationAfter> {
  const now = new Date();
  const changes = { ...streakAfter(counted, now), ...(counted.gone ? { gone_at: sql<Date>`coalesce(gone_at, now())` } : {}) };
  const columns = ['consecutive_failures', 'failing_since', 'failure_alerted_at', 'state', 'gone_at', sql<boolean>`gone_at = now()`.as('claimed')] as const;
  const row =
    Object.keys(changes).length > 0
      ? await statement.updateTable('integrations').set(changes).where('id', '=', integrationId).returning(columns).executeTakeFirstOrThrow()
      : await statement.selectFrom('integrations').select(columns).where('id', '=', integrationId).executeTakeFirstOrThrow();
  const after = { open: row.state === 'active' && row.gone_at === null, firstGone: counted.gone && row.claimed === true };
  if (counted.trailing === 0 || !after.open || row.failure_alerted_at) return after;
  const failingForMs = now.getTime() - (row.failing_since?.getTime() ?? now.getTime());
  const alert =
    row.consecutive_failures >= policy.threshold
      ? `${row.consecutive_failures} consecutive delivery failures (last: ${counted.lastError})`
      : failingForMs >= policy.windowMs
        ? `deliveries failing for ${formatDuration(failingForMs)} (last: ${counted.lastError})`
        : undefined;
  if (!alert) return after;
  const claimed = await db
    .updateTable('integrations')
    .set({ failure_alerted_at: now })
    .where('id', '=', integrationId)
    .where('failure_alerted_at', 'is', null)
    .where('consecutive_failures', '>', 0)
    .returning('id')
    .executeTakeFirst();
  return claimed ? { ...after, alert } : after;
}

/** Asks the destination's integration workflow to change state; a lost `fail` signal is re-armed for the next failure. */
export async function signalDestination(db: Db, temporal: Client, integrationId: string, action: 'fail' | 'disconnect', reason: StateReason): Promise<void> {
  try {
    await temporal.workflow.getHandle(integrationWorkflowId(integrationId)).signal(lifecycleSignals[action], { reason: reason.message, reasonCode: reason.code, actor: 'system:outbound' });
    logger.warn({ integrationId, action, reason: reason.message }, 'destination state change requested');
  } catch (error) {
    logger.warn({ err: error, integrationId, action }, 'could not signal the destination workflow');
    if (action === 'fail') await db.updateTable('integrations').set({ failure_alerted_at: null }).where('id', '=', integrationId).execute();
  }
}
