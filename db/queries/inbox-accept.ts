import { CompiledQuery } from 'kysely';
import { type Db, isDatabaseUnavailable } from '..';
import { coalesced } from '../../lib/coalesce';
import { groupCommit } from '../../lib/group-commit';
import { logger } from '../../lib/logger';
import { byLockOrder } from '../../lib/lock-order';
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

/**
 * What accepting a webhook's events did: new rows, skipped rows queued again, duplicates, and events
 * busy: already there but not to be answered now (see COUNT_REDELIVERIES), which the provider is to send again.
 */
export interface AcceptedEvents {
  created: number;
  requeued: number;
  duplicates: number;
  busy: number;
}

/** One inbox row as the accept statement takes it. */
interface InboxRow {
  eventType: string;
  payload: string;
  /** UTF-8 length of `payload`: what the drain's byte budget counts (the stored size is compressed). */
  payloadBytes: number;
  livemode: boolean | null;
  isTest: boolean;
}

/** A webhook's events as inbox rows, by dedup key (an event id repeated within the webhook is one row). */
interface WebhookRows {
  target: AcceptTarget;
  rows: Map<string, InboxRow>;
  /** Events whose id an earlier event of the same webhook had. */
  repeated: number;
  /** Payload bytes of its rows. */
  bytes: number;
}

/** Rows per accept statement: a flush carries the webhooks that arrived during the previous one, up to this. */
const MAX_FLUSH_ROWS = 500;
/**
 * Payload bytes per accept statement. pg holds a flush's payloads several times over (the JSON texts, the
 * escaped jsonb[] literal, the Bind message) and PostgreSQL parses them all for one statement: 4 MB keeps
 * that to a few tens of MB per process, and still carries hundreds of typical webhooks (a few KB each) per
 * flush, so only a burst of large bodies (up to BODY_LIMIT_BYTES each) makes more, smaller flushes. The
 * drain's INBOX_BATCH_BYTES has the same default.
 */
const MAX_FLUSH_BYTES = 4 * 1024 * 1024;

/**
 * Every webhook of a flush in one statement, one array per column, the rows in lock order (see
 * insertWebhooks). It never waits on a row lock: DO NOTHING takes none on a committed row (a drain holds
 * its batch's rows for its whole transaction, and a flush waiting for one would hold up every webhook of
 * the process). The keys it did not insert are redeliveries, counted by COUNT_REDELIVERIES. One text
 * whatever the number of rows, so PostgreSQL plans it once per connection (db/prepared-statements).
 */
const INSERT_ROWS = `INSERT INTO inbox (integration_id, workspace_id, provider, dedup_key, event_type, payload, payload_bytes, livemode, is_test, status, reason)
SELECT integration_id, workspace_id, provider, dedup_key, event_type, payload, payload_bytes, livemode, is_test, status, reason
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::integer[], $8::boolean[], $9::boolean[], $10::text[], $11::text[])
  AS accepted (integration_id, workspace_id, provider, dedup_key, event_type, payload, payload_bytes, livemode, is_test, status, reason)
ON CONFLICT (integration_id, dedup_key) DO NOTHING
RETURNING integration_id, dedup_key`;

/**
 * The redeliveries of a flush (keys INSERT_ROWS found taken), with the status each was sent with: each
 * counts a duplicate, and an event skipped while paused, redelivered while not paused (sent `pending`),
 * is queued again. Rows another transaction holds are skipped (`SKIP LOCKED`), not waited for: a held
 * `pending` row is a duplicate all the same (whatever holds it — a drain, a replay — leaves it applied
 * once); any other (skipped, to be queued again; or being deleted by retention) is busy. A later
 * statement than the insert, so its snapshot shows rows another process committed meanwhile (the same
 * event sent to two API processes at once). `requeued_at = now()` singles out the rows this statement
 * re-queued: now() is its transaction's start, which no earlier re-queue shares.
 */
