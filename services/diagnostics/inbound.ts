import { sql } from 'kysely';
import { isAmountPending } from '../../db/queries/amounts';
import { queuedAt } from '../../db/queries/inbox';
import { iso } from '../../lib/iso';
import { type Advice, type Detector, replayCall, workflowLink } from './types';

/** Ignored events are "many" from this count, when they are at least half of what was handled. */
const IGNORED_MIN = 3;
/** Conversions this close (same customer, event, amount) under different external ids are duplicates. */
const DUPLICATE_WINDOW_SECONDS = 10 * 60;
/** Redeliveries of already-received events (summed duplicate_count) that are "high". */
const REDELIVERIES_MIN = 5;
/** A pending event older than this means nothing is draining the inbox. */
const BACKLOG_STALE_SECONDS = 5 * 60;
const EXAMPLES = 5;

const live = (ctx: Parameters<Detector>[0]) =>
  ctx.db.selectFrom('inbox').where('integration_id', '=', ctx.row.id).where('is_test', '=', false).where('received_at', '>', ctx.since);

/** The live events left in `status`: how many, and the most common reasons first. */
async function byReason(ctx: Parameters<Detector>[0], status: 'ignored' | 'failed') {
  const rows = await live(ctx).select(['reason', (eb) => eb.fn.countAll<number>().as('count')]).where('status', '=', status).groupBy('reason').orderBy('count', 'desc').execute();
  return { total: rows.reduce((sum, entry) => sum + Number(entry.count), 0), top: rows.slice(0, EXAMPLES).map((entry) => ({ reason: entry.reason, count: Number(entry.count) })) };
}

/** Sales without a value, or events the mapping threw away: the provider's fields are not where we look. */
export const wrongValues: Detector = async (ctx) => {
  const { db, row, since } = ctx;
  const [valueless, ignored, handled] = await Promise.all([
    db
      .selectFrom('conversions')
      .select(['id', 'external_id', 'amount_minor', 'currency'])
      .where('workspace_id', '=', row.workspace_id)
      .where('integration_id', '=', row.id)
      .where('is_test', '=', false)
      .where('type', 'in', ['sale', 'refund'])
      .where('created_at', '>', since)
      .where((eb) => eb.or([eb('amount_minor', '=', '0'), eb('amount_minor', 'is', null), eb('currency', 'is', null)]))
      // Waiting for the provider to say (see pendingAmounts): not a wrong value.
      .where((eb) => eb.not(isAmountPending))
      .orderBy('created_at', 'desc')
      .execute(),
    byReason(ctx, 'ignored'),
    live(ctx).select((eb) => eb.fn.countAll<number>().as('count')).where('status', 'in', ['processed', 'ignored']).executeTakeFirstOrThrow(),
  ]);
  const manyIgnored = ignored.total >= IGNORED_MIN && ignored.total * 2 >= Number(handled.count);
  if (valueless.length === 0 && !manyIgnored) return undefined;
  return {
    scenario: 'wrong_values',
    likelyCause: 'field mapping mismatch: events arrive, but the amount/currency or the event names are not where the integration’s settings and normalization look',
    firstAction: `Re-check the provider field mapping (settings: event mapping, stage ids, currency) against a recent event in GET /v1/integrations/{id}/webhook-events, PATCH the settings, then replay the ignored events: ${replayCall('ignored')}`,
    action: { code: 'edit_settings' },
    evidence: {
      salesWithoutValue: valueless.length,
      salesWithoutValueExamples: valueless.slice(0, EXAMPLES).map((c) => ({ conversionId: c.id, externalId: c.external_id, amountMinor: c.amount_minor === null ? null : Number(c.amount_minor), currency: c.currency })),
      ignoredEvents: ignored.total,
      handledEvents: Number(handled.count),
      topIgnoredReasons: ignored.top,
    },
  };
};

/** A pending sale is a finding from this age on; at once when no credentials could ever read its amount. */
const PENDING_STALE_SECONDS = 15 * 60;
const NEEDS_CREDENTIALS = ['no_credentials', 'refused'];

