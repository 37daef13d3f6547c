import { sql } from 'kysely';
import { deliversEvents } from '../../db/queries/integrations';
import type { Advice, Detector } from './types';
import { iso } from '../../lib/iso';

const TRIGGER_DISABLED: Advice = {
  likelyCause: 'trigger disabled: the destination subscribes to none of the events this workspace produced',
  firstAction: 'Confirm the trigger configuration (the event types and routes in its settings) and PATCH /v1/integrations/{id} to subscribe to the events it should receive',
  action: { code: 'edit_settings' },
};

const NOT_DISPATCHED: Advice = {
  likelyCause: 'events it subscribes to were never dispatched: the outbound dispatcher (worker sweep) is not running',
  firstAction: 'Check that a worker runs, then the delivery log (GET /v1/integrations/{id}/deliveries)',
  action: { code: 'open_deliveries' },
};

/**
 * A destination that received nothing while the workspace produced events: either it subscribes to
 * none of them (trigger disabled), or what it subscribes to was never dispatched.
 */
export const noOutboundDeliveries: Detector = async ({ db, row, provider, since }) => {
  if (!provider.outbound || !deliversEvents(row) || row.state !== 'active') return undefined;
  const [latestByType, deliveries] = await Promise.all([
    db
      .selectFrom('events')
      .select(['type', 'data', sql<number>`count(*) over (partition by type)`.as('count')])
      .distinctOn('type')
      .where('workspace_id', '=', row.workspace_id)
      .where('is_test', '=', false)
      .where((eb) => eb.or([eb('integration_id', 'is', null), eb('integration_id', '!=', row.id)]))
      .where('created_at', '>', since)
      .orderBy('type')
      .orderBy('created_at', 'desc')
      .execute(),
    db.selectFrom('deliveries').select((eb) => eb.fn.countAll<number>().as('count')).where('integration_id', '=', row.id).where('created_at', '>', since).executeTakeFirstOrThrow(),
  ]);
  if (latestByType.length === 0 || Number(deliveries.count) > 0) return undefined;
  const settings = provider.settingsSchema.safeParse(row.settings);
  const outbound = provider.outbound;
  const subscribed = settings.success ? latestByType.filter((event) => outbound.subscribes(event, settings.data)).map((event) => event.type) : [];
  const evidence = {
    deliveries: 0,
    workspaceEvents: Object.fromEntries(latestByType.map((event) => [event.type, Number(event.count)])),
    subscribedTypes: subscribed,
    settingsValid: settings.success,
  };
  return { scenario: 'no_outbound_deliveries', ...(subscribed.length === 0 ? TRIGGER_DISABLED : NOT_DISPATCHED), evidence };
};

/** A failure streak or failed attempts in the last 24 h. */
export const deliveryFailures: Detector = async ({ db, row, provider }) => {
  if (!provider.outbound) return undefined;
  const recent = await db
    .selectFrom('delivery_attempts')
    .innerJoin('deliveries', 'deliveries.id', 'delivery_attempts.delivery_id')
    .select(['deliveries.id', 'deliveries.event_type', 'delivery_attempts.started_at', 'delivery_attempts.status_code', 'delivery_attempts.error', 'delivery_attempts.outcome'])
    .where('deliveries.integration_id', '=', row.id)
    .where('delivery_attempts.outcome', '!=', 'success')
    .where('delivery_attempts.started_at', '>', sql<Date>`now() - interval '24 hours'`)
    .orderBy('delivery_attempts.started_at', 'desc')
    .limit(5)
    .execute();
  if (row.consecutive_failures === 0 && recent.length === 0) return undefined;
  return {
    scenario: 'delivery_failures',
    likelyCause: 'destination failures: the destination refuses or does not answer our deliveries (see the last errors)',
    firstAction: 'Read the delivery log (GET /v1/integrations/{id}/deliveries), fix what the last error names (URL, credentials, channel), then redeliver (POST /v1/deliveries/{deliveryId}/redeliver)',
    // The latest failed attempt's delivery: its attempts show what the destination answered.
    action: recent[0] ? { code: 'open_delivery', deliveryId: recent[0].id } : { code: 'open_deliveries' },
    evidence: {
      consecutiveFailures: row.consecutive_failures,
      failingSince: iso(row.failing_since),
      lastSuccessAt: iso(row.last_delivery_success_at),
      lastFailures: recent.map((attempt) => ({
        deliveryId: attempt.id,
        eventType: attempt.event_type,
        at: iso(attempt.started_at),
        statusCode: attempt.status_code,
        outcome: attempt.outcome,
        error: attempt.error,
      })),
    },
  };
};
