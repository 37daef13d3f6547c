import { CompiledQuery } from 'kysely';
import { type Db, isDatabaseUnavailable } from '..';
import { groupCommit } from '../../lib/group-commit';
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

/** One inbox row as the accept statement takes it. */
interface InboxRow {
  eventType: string;
  payload: string;
  livemode: boolean | null;
  isTest: boolean;
}

/** A webhook's events as inbox rows, by dedup key (an event id repeated within the webhook is one row). */
interface WebhookRows {
  target: AcceptTarget;
  rows: Map<string, InboxRow>;
  /** Events whose id an earlier event of the same webhook had. */
  repeated: number;
}

/** Rows per accept statement: a flush carries the webhooks that arrived during the previous one, up to this. */
const MAX_FLUSH_ROWS = 500;

/**
 * Every webhook of a flush in one statement, one array per column. A conflict is a redelivery: it
 * counts a duplicate, and an event skipped while paused, redelivered while not paused (`excluded`
 * pending), is queued again. `requeued_at = now()` in RETURNING singles out the rows this statement
 * re-queued: now() is the statement's transaction start, which no earlier re-queue shares. One text
 * whatever the number of rows, so PostgreSQL plans it once per connection (db/prepared-statements).
 */
const ACCEPT_ROWS = `INSERT INTO inbox (integration_id, workspace_id, provider, dedup_key, event_type, payload, livemode, is_test, status, reason)
SELECT integration_id, workspace_id, provider, dedup_key, event_type, payload, livemode, is_test, status, reason
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::boolean[], $8::boolean[], $9::text[], $10::text[])
  AS accepted (integration_id, workspace_id, provider, dedup_key, event_type, payload, livemode, is_test, status, reason)
ON CONFLICT (integration_id, dedup_key) DO UPDATE SET
  duplicate_count = inbox.duplicate_count + 1,
  last_duplicate_at = now(),
  status = CASE WHEN inbox.status = 'skipped' AND excluded.status = 'pending' THEN 'pending' ELSE inbox.status END,
  reason = CASE WHEN inbox.status = 'skipped' AND excluded.status = 'pending' THEN NULL ELSE inbox.reason END,
  requeued_at = CASE WHEN inbox.status = 'skipped' AND excluded.status = 'pending' THEN now() ELSE inbox.requeued_at END
RETURNING integration_id, dedup_key, xmax = 0 AS created, coalesce(requeued_at = now(), false) AS requeued`;

interface StoredRow {
  integration_id: string;
  dedup_key: string;
  created: boolean;
  requeued: boolean;
}

function webhookRows(target: AcceptTarget, events: ParsedEvent[]): WebhookRows {
  const rows = new Map<string, InboxRow>();
  for (const event of events) {
    // Stored in a form PostgreSQL accepts, whatever the provider signed (see lib/storable).
    const key = storableKey(event.dedupKey);
    if (rows.has(key)) continue;
    rows.set(key, {
      eventType: storableText(event.type),
      payload: JSON.stringify(storableJson(event.payload)),
      livemode: event.livemode ?? null,
      // Test data: from the test runner, or what the provider says is test mode (Stripe livemode, Shopify test orders).
      isTest: target.fromTestRunner || event.livemode === false,
    });
  }
  return { target, rows, repeated: events.length - rows.size };
}

/** Writes the webhooks' rows in one statement and says, for each webhook, what it did. */
async function insertWebhooks(db: Db, webhooks: WebhookRows[]): Promise<AcceptedEvents[]> {
  const columns: unknown[][] = Array.from({ length: 10 }, () => []);
  for (const { target, rows } of webhooks) {
    for (const [key, row] of rows) {
      const values = [target.integrationId, target.workspaceId, target.provider, key, row.eventType, row.payload, row.livemode, row.isTest, target.paused ? 'skipped' : 'pending', target.paused ? 'paused' : null];
      values.forEach((value, column) => columns[column].push(value));
    }
  }
  const { rows: stored } = await db.executeQuery<StoredRow>(CompiledQuery.raw(ACCEPT_ROWS, columns));
  const byIntegration = new Map<string, Map<string, StoredRow>>();
  for (const row of stored) {
    const keys = byIntegration.get(row.integration_id) ?? new Map<string, StoredRow>();
    byIntegration.set(row.integration_id, keys.set(row.dedup_key, row));
  }
  return webhooks.map(({ target, rows, repeated }) => {
    const accepted: AcceptedEvents = { created: 0, requeued: 0, duplicates: repeated };
    for (const key of rows.keys()) {
      const row = byIntegration.get(target.integrationId)?.get(key);
      if (row?.created) accepted.created += 1;
      else if (row?.requeued) accepted.requeued += 1;
      else accepted.duplicates += 1;
    }
    return accepted;
  });
}

/**
 * Stores webhooks' events in the inbox, each under the provider's event id: `pending` (or `skipped`
 * while paused); an event already there only counts a redelivery. Concurrent webhooks are written
 * together (group commit, see lib/group-commit): each answer waits for the commit that holds its rows,
 * a webhook with an event id already in the flush waits for the next one, and a flush that fails for
 * anything but an unreachable database is tried again webhook by webhook, so only the faulty one fails.
 */
export function inboxAccepter(db: Db): (target: AcceptTarget, events: ParsedEvent[]) => Promise<AcceptedEvents> {
  const commit = groupCommit((webhooks: WebhookRows[]) => insertWebhooks(db, webhooks), {
    maxWeight: MAX_FLUSH_ROWS,
    weight: (webhook) => webhook.rows.size,
    // Integration ids never hold a newline: the pair is unambiguous.
    keys: (webhook) => [...webhook.rows.keys()].map((key) => `${webhook.target.integrationId}\n${key}`),
    retryAlone: (error) => !isDatabaseUnavailable(error),
  });
  return async (target, events) => (events.length === 0 ? { created: 0, requeued: 0, duplicates: 0 } : commit(webhookRows(target, events)));
}