/** What to do about sales waiting for their amount, by why they wait (`AmountPending.code`). */
const PENDING_ADVICE: Record<string, Advice> = {
  no_credentials: {
    likelyCause: 'the provider’s webhooks carry no amount for these sales, and no API access token is stored to read it',
    firstAction: 'Store an access token that can read the provider’s records: POST /v1/integrations/{id}/reauthorize with {"secrets":{"accessToken":"…"}}; waiting sales are read again on the next drain',
    action: { code: 'reauthorize' },
  },
  refused: {
    likelyCause: 'the provider refused the stored access token when asked for the amount (expired, revoked, or missing the read scope)',
    firstAction: 'Store a valid access token with the read scope: POST /v1/integrations/{id}/reauthorize; waiting sales are read again on the next drain',
    action: { code: 'reauthorize' },
  },
  unreachable: {
    likelyCause: 'the provider’s API could not be reached when these sales came in (outage, timeout, rate limit)',
    firstAction: 'Check the provider’s API status; waiting sales are read again on each drain (up to 100 at a time) once it answers',
    action: null,
  },
  not_read: {
    likelyCause: 'the provider’s API was not asked for these sales yet',
    firstAction: 'Nothing to do if it clears on the next drain; else check the worker logs for "pending amounts"',
    action: null,
  },
  not_found: {
    likelyCause: 'the provider has no record for these sales any more (deleted or merged), so no amount can be read',
    firstAction: 'Check the records named in the evidence in the provider; a record that exists again is read on the next drain',
    action: null,
  },
  not_set: {
    likelyCause: 'the records have no amount in the provider yet',
    firstAction: 'Set the amount on the record in the provider: the change completes the sale',
    action: null,
  },
};

/** Sales stored without an amount that has not arrived: nothing was forwarded for them yet. */
export const pendingAmounts: Detector = async ({ db, row, since }) => {
  const pending = await db
    .selectFrom('conversions')
    .select(['id', 'external_id', 'created_at', sql<string>`metadata->'amountPending'->>'code'`.as('code'), sql<string>`metadata->'amountPending'->>'reason'`.as('reason')])
    .where('integration_id', '=', row.id)
    .where(isAmountPending)
    .where('type', '=', 'sale')
    .where('is_test', '=', false)
    .where('created_at', '>', since)
    .where((eb) => eb.or([eb(sql`metadata->'amountPending'->>'code'`, 'in', NEEDS_CREDENTIALS), eb('created_at', '<', sql<Date>`now() - make_interval(secs => ${PENDING_STALE_SECONDS})`)]))
    .orderBy('created_at')
    .execute();
  if (pending.length === 0) return undefined;
  const counts = new Map<string, number>();
  for (const sale of pending) counts.set(sale.code, (counts.get(sale.code) ?? 0) + 1);
  const [top] = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  const advice = PENDING_ADVICE[top[0]] ?? PENDING_ADVICE.not_read;
  return {
    scenario: 'amounts_pending',
    ...advice,
    evidence: {
      pendingSales: pending.length,
      byCode: Object.fromEntries(counts),
      examples: pending.slice(0, EXAMPLES).map((sale) => ({ conversionId: sale.id, externalId: sale.external_id, code: sale.code, reason: sale.reason, pendingSince: iso(sale.created_at) })),
    },
  };
};

/** The same sale twice under different ids: the sender's id is not stable (new id per retry or per resend). */
export const duplicateConversions: Detector = async ({ db, row, since }) => {
  const pairs = await db
    .selectFrom('conversions as a')
    .innerJoin('conversions as b', (join) =>
      join
        .onRef('b.workspace_id', '=', 'a.workspace_id')
        .onRef('b.integration_id', '=', 'a.integration_id')
        .onRef('b.customer_id', '=', 'a.customer_id')
        .onRef('b.event_name', '=', 'a.event_name')
        .onRef('b.type', '=', 'a.type')
        .onRef('b.external_id', '!=', 'a.external_id')
        .onRef('b.id', '>', 'a.id')
        .on(sql<boolean>`b.amount_minor is not distinct from a.amount_minor and b.currency is not distinct from a.currency`)
        .on(sql<boolean>`abs(extract(epoch from b.occurred_at - a.occurred_at)) <= ${DUPLICATE_WINDOW_SECONDS}`)
        .on('b.is_test', '=', false),
    )
    .select(['a.id as first', 'b.id as second', 'a.external_id as firstExternalId', 'b.external_id as secondExternalId', 'a.customer_id', 'a.event_name', 'a.amount_minor', 'a.currency'])
    .where('a.workspace_id', '=', row.workspace_id)
    .where('a.integration_id', '=', row.id)
    .where('a.is_test', '=', false)
    .where('a.created_at', '>', since)
    // Sales still waiting for their amount all have none: alike, not duplicates.
    .where('a.amount_minor', 'is not', null)
    .limit(EXAMPLES)
    .execute();
  if (pairs.length === 0) return undefined;
  return {
    scenario: 'duplicate_conversions',
    likelyCause: 'missing idempotency key: the same conversion arrived under different external ids, so the business dedup could not see it was one',
    firstAction: 'Enforce stable ids at the sender: one transaction/order id per sale and one event id per event, unchanged on retries (generic webhooks: orderId and webhook-id / Idempotency-Key)',
    action: null,
    evidence: {
      pairs: pairs.map((pair) => ({
        conversionIds: [pair.first, pair.second],
        externalIds: [pair.firstExternalId, pair.secondExternalId],
        customerId: pair.customer_id,
        eventName: pair.event_name,
        amountMinor: pair.amount_minor === null ? null : Number(pair.amount_minor),
        currency: pair.currency,
      })),
      windowSeconds: DUPLICATE_WINDOW_SECONDS,
    },
  };
};

