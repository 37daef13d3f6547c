import { Context } from '@temporalio/activity';
import type { Db } from '../db';
import { applyInboundFacts } from '../db/queries/conversions';
import type { InboundFacts, Origin } from '../db/queries/inbound-facts';
import { type BatchLimits, type InboxBatchRow, type InboxOutcome, inSavepoint, lockPendingBatch, markInboxRows, peekPendingBatch } from '../db/queries/inbox-drain';
import type { InboxResult } from '../db/schema';
import { logger } from '../lib/logger';
import { metrics } from '../lib/metrics';
import type { Effect, NormalizeResult, ProviderModule } from '../providers/types';
import type { ProviderReads } from './provider-reads';

/** The inbox being drained: whose it is, and the provider module (with parsed settings) that reads its events. */
export interface InboxSource {
  integrationId: string;
  workspaceId: string;
  providerId: string;
  provider: ProviderModule;
  settings: unknown;
}

/** A lifecycle change the provider's events asked for (app uninstalled, account deauthorized…). */
export interface ProviderLifecycleRequest {
  action: 'disconnect';
  reason: string;
}

/**
 * One batch: the provider's reads first (outside the transaction), then one transaction that applies
 * the batch's events and marks their rows; `announce` when it committed workspace events. Resolves to
 * the rows it handled, whether more were waiting behind them, and the lifecycle changes they asked for.
 */
export async function drainBatch(db: Db, source: InboxSource, limits: BatchLimits, reads: ProviderReads | undefined, announce: () => void): Promise<{ rows: number; full: boolean; requested: ProviderLifecycleRequest[] }> {
  const batchReads: BatchReads = reads ? await readBeforeBatch(db, source, limits, reads, announce) : { enrichment: new Map(), peekFull: false };
  const { outcomes, full, requested } = await applyBatch(db, source, limits, false, batchReads).catch((error: unknown) => {
    if (error instanceof IsolateEvents) return applyBatch(db, source, limits, true, batchReads);
    throw error;
  });
  if (outcomes.some(({ outcome }) => outcome.status === 'processed' && outcome.result.eventIds.length > 0)) announce();
  for (const { row, outcome } of outcomes) {
    metrics.inboundProcessed.inc({ provider: source.providerId, status: outcome.status });
    // A replayed row waited from its re-queue, not from its first arrival.
    metrics.processingLag.observe({ provider: source.providerId }, (Date.now() - (row.requeued_at ?? row.received_at).getTime()) / 1000);
    if (outcome.status === 'processed') metrics.conversionsApplied.inc({ provider: source.providerId }, outcome.result.conversionIds.length);
  }
  // A batch bounded by the read's last row is full when the peek was: its own count stops at that row.
  return { rows: outcomes.length, full: full || batchReads.peekFull, requested };
}

/**
 * One transaction over one batch. Every event is normalized on its own (a normalizer that throws
 * fails its event alone), then all are applied together with a few set-based statements; if that
 * fails, the batch is rolled back and redone with a savepoint per event, so the poison event fails
 * alone. (Savepoints cost a round trip each, and hundreds overflow PostgreSQL's subtransaction cache.)
 */
function applyBatch(db: Db, source: InboxSource, limits: BatchLimits, isolateEvents: boolean, { enrichment, lastId }: BatchReads) {
  return db.transaction().execute(async (trx) => {
    // Only rows the provider read was made for: one that arrived after it would be normalized unread.
    const { rows, full } = await lockPendingBatch(trx, source.integrationId, limits, lastId);
    // A worker that dies mid-batch is noticed within the heartbeat timeout, not the 2-minute one.
    Context.current().heartbeat();
    const outcomes = new Map<InboxBatchRow, InboxOutcome>();
    const fail = (row: InboxBatchRow, error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      logger.warn({ workspaceId: source.workspaceId, integrationId: source.integrationId, inboxId: row.id, eventId: row.dedup_key, eventType: row.event_type, reason }, 'inbound event failed');
      outcomes.set(row, { status: 'failed', reason });
    };
    // Normalized one by one: a normalizer that throws fails its event without touching the others.
    const facts = rows.flatMap((row) => {
      try {
        const normalized = normalizeRow(source, row, enrichment.get(String(row.id)));
        if (normalized.status === 'apply') return [applicable(source, row, normalized.effects)];
        outcomes.set(row, { status: 'ignored', reason: normalized.reason });
      } catch (error) {
        fail(row, error);
      }
      return [];
    });
    const requested: ProviderLifecycleRequest[] = [];
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
        try {
          const [applied] = await inSavepoint(trx, () => applyInboundFacts(trx, [fact.facts]));
          processed(fact, applied);
        } catch (error) {
          fail(fact.row, error);
        }
      }
    }
    const ordered = rows.map((row) => ({ row, outcome: outcomes.get(row)! }));
    if (ordered.length > 0) await markInboxRows(trx, ordered.map(({ row, outcome }) => ({ id: Number(row.id), outcome })));
    return { outcomes: ordered, full, requested };
  });
}

/** A normalized row waiting to be applied: its facts, and the lifecycle changes it asks for once applied. */
interface ApplicableRow {
  row: InboxBatchRow;
  facts: InboundFacts;
  requested: ProviderLifecycleRequest[];
}

function applicable({ workspaceId, integrationId, providerId }: InboxSource, row: InboxBatchRow, effects: Effect[]): ApplicableRow {
  const origin: Origin = { workspaceId, integrationId, provider: providerId, inboxId: Number(row.id), externalEventId: row.dedup_key, isTest: row.is_test };
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

function normalizeRow({ provider, settings }: InboxSource, row: InboxBatchRow, enrichment: unknown): NormalizeResult {
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
 * What was read from the provider for a batch, the last inbox row it was read for (undefined: no read,
 * any row), and whether more rows waited behind those when they were looked at.
 */
interface BatchReads {
  enrichment: Map<string, unknown>;
  lastId?: string;
  peekFull: boolean;
}

/**
 * Before a batch's transaction: sales still waiting for their amount are read again (when due), then
 * the provider's reads for the rows the batch will most likely hold (looked at without a lock); a row
 * that arrives after them waits for the next batch (the transaction takes none past the last row read).
 */
async function readBeforeBatch(db: Db, { integrationId, workspaceId }: InboxSource, limits: BatchLimits, reads: ProviderReads, announce: () => void): Promise<BatchReads> {
  // A provider read that fails in a way its module did not foresee must not block the inbox: what it
  // was for waits for a later read.
  const unforeseen = (what: string) => (error: unknown) => {
    logger.warn({ integrationId, workspaceId, reason: error instanceof Error ? error.message : String(error) }, `${what} failed`);
    return undefined;
  };
  if (await reads.retryPendingAmounts().catch(unforeseen('re-reading pending amounts'))) announce();
  const { rows, full } = await peekPendingBatch(db, integrationId, limits);
  const activity = Context.current();
  activity.heartbeat();
  const enriched = await reads.enrich(rows).catch(unforeseen('reading for the batch'));
  activity.heartbeat();
  // No row read: nothing is applied yet ('-1' matches no id).
  return { enrichment: enriched ?? new Map<string, unknown>(), lastId: rows.length === 0 ? '-1' : String(rows[rows.length - 1].id), peekFull: full };
}
