import { sql } from 'kysely';
import type { InboxStatus } from '../../contract/states';
import type { Db } from '..';
import { storableJson, storableKey, storableText } from '../../lib/storable';
import type { ParsedEvent } from '../../providers/types';

/** The integration a webhook's events are accepted for, and whether they are stored as skipped. */
export interface AcceptTarget {
  integrationId: string;
  workspaceId: string;
  provider: string;
  paused: boolean;
  /** Every event is test data (sent by the integration's test runner). */
  fromTestRunner: boolean;
}

/** What accepting a webhook's events did: new rows, skipped rows queued again, and plain duplicates. */
export interface AcceptedEvents {
  created: number;
  requeued: number;
  duplicates: number;
}

/**
 * A redelivery of an event skipped while paused, arriving when the integration is not paused, is queued
 * again (and still counted as a redelivery), in the accept statement itself. Every other conflict is a
 * duplicate. `requeued_at = now()` in RETURNING singles out the rows this statement re-queued: now() is
 * the statement's transaction start, which no earlier re-queue shares.
 */
const REQUEUE_SKIPPED = {
  status: sql<InboxStatus>`CASE WHEN inbox.status = 'skipped' THEN 'pending' ELSE inbox.status END`,
  reason: sql<string | null>`CASE WHEN inbox.status = 'skipped' THEN NULL ELSE inbox.reason END`,
  requeued_at: sql<Date | null>`CASE WHEN inbox.status = 'skipped' THEN now() ELSE inbox.requeued_at END`,
};

/**
 * Stores a webhook's events in the inbox in one statement, each under the provider's event id: `pending`
 * (or `skipped` while paused); an event already there only counts a redelivery.
 */
export async function acceptInboxEvents(db: Db, target: AcceptTarget, events: ParsedEvent[]): Promise<AcceptedEvents> {
  if (events.length === 0) return { created: 0, requeued: 0, duplicates: 0 };
  const { paused } = target;
  const stored = await db
    .insertInto('inbox')
    .values(
      events.map((event) => ({
        integration_id: target.integrationId,
        workspace_id: target.workspaceId,
        provider: target.provider,
        // Stored in a form PostgreSQL accepts, whatever the provider signed (see lib/storable).
        dedup_key: storableKey(event.dedupKey),
        event_type: storableText(event.type),
        payload: JSON.stringify(storableJson(event.payload)),
        livemode: event.livemode ?? null,
        // Test data: from the test runner, or what the provider says is test mode (Stripe livemode, Shopify test orders).
        is_test: target.fromTestRunner || event.livemode === false,
        status: paused ? 'skipped' : 'pending',
        reason: paused ? 'paused' : null,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['integration_id', 'dedup_key']).doUpdateSet({
        duplicate_count: sql`inbox.duplicate_count + 1`,
        last_duplicate_at: sql`now()`,
        ...(paused ? {} : REQUEUE_SKIPPED),
      }),
    )
    .returning(['id', sql<boolean>`(xmax = 0)`.as('created'), sql<boolean>`coalesce(requeued_at = now(), false)`.as('requeued')])
    .execute();
  const created = stored.filter((row) => row.created).length;
  const requeued = stored.filter((row) => row.requeued).length;
  return { created, requeued, duplicates: stored.length - created - requeued };
}