/** Many copies of the same event id: harmless (absorbed by the inbox), but the sender is retrying or replaying. */
export const redeliveredEvents: Detector = async (ctx) => {
  const top = await live(ctx).select(['dedup_key', 'duplicate_count', 'last_duplicate_at']).where('duplicate_count', '>', 0).orderBy('duplicate_count', 'desc').limit(100).execute();
  const total = top.reduce((sum, entry) => sum + entry.duplicate_count, 0);
  if (total < REDELIVERIES_MIN) return undefined;
  return {
    scenario: 'redelivered_events',
    likelyCause: 'the sender delivers the same events again (retries after slow or non-2xx answers, or a replaying relay); the stable event id absorbed them, a changing one would have created duplicates',
    firstAction: 'Check the provider’s delivery log for failed or slow attempts to this endpoint, and keep the event id (idempotency key) stable on every retry',
    action: null,
    evidence: { redeliveries: total, topEvents: top.slice(0, EXAMPLES).map((entry) => ({ eventId: entry.dedup_key, duplicates: entry.duplicate_count, lastDuplicateAt: iso(entry.last_duplicate_at) })) },
  };
};

/** Refused signatures in the last hour (per-minute buckets written by the webhook route). */
export const signatureFailures: Detector = async ({ db, row }) => {
  const buckets = await db
    .selectFrom('signature_failures')
    .select(['bucket', 'count', 'last_reason'])
    .where('integration_id', '=', row.id)
    .where('bucket', '>', sql<Date>`now() - interval '1 hour'`)
    .orderBy('bucket', 'desc')
    .execute();
  if (buckets.length === 0) return undefined;
  return {
    scenario: 'signature_failures',
    likelyCause: 'wrong secret: the provider signs with a secret that is not the stored one (rotated on the provider side, copied from the wrong endpoint or mode), or a proxy alters the body',
    firstAction: 'Copy the signing secret of this exact endpoint from the provider again and store it: POST /v1/integrations/{id}/secrets/rotate (or …/reauthorize)',
    action: { code: 'rotate_secret' },
    evidence: {
      failuresLastHour: buckets.reduce((sum, bucket) => sum + bucket.count, 0),
      lastReason: buckets[0].last_reason,
      perMinute: buckets.slice(0, 10).map((bucket) => ({ minute: iso(bucket.bucket), count: bucket.count, reason: bucket.last_reason })),
    },
  };
};

/** Pending events getting old: nothing drains the inbox. */
export const inboxBacklog: Detector = async (ctx) => {
  const backlog = await ctx.db
    .selectFrom('inbox')
    .select([(eb) => eb.fn.countAll<number>().as('pending'), sql<number | null>`extract(epoch from now() - min(${queuedAt}))`.as('oldest')])
    .where('integration_id', '=', ctx.row.id)
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow();
  const oldest = Number(backlog.oldest ?? 0);
  if (oldest < BACKLOG_STALE_SECONDS) return undefined;
  return {
    scenario: 'inbox_backlog',
    likelyCause: 'events are stored but not processed: no worker is polling the task queue, or the integration’s workflow is stuck',
    firstAction: 'Check that a worker runs (node dist/worker/main.js) and open workflow integration-{id} in the Temporal Web UI (pending activity, last failure)',
    action: { code: 'open_workflow', url: workflowLink(ctx) },
    evidence: { pendingEvents: Number(backlog.pending), oldestPendingAgeSeconds: Math.round(oldest), doorbell: ctx.row.doorbell },
  };
};

/** Events the pipeline could not apply (each fails alone; the rest go on). */
export const failedEvents: Detector = async (ctx) => {
  const failed = await byReason(ctx, 'failed');
  if (failed.total === 0) return undefined;
  return {
    scenario: 'failed_events',
    likelyCause: 'events the pipeline could not apply (unexpected data for the normalization or a database constraint)',
    firstAction: `Read the reasons in GET /v1/integrations/{id}/webhook-events?status=failed, fix the cause, then replay them: ${replayCall('failed')}`,
    action: { code: 'replay', status: 'failed' },
    evidence: { failedEvents: failed.total, topReasons: failed.top },
  };
};