const COUNT_REDELIVERIES = `WITH found AS (
  SELECT inbox.id, inbox.integration_id, inbox.dedup_key, inbox.status, sent.status = 'pending' AS requeue
  FROM unnest($1::text[], $2::text[], $3::text[]) AS sent (integration_id, dedup_key, status)
  JOIN inbox ON inbox.integration_id = sent.integration_id AND inbox.dedup_key = sent.dedup_key
), unheld AS (
  SELECT found.id, found.requeue FROM inbox JOIN found ON inbox.id = found.id FOR UPDATE OF inbox SKIP LOCKED
), counted AS (
  UPDATE inbox SET
    duplicate_count = inbox.duplicate_count + 1,
    last_duplicate_at = now(),
    status = CASE WHEN inbox.status = 'skipped' AND unheld.requeue THEN 'pending' ELSE inbox.status END,
    reason = CASE WHEN inbox.status = 'skipped' AND unheld.requeue THEN NULL ELSE inbox.reason END,
    requeued_at = CASE WHEN inbox.status = 'skipped' AND unheld.requeue THEN now() ELSE inbox.requeued_at END
  FROM unheld WHERE inbox.id = unheld.id
  RETURNING inbox.id, coalesce(inbox.requeued_at = now(), false) AS requeued
)
SELECT found.integration_id, found.dedup_key, false AS created, coalesce(counted.requeued, false) AS requeued, counted.id IS NULL AND found.status <> 'pending' AS busy,
  CASE WHEN counted.id IS NULL AND found.status = 'pending' THEN found.id END AS count_later
FROM found LEFT JOIN counted ON counted.id = found.id`;

/** A held `pending` row's redelivery, counted once its holder lets go (see heldRedeliveryCounter). */
const COUNT_HELD_REDELIVERY = `UPDATE inbox SET duplicate_count = duplicate_count + 1, last_duplicate_at = now() WHERE id = $1`;

interface StoredRow {
  integration_id: string;
  dedup_key: string;
  created: boolean;
  requeued: boolean;
  busy: boolean;
  /** A redelivery of a row another transaction held, to be counted after it (COUNT_HELD_REDELIVERY). */
  count_later?: string | null;
}

function webhookRows(target: AcceptTarget, events: ParsedEvent[]): WebhookRows {
  const rows = new Map<string, InboxRow>();
  let bytes = 0;
  for (const event of events) {
    // Stored in a form PostgreSQL accepts, whatever the provider signed (see lib/storable).
    const key = storableKey(event.dedupKey);
    if (rows.has(key)) continue;
    const payload = JSON.stringify(storableJson(event.payload));
    const payloadBytes = Buffer.byteLength(payload);
    bytes += payloadBytes;
    rows.set(key, {
      eventType: storableText(event.type),
      payload,
      payloadBytes,
      livemode: event.livemode ?? null,
      // Test data: from the test runner, or what the provider says is test mode (Stripe livemode, Shopify test orders).
      isTest: target.fromTestRunner || event.livemode === false,
    });
  }
  return { target, rows, repeated: events.length - rows.size, bytes };
}

/** One row of a flush, with the webhook it came from. */
interface FlushRow {
  target: AcceptTarget;
  key: string;
  row: InboxRow;
}

/** What a flush's statements said of its rows, by integration and event id. */
type StoredRows = Map<string, Map<string, StoredRow>>;

function remember(into: StoredRows, rows: StoredRow[]): void {
  for (const row of rows) {
    const keys = into.get(row.integration_id) ?? new Map<string, StoredRow>();
    into.set(row.integration_id, keys.set(row.dedup_key, row));
  }
}

const statusOf = (target: AcceptTarget) => (target.paused ? 'skipped' : 'pending');

async function insertRows(db: Db, rows: FlushRow[], into: StoredRows): Promise<void> {
  const columns: unknown[][] = Array.from({ length: 11 }, () => []);
  for (const { target, key, row } of rows) {
    const values = [target.integrationId, target.workspaceId, target.provider, key, row.eventType, row.payload, row.payloadBytes, row.livemode, row.isTest, statusOf(target), target.paused ? 'paused' : null];
    values.forEach((value, column) => columns[column].push(value));
  }
  const { rows: inserted } = await db.executeQuery<Pick<StoredRow, 'integration_id' | 'dedup_key'>>(CompiledQuery.raw(INSERT_ROWS, columns));
  remember(
    into,
    inserted.map((row) => ({ ...row, created: true, requeued: false, busy: false })),
  );
}

/** Held redeliveries waiting to be counted; past this many (a storm during a stuck drain) more are not. */
const MAX_HELD_COUNTS = 10_000;

/**
 * Counts the redeliveries of held `pending` rows (the accept answered them as duplicates without waiting)
 * once their holder lets go: off the flush, one row at a time and one pass at a time per process, so
 * they wait for the drain's commit on one pooled connection while every webhook goes on, and the
 * redelivered-events diagnosis sees a retry storm during a drain. A count lost to a crash, a timeout or
 * the bound only lowers that figure.
 */
