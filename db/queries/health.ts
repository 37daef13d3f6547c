import type { HealthStatus } from '../../contract/states';
import { sql } from 'kysely';
import type { Db } from '..';
import type { IntegrationRow } from '../schema';
import { queuedAt } from './inbox';
import { iso } from '../../lib/iso';
import { formatDuration } from '../../lib/duration';

/**
 * Health's own checks (documented in the README; services/diagnostics/health adds the open findings). `failing`:
 * the integration is in `error`, a destination failed its last FAILING_STREAK attempts in a row, or an
 * inbound event has waited FAILING_BACKLOG_MS (nothing is being processed). `degraded`: any delivery
 * failure in the last 24 h or an unbroken failure streak, an event waiting DEGRADED_BACKLOG_MS, a p95
 * processing lag over DEGRADED_LAG_SECONDS in the last hour, an inbound event that failed in the last
 * 24 h, or a refused signature in the last hour. Test events never count.
 */
const HEALTH_THRESHOLDS = {
  FAILING_STREAK: 3,
  FAILING_BACKLOG_MS: 15 * 60 * 1000,
  DEGRADED_BACKLOG_MS: 60 * 1000,
  DEGRADED_LAG_SECONDS: 60,
} as const;


export interface InboundHealth {
  lastEventReceivedAt: string | null;
  lastEventProcessedAt: string | null;
  pendingEvents: number;
  oldestPendingAgeSeconds: number | null;
  /** processed_at − received_at (or the replay's requeued_at) of the events received in the last hour and processed. */
  processingLagSeconds: { p50: number | null; p95: number | null; sampleSize: number };
  failedEventsLast24h: number;
  signatureFailuresLastHour: number;
}

export interface OutboundHealth {
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  failuresLast24h: number;
  consecutiveFailures: number;
  failingSince: string | null;
}

/** One of health's own checks that is off; `scenario` is the diagnostics finding it is also seen as (so health lists it once). */
export interface HealthCheck {
  status: Exclude<HealthStatus, 'healthy'>;
  reason: string;
  scenario?: string;
}

/** What health reads itself: each direction the provider supports, and its checks that are off. */
interface HealthSignals {
  inbound: InboundHealth | null;
  outbound: OutboundHealth | null;
  checks: HealthCheck[];
}

const seconds = (value: number | string | null) => (value === null ? null : Math.round(Number(value) * 1000) / 1000);

async function inboundHealth(db: Db, integrationId: string): Promise<InboundHealth> {
  const live = db.selectFrom('inbox').where('integration_id', '=', integrationId).where('is_test', '=', false);
  const [received, processed, pending, lag, failed, signatures] = await Promise.all([
    live.select('received_at').orderBy('received_at', 'desc').limit(1).executeTakeFirst(),
    // Newest received among the processed: the drain goes in arrival order (an index walk, not a sort).
    live.select('processed_at').where('processed_at', 'is not', null).orderBy('received_at', 'desc').limit(1).executeTakeFirst(),
    live
      .select([sql<number>`count(*)`.as('count'), sql<number | null>`extract(epoch from now() - min(${queuedAt}))`.as('oldest')])
      .where('status', '=', 'pending')
      .executeTakeFirstOrThrow(),
    live
      .select([
        sql<number | null>`percentile_cont(0.5) within group (order by extract(epoch from processed_at - ${queuedAt}))`.as('p50'),
        sql<number | null>`percentile_cont(0.95) within group (order by extract(epoch from processed_at - ${queuedAt}))`.as('p95'),
        sql<number>`count(*)`.as('count'),
      ])
      .where('received_at', '>', sql<Date>`now() - interval '1 hour'`)
      .where('processed_at', 'is not', null)
      .where('status', '!=', 'skipped')
      .executeTakeFirstOrThrow(),
    live
      .select(sql<number>`count(*)`.as('count'))
      .where('status', '=', 'failed')
      .where('received_at', '>', sql<Date>`now() - interval '24 hours'`)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('signature_failures')
      .select(sql<number>`coalesce(sum(count), 0)`.as('count'))
      .where('integration_id', '=', integrationId)
      .where('bucket', '>', sql<Date>`now() - interval '1 hour'`)
      .executeTakeFirstOrThrow(),
  ]);
  return {
    lastEventReceivedAt: iso(received?.received_at),
    lastEventProcessedAt: iso(processed?.processed_at),
    pendingEvents: Number(pending.count),
    oldestPendingAgeSeconds: seconds(pending.oldest),
    processingLagSeconds: { p50: seconds(lag.p50), p95: seconds(lag.p95), sampleSize: Number(lag.count) },
    failedEventsLast24h: Number(failed.count),
    signatureFailuresLastHour: Number(signatures.count),
  };
}

