import { setTimeout as delay } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import { type Selectable, sql, type Transaction } from 'kysely';
import type { Db } from '../db';
import { applyInboundFacts, type InboundFacts, type Origin } from '../db/queries/conversions';
import type { Database, InboxResult, InboxTable } from '../db/schema';
import { logger } from '../lib/logger';
import { metrics } from '../lib/metrics';
import { getProvider } from '../providers';
import type { Effect, NormalizeResult, ProviderModule } from '../providers/types';
import { providerReads, type ProviderReadDeps, type ProviderReads } from './provider-reads';

export interface DrainInboxInput {
  integrationId: string;
}

export interface DrainInboxResult {
  processed: number;
  /** More rows are waiting: the workflow drains again without needing another doorbell. */
  more: boolean;
  /** Lifecycle changes the provider asked for (app uninstalled, account deauthorized…). */
  lifecycle: Array<{ action: 'disconnect'; reason: string }>;
}

/**
 * One activity keeps draining while events keep coming, up to this long: under load, history grows by
 * one activity per budget of traffic instead of one per batch. A lifecycle request does not wait for it
 * (the workflow cancels the drain, and it stops after its current batch).
 */
const DRAIN_BUDGET_MS = 20_000;
/** Once the inbox is empty, how long the activity waits for the next event before handing back. */
const LINGER_MS = 1_000;
/** How often an idle drain looks for new rows (one indexed probe, no transaction): lag it may add. */
const POLL_MS = 250;

type RowOutcome = { status: 'processed'; result: InboxResult } | { status: 'ignored' | 'failed'; reason: string };

/**
 * Drains the integration's inbox in batches, one transaction each: every event is normalized by its
 * provider module and applied idempotently; a poison event fails alone. When the inbox stays empty the
 * doorbell is re-armed (see `ringDoorbell`). `announce` is called after each batch that committed
 * workspace events (the outbox dispatcher): a long drain does not hold back deliveries until it ends.
 * Providers whose webhooks leave things out get their API asked before each batch's transaction
 * (`providerReads`): for sales still waiting for an amount, and for the batch's events.
 */
