import { setTimeout as delay } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import { sql, type Transaction } from 'kysely';
import type { Db } from '../db';
import { type Applied, insertConversion, type Origin, upsertCustomer } from '../db/queries/conversions';
import type { Database, InboxResult } from '../db/schema';
import { logger } from '../lib/logger';
import { metrics } from '../lib/metrics';
import { getProvider } from '../providers';
import type { Effect, ProviderModule } from '../providers/types';

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
 * one activity per few seconds of traffic instead of one per batch; lifecycle requests wait at most this.
 */
const DRAIN_BUDGET_MS = 5000;
/** After a partial batch, let a few more events arrive: fewer, larger transactions. */
const COLLECT_MS = 50;

type RowOutcome = { status: 'processed'; result: InboxResult } | { status: 'ignored' | 'failed'; reason: string };

/**
 * Drains the integration's inbox in batches, one transaction each: every event is normalized by its
 * provider module and applied idempotently; a poison event is rolled back to its savepoint and marked
 * failed alone. When the inbox is empty the doorbell is re-armed (see `ringDoorbell`).
 */
export function drainInboxActivity(db: Db, batchSize: number) {
  return async function drainInbox({ integrationId }: DrainInboxInput): Promise<DrainInboxResult> {
    const integration = await db
      .selectFrom('integrations')
      .select(['id', 'workspace_id', 'provider', 'settings', 'state'])
      .where('id', '=', integrationId)
      .executeTakeFirstOrThrow();
    const provider = getProvider(integration.provider);
    // A destination-only integration (Slack) has no inbox; failing here would retry forever and block its workflow.
    if (!provider?.inbound) return { processed: 0, more: false, lifecycle: [] };
    const settings = provider.settingsSchema.parse(integration.settings);
    const lifecycle: DrainInboxResult['lifecycle'] = [];

    /**
     * One transaction over one batch. Optimistically without savepoints (each costs a round trip, and
     * hundreds overflow PostgreSQL's subtransaction cache); if any event fails, the batch is rolled back
     * and redone with a savepoint per event, so the poison event fails alone.
     */
    const applyBatch = (isolateEvents: boolean) =>
      db.transaction().execute(async (trx) => {
        const rows = await trx
          .selectFrom('inbox')
          .select(['id', 'dedup_key', 'event_type', 'payload', 'livemode', 'is_test', 'received_at'])
          .where('integration_id', '=', integrationId)
          .where('status', '=', 'pending')
          .orderBy('id')
          .limit(batchSize)
          .forUpdate()
          .skipLocked()
          .execute();
        const outcomes: Array<{ row: (typeof rows)[number]; outcome: RowOutcome }> = [];
        const requested: DrainInboxResult['lifecycle'] = [];
        for (const row of rows) {
          // A worker that dies mid-batch is noticed within the heartbeat timeout, not the 2-minute one.
          Context.current().heartbeat();
          const origin: Origin = {
            workspaceId: integration.workspace_id,
            integrationId,
            provider: integration.provider,
            inboxId: Number(row.id),
            externalEventId: row.dedup_key,
            isTest: row.is_test,
          };
          const apply = async (effects: Effect[]) => {
            const applied: Applied = { customerIds: [], conversionIds: [], eventIds: [] };
            for (const effect of effects) {
              if (effect.kind === 'customer') await upsertCustomer(trx, origin, effect.customer, applied);
              else if (effect.kind === 'conversion') await insertConversion(trx, origin, effect.conversion, applied);
              else requested.push({ action: effect.action, reason: effect.reason });
            }
            return applied;
          };
          if (!isolateEvents) {
            outcomes.push({ row, outcome: await applyEvent(provider, settings, row, apply).catch((error: unknown) => {
              throw new IsolateEvents(error);
            }) });
            continue;
          }
          await sql`SAVEPOINT inbox_event`.execute(trx);
          try {
            outcomes.push({ row, outcome: await applyEvent(provider, settings, row, apply) });
          } catch (error) {
            await sql`ROLLBACK TO SAVEPOINT inbox_event`.execute(trx);
            const reason = error instanceof Error ? error.message : String(error);
            logger.warn({ workspaceId: integration.workspace_id, integrationId, inboxId: row.id, eventId: row.dedup_key, eventType: row.event_type, reason }, 'inbound event failed');
            outcomes.push({ row, outcome: { status: 'failed', reason } });
          }
        }
        if (outcomes.length > 0) await markInboxRows(trx, outcomes.map(({ row, outcome }) => ({ id: Number(row.id), outcome })));
        return { outcomes, requested };
      });

    const drainBatch = async (): Promise<number> => {
      const { outcomes, requested } = await applyBatch(false).catch((error: unknown) => {
        if (error instanceof IsolateEvents) return applyBatch(true);
        throw error;
      });
      lifecycle.push(...requested);
      for (const { row, outcome } of outcomes) {
        metrics.inboundProcessed.inc({ provider: integration.provider, status: outcome.status });
        metrics.processingLag.observe({ provider: integration.provider }, (Date.now() - row.received_at.getTime()) / 1000);
        if (outcome.status === 'processed') metrics.conversionsApplied.inc({ provider: integration.provider }, outcome.result.conversionIds.length);
      }
      return outcomes.length;
    };

    const deadline = Date.now() + DRAIN_BUDGET_MS;
    let processed = 0;
    for (;;) {
      const batch = await drainBatch();
      metrics.inboxBatchSize.observe(batch);
      processed += batch;
      if (batch === 0 || lifecycle.length > 0) break;
      if (Date.now() >= deadline) return { processed, more: true, lifecycle };
      if (batch < batchSize) await delay(COLLECT_MS);
    }
    const more = await rearmDoorbell(db, integrationId);
    return { processed, more, lifecycle };
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

async function applyEvent(
  provider: ProviderModule,
  settings: unknown,
  row: { dedup_key: string; event_type: string; payload: unknown; livemode: boolean | null; received_at: Date },
  apply: (effects: Effect[]) => Promise<Applied>,
): Promise<RowOutcome> {
  const normalized = provider.inbound!.normalize(
    {
      dedupKey: row.dedup_key,
      type: row.event_type,
      payload: row.payload,
      livemode: row.livemode ?? undefined,
      receivedAt: row.received_at.toISOString(),
    },
    settings,
  );
  if (normalized.status === 'ignored') return { status: 'ignored', reason: normalized.reason };
  return { status: 'processed', result: await apply(normalized.effects) };
}

/**
 * Clears the doorbell, then looks again: a row that slipped in meanwhile is drained now, and any row
 * inserted after this point finds the doorbell clear and rings it (see api/webhooks).
 */
async function rearmDoorbell(db: Db, integrationId: string): Promise<boolean> {
  await db.updateTable('integrations').set({ doorbell: false }).where('id', '=', integrationId).execute();
  const waiting = await db
    .selectFrom('inbox')
    .select('id')
    .where('integration_id', '=', integrationId)
    .where('status', '=', 'pending')
    .limit(1)
    .executeTakeFirst();
  if (!waiting) return false;
  await db.updateTable('integrations').set({ doorbell: true }).where('id', '=', integrationId).execute();
  return true;
}