function heldRedeliveryCounter(db: Db): { add(ids: string[]): void; pass: () => Promise<void> } {
  const waiting: string[] = [];
  const pass = coalesced(async () => {
    for (let id = waiting.shift(); id !== undefined; id = waiting.shift()) {
      await db.executeQuery(CompiledQuery.raw(COUNT_HELD_REDELIVERY, [id])).catch((error: unknown) => logger.warn({ err: error, inboxId: id }, 'a held redelivery was not counted'));
    }
  });
  return { add: (ids) => waiting.push(...ids.slice(0, Math.max(0, MAX_HELD_COUNTS - waiting.length))), pass };
}

async function countRedeliveries(db: Db, rows: FlushRow[]): Promise<StoredRow[]> {
  const columns = [rows.map(({ target }) => target.integrationId), rows.map(({ key }) => key), rows.map(({ target }) => statusOf(target))];
  return (await db.executeQuery<StoredRow>(CompiledQuery.raw(COUNT_REDELIVERIES, columns))).rows;
}

/**
 * Writes the webhooks' rows and says, for each webhook, what it did (matched by key): one statement for
 * a flush of new events, a second for its redeliveries, if any. The rows go in (integration, event id)
 * lock order, so the flushes of two processes never deadlock (lib/lock-order); sorted here rather than by
 * ORDER BY, which would pass every payload through a sort in PostgreSQL, while unnest hands the rows to
 * the INSERT in array order.
 */
async function insertWebhooks(db: Db, webhooks: WebhookRows[], countHeld: (ids: string[]) => void): Promise<AcceptedEvents[]> {
  const sorted: FlushRow[] = webhooks.flatMap(({ target, rows }) => [...rows].map(([key, row]) => ({ target, key, row })));
  sorted.sort((a, b) => byLockOrder(a.target.integrationId, b.target.integrationId) || byLockOrder(a.key, b.key));
  const stored: StoredRows = new Map();
  await insertRows(db, sorted, stored);
  const taken = sorted.filter(({ target, key }) => !stored.get(target.integrationId)?.has(key));
  if (taken.length > 0) {
    const redelivered = await countRedeliveries(db, taken);
    remember(stored, redelivered);
    const held = redelivered.flatMap((row) => (row.count_later ? [row.count_later] : []));
    if (held.length > 0) countHeld(held);
  }
  return webhooks.map(({ target, rows, repeated }) => {
    const accepted: AcceptedEvents = { created: 0, requeued: 0, duplicates: repeated, busy: 0 };
    for (const key of rows.keys()) {
      const row = stored.get(target.integrationId)?.get(key);
      // Found by neither statement: deleted since (retention).
      if (!row || row.busy) accepted.busy += 1;
      else if (row.created) accepted.created += 1;
      else if (row.requeued) accepted.requeued += 1;
      else accepted.duplicates += 1;
    }
    return accepted;
  });
}

/**
 * Stores webhooks' events in the inbox, each under the provider's event id: `pending` (or `skipped`
 * while paused); an event already there counts a redelivery (or is busy: no lock is waited for, see
 * COUNT_REDELIVERIES). Concurrent webhooks are written together (group commit, see lib/group-commit, up to
 * MAX_FLUSH_ROWS and MAX_FLUSH_BYTES): each answer waits for the commit that holds its rows, a webhook
 * with an event id already in the flush waits for the next one, and a flush that fails for anything but
 * an unreachable database is tried again webhook by webhook, so only the faulty one fails.
 */
export function inboxAccepter(db: Db, later: (work: () => Promise<void>) => void = (work) => void work()): (target: AcceptTarget, events: ParsedEvent[]) => Promise<AcceptedEvents> {
  const held = heldRedeliveryCounter(db);
  const countHeld = (ids: string[]) => {
    held.add(ids);
    later(held.pass);
  };
  const commit = groupCommit((webhooks: WebhookRows[]) => insertWebhooks(db, webhooks, countHeld), {
    maxWeight: MAX_FLUSH_ROWS,
    weight: (webhook) => webhook.rows.size,
    maxBytes: MAX_FLUSH_BYTES,
    bytes: (webhook) => webhook.bytes,
    // Integration ids never hold a newline: the pair is unambiguous.
    keys: (webhook) => [...webhook.rows.keys()].map((key) => `${webhook.target.integrationId}\n${key}`),
    retryAlone: (error) => !isDatabaseUnavailable(error),
  });
  return async (target, events) => (events.length === 0 ? { created: 0, requeued: 0, duplicates: 0, busy: 0 } : commit(webhookRows(target, events)));
}