export function drainInboxActivity({ db, box, config }: ProviderReadDeps, batchSize: number, announce: () => void) {
  return async function drainInbox({ integrationId }: DrainInboxInput): Promise<DrainInboxResult> {
    const integration = await db
      .selectFrom('integrations')
      .select(['workspace_id', 'provider', 'settings'])
      .where('id', '=', integrationId)
      .executeTakeFirstOrThrow();
    const provider = getProvider(integration.provider);
    // A destination-only integration (Slack) has no inbox; failing here would retry forever and block its workflow.
    if (!provider?.inbound) return { processed: 0, more: false, lifecycle: [] };
    const settings = provider.settingsSchema.parse(integration.settings);
    const lifecycle: DrainInboxResult['lifecycle'] = [];
    const reads = await providerReads({ db, box, config }, integrationId, provider, settings);

    /**
     * One transaction over one batch. Every event is normalized on its own (a normalizer that throws
     * fails its event alone), then all are applied together with a few set-based statements; if that
     * fails, the batch is rolled back and redone with a savepoint per event, so the poison event fails
     * alone. (Savepoints cost a round trip each, and hundreds overflow PostgreSQL's subtransaction cache.)
     */
    const applyBatch = (isolateEvents: boolean, { enrichment, lastId }: BatchReads) =>
      db.transaction().execute(async (trx) => {
        let pending = trx
          .selectFrom('inbox')
          .select(['id', 'dedup_key', 'event_type', 'payload', 'livemode', 'is_test', 'received_at', 'requeued_at'])
          .where('integration_id', '=', integrationId)
          .where('status', '=', 'pending');
        // Only rows the provider read was made for: one that arrived after it would be normalized unread.
        if (lastId !== undefined) pending = pending.where(sql<boolean>`id <= ${lastId}::bigint`);
        const rows = await pending
          .orderBy('id')
          .limit(batchSize)
          .forUpdate()
          .skipLocked()
          .execute();
        // A worker that dies mid-batch is noticed within the heartbeat timeout, not the 2-minute one.
        Context.current().heartbeat();
        const outcomes = new Map<InboxBatchRow, RowOutcome>();
        const fail = (row: InboxBatchRow, error: unknown) => {
          const reason = error instanceof Error ? error.message : String(error);
          logger.warn({ workspaceId: integration.workspace_id, integrationId, inboxId: row.id, eventId: row.dedup_key, eventType: row.event_type, reason }, 'inbound event failed');
          outcomes.set(row, { status: 'failed', reason });
        };
        // Normalized one by one: a normalizer that throws fails its event without touching the others.
        const facts = rows.flatMap((row) => {
          try {
            const normalized = normalizeRow(provider, settings, row, enrichment.get(String(row.id)));
            if (normalized.status === 'apply') return [applicable(integration, integrationId, row, normalized.effects)];
            outcomes.set(row, { status: 'ignored', reason: normalized.reason });
          } catch (error) {
            fail(row, error);
          }
          return [];
        });
        const requested: DrainInboxResult['lifecycle'] = [];
        const processed = (fact: ApplicableRow, result: InboxResult) => {
          outcomes.set(fact.row, { status: 'processed', result });
          requested.push(...fact.requested);
        };
        if (!isolateEvents) {
          const applied = await applyInboundFacts(trx, facts.map((fact) => fact.facts)).catch((error: unknown) => {
            throw new IsolateEvents(error);
          });
          facts.forEach((fact, index) => processed(fact, applied[index]));
        } else {
          for (const fact of facts) {
            await sql`SAVEPOINT inbox_event`.execute(trx);
            try {
              const [applied] = await applyInboundFacts(trx, [fact.facts]);
              processed(fact, applied);
            } catch (error) {
              await sql`ROLLBACK TO SAVEPOINT inbox_event`.execute(trx);
              fail(fact.row, error);
            }
          }
        }
        const ordered = rows.map((row) => ({ row, outcome: outcomes.get(row)! }));
        if (ordered.length > 0) await markInboxRows(trx, ordered.map(({ row, outcome }) => ({ id: Number(row.id), outcome })));
        return { outcomes: ordered, requested };
      });

    const drainBatch = async (): Promise<number> => {
      const enrichment: BatchReads = reads ? await readBeforeBatch(db, { integrationId, workspaceId: integration.workspace_id }, batchSize, reads, announce) : { enrichment: new Map() };
      const { outcomes, requested } = await applyBatch(false, enrichment).catch((error: unknown) => {
        if (error instanceof IsolateEvents) return applyBatch(true, enrichment);
        throw error;
      });
      lifecycle.push(...requested);
      if (outcomes.some(({ outcome }) => outcome.status === 'processed' && outcome.result.eventIds.length > 0)) announce();
      for (const { row, outcome } of outcomes) {
        metrics.inboundProcessed.inc({ provider: integration.provider, status: outcome.status });
        // A replayed row waited from its re-queue, not from its first arrival.
        metrics.processingLag.observe({ provider: integration.provider }, (Date.now() - (row.requeued_at ?? row.received_at).getTime()) / 1000);
        if (outcome.status === 'processed') metrics.conversionsApplied.inc({ provider: integration.provider }, outcome.result.conversionIds.length);
      }
      return outcomes.length;
    };

    const activity = Context.current();
    const pendingWithin = async (ms: number): Promise<boolean> => {
      for (const until = Date.now() + ms; Date.now() < until && !activity.cancellationSignal.aborted; ) {
        await delay(POLL_MS);
        activity.heartbeat();
        if (await hasPending(db, integrationId)) return true;
      }
      return false;
    };

    const deadline = Date.now() + DRAIN_BUDGET_MS;
    let processed = 0;
    for (;;) {
      const batch = await drainBatch();
      metrics.inboxBatchSize.observe(batch);
      processed += batch;
      if (lifecycle.length > 0 || activity.cancellationSignal.aborted) break;
      if (Date.now() >= deadline) return { processed, more: true, lifecycle };
      // Nothing at all (a repeated ring, a new run): hand back at once. A full batch: more is waiting.
      // Otherwise wait a little for the next events (fewer, larger batches).
      if (processed === 0) break;
      if (batch < batchSize && !(await pendingWithin(Math.min(LINGER_MS, deadline - Date.now())))) break;
    }
    const more = await rearmDoorbell(db, integrationId);
    return { processed, more, lifecycle };
  };
}

type InboxBatchRow = Pick<Selectable<InboxTable>, 'id' | 'dedup_key' | 'event_type' | 'payload' | 'livemode' | 'is_test' | 'received_at' | 'requeued_at'>;

/** A normalized row waiting to be applied: its facts, and the lifecycle changes it asks for once applied. */
interface ApplicableRow {
  row: InboxBatchRow;
  facts: InboundFacts;
  requested: DrainInboxResult['lifecycle'];
}