/** Failed attempts in the last 24 h; deliveries older than the retry window cannot have any. */
async function outboundHealth(db: Db, row: IntegrationRow, retryWindowMs: number): Promise<OutboundHealth> {
  const failures = await db
    .selectFrom('delivery_attempts')
    .innerJoin('deliveries', 'deliveries.id', 'delivery_attempts.delivery_id')
    .select(sql<number>`count(*)`.as('count'))
    .where('deliveries.integration_id', '=', row.id)
    .where('deliveries.created_at', '>', new Date(Date.now() - 24 * 3600 * 1000 - retryWindowMs))
    .where('delivery_attempts.started_at', '>', sql<Date>`now() - interval '24 hours'`)
    .where('delivery_attempts.outcome', '!=', 'success')
    .executeTakeFirstOrThrow();
  return {
    lastSuccessAt: iso(row.last_delivery_success_at),
    lastFailureAt: iso(row.last_delivery_failure_at),
    failuresLast24h: Number(failures.count),
    consecutiveFailures: row.consecutive_failures,
    failingSince: iso(row.failing_since),
  };
}

function judge(row: IntegrationRow, inbound: InboundHealth | null, outbound: OutboundHealth | null): HealthCheck[] {
  const t = HEALTH_THRESHOLDS;
  const waitedMs = (inbound?.oldestPendingAgeSeconds ?? 0) * 1000;
  const check = (status: HealthCheck['status'], scenario: string | undefined, reason: string | false | null | undefined): HealthCheck[] =>
    typeof reason === 'string' ? [{ status, reason, ...(scenario ? { scenario } : {}) }] : [];
  return [
    ...check('failing', 'stuck_in_error', row.state === 'error' && `the integration is in error: ${row.state_reason ?? 'no reason recorded'}`),
    ...check('failing', 'delivery_failures', outbound && outbound.consecutiveFailures >= t.FAILING_STREAK && `the last ${outbound.consecutiveFailures} delivery attempts failed`),
    ...check('failing', 'inbox_backlog', inbound && waitedMs >= t.FAILING_BACKLOG_MS && `an inbound event has waited ${formatDuration(waitedMs)} to be processed`),
    ...check('degraded', 'delivery_failures', outbound && outbound.consecutiveFailures > 0 && outbound.consecutiveFailures < t.FAILING_STREAK && `${outbound.consecutiveFailures} delivery attempt(s) failed in a row`),
    ...check('degraded', 'delivery_failures', outbound && outbound.failuresLast24h > 0 && `${outbound.failuresLast24h} failed delivery attempt(s) in the last 24 h`),
    ...check('degraded', 'inbox_backlog', inbound && waitedMs >= t.DEGRADED_BACKLOG_MS && waitedMs < t.FAILING_BACKLOG_MS && `an inbound event has waited ${formatDuration(waitedMs)} to be processed`),
    ...check('degraded', undefined, inbound && (inbound.processingLagSeconds.p95 ?? 0) > t.DEGRADED_LAG_SECONDS && `p95 processing lag is ${inbound.processingLagSeconds.p95} s`),
    ...check('degraded', 'failed_events', inbound && inbound.failedEventsLast24h > 0 && `${inbound.failedEventsLast24h} inbound event(s) failed in the last 24 h`),
    ...check('degraded', 'signature_failures', inbound && inbound.signatureFailuresLastHour > 0 && `${inbound.signatureFailuresLastHour} webhook(s) refused for their signature in the last hour`),
  ];
}

/** Health's own reads (the data flow's numbers and the checks on them); services/diagnostics/health adds the findings. */
export async function healthSignals(
  db: Db,
  row: IntegrationRow,
  capabilities: { inbound: boolean; outbound: boolean },
  retryWindowMs: number,
): Promise<HealthSignals> {
  const [inbound, outbound] = await Promise.all([
    capabilities.inbound ? inboundHealth(db, row.id) : null,
    capabilities.outbound ? outboundHealth(db, row, retryWindowMs) : null,
  ]);
  return { inbound, outbound, checks: judge(row, inbound, outbound) };
}

/** Inbox rows waiting, service-wide (integrations not disconnected), and the oldest one's age: read at scrape time. */
export async function inboxBacklog(db: Db): Promise<{ pending: number; oldestAgeSeconds: number }> {
  const row = await db
    .selectFrom('inbox')
    .innerJoin('integrations', 'integrations.id', 'inbox.integration_id')
    .select([sql<number>`count(*)`.as('pending'), sql<number | null>`extract(epoch from now() - min(${queuedAt}))`.as('oldest')])
    .where('inbox.status', '=', 'pending')
    .where('integrations.state', '!=', 'disconnected')
    .executeTakeFirstOrThrow();
  return { pending: Number(row.pending), oldestAgeSeconds: Number(row.oldest ?? 0) };
}