function applicable(integration: { workspace_id: string; provider: string }, integrationId: string, row: InboxBatchRow, effects: Effect[]): ApplicableRow {
  const origin: Origin = {
    workspaceId: integration.workspace_id,
    integrationId,
    provider: integration.provider,
    inboxId: Number(row.id),
    externalEventId: row.dedup_key,
    isTest: row.is_test,
  };
  return {
    row,
    facts: { origin, effects: effects.filter((effect) => effect.kind !== 'lifecycle') },
    requested: effects.flatMap((effect) => (effect.kind === 'lifecycle' ? [{ action: effect.action, reason: effect.reason }] : [])),
  };
}

/** Thrown out of the optimistic pass: some event failed, redo the batch isolating each event. */
class IsolateEvents extends Error {
  constructor(cause: unknown) {
    super('an event of the batch failed', { cause });
  }
}

/** Every drained row's outcome in one statement rather than one UPDATE per row. */
async function markInboxRows(trx: Transaction<Database>, rows: Array<{ id: number; outcome: RowOutcome }>): Promise<void> {
  const values = rows.map(({ id, outcome }) => {
    const processed = outcome.status === 'processed';
    return sql`(${id}::bigint, ${outcome.status}::text, ${processed ? null : outcome.reason}::text, ${processed ? JSON.stringify(outcome.result) : null}::jsonb)`;
  });
  await sql`UPDATE inbox SET status = v.status, reason = v.reason, result = v.result, processed_at = now()
    FROM (VALUES ${sql.join(values)}) AS v(id, status, reason, result)
    WHERE inbox.id = v.id`.execute(trx);
}

function normalizeRow(
  provider: ProviderModule,
  settings: unknown,
  row: { dedup_key: string; event_type: string; payload: unknown; livemode: boolean | null; received_at: Date },
  enrichment: unknown,
): NormalizeResult {
  return provider.inbound!.normalize(
    {
      dedupKey: row.dedup_key,
      type: row.event_type,
      payload: row.payload,
      livemode: row.livemode ?? undefined,
      receivedAt: row.received_at.toISOString(),
      ...(enrichment !== undefined && { enrichment }),
    },
    settings,
  );
}

/**
 * Before a batch's transaction: sales still waiting for their amount are read again (when due), then
 * the provider's reads for the rows the batch will most likely hold (looked at without a lock); a row
 * that arrives after them waits for the next batch (the transaction takes none past the last row read).
 */
async function readBeforeBatch(
  db: Db,
  ids: { integrationId: string; workspaceId: string },
  batchSize: number,
  reads: ProviderReads,
  announce: () => void,
): Promise<BatchReads> {
  const { integrationId } = ids;
  // A provider read that fails in a way its module did not foresee must not block the inbox: what it
  // was for waits for a later read.
  const unforeseen = (what: string) => (error: unknown) => {
    logger.warn({ ...ids, reason: error instanceof Error ? error.message : String(error) }, `${what} failed`);
    return undefined;
  };
  if (await reads.retryPendingAmounts().catch(unforeseen('re-reading pending amounts'))) announce();
  const rows = await db
    .selectFrom('inbox')
    .select(['id', 'dedup_key', 'event_type', 'payload'])
    .where('integration_id', '=', integrationId)
    .where('status', '=', 'pending')
    .orderBy('id')
    .limit(batchSize)
    .execute();
  const activity = Context.current();
  activity.heartbeat();
  const enriched = await reads.enrich(rows).catch(unforeseen('reading for the batch'));
  activity.heartbeat();
  // No row read: nothing is applied yet ('-1' matches no id).
  return { enrichment: enriched ?? new Map<string, unknown>(), lastId: rows.length === 0 ? '-1' : String(rows[rows.length - 1].id) };
}

/** What was read from the provider for a batch, and the last inbox row it was read for (undefined: no read, any row). */
interface BatchReads {
  enrichment: Map<string, unknown>;
  lastId?: string;
}

/**
 * Clears the doorbell, then looks again: a row that slipped in meanwhile is drained now, and any row
 * inserted after this point finds the doorbell clear and rings it (see api/webhooks).
 */
async function rearmDoorbell(db: Db, integrationId: string): Promise<boolean> {
  await db.updateTable('integrations').set({ doorbell: false }).where('id', '=', integrationId).execute();
  if (!(await hasPending(db, integrationId))) return false;
  await db.updateTable('integrations').set({ doorbell: true }).where('id', '=', integrationId).execute();
  return true;
}

/** Whether a row waits, from the partial index of pending rows alone. */
async function hasPending(db: Db, integrationId: string): Promise<boolean> {
  const waiting = await db
    .selectFrom('inbox')
    .select('id')
    .where('integration_id', '=', integrationId)
    .where('status', '=', 'pending')
    .limit(1)
    .executeTakeFirst();
  return waiting !== undefined;
}
