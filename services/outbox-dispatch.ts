import type { Client } from '@temporalio/client';
import type { Insertable, Transaction } from 'kysely';
import type { Db } from '../db';
import type { DeliveryStatus, IntegrationState } from '../contract/states';
import type { Database, DeliveriesTable } from '../db/schema';
import { isDestination } from '../db/queries/integrations';
import { getProvider } from '../providers';
import type { Config } from '../lib/config';
import { coalesced } from '../lib/coalesce';
import { assignBatches, type DeliveryBatch, deliveryId, destinationOf, destinationVerdict, startDeliveryBatches } from './delivery-workflows';
import { logger } from '../lib/logger';

export interface DispatchDeps {
  db: Db;
  temporal: Client;
  config: Config;
}

/** Outbox rows per transaction. */
const OUTBOX_BATCH = 500;
/** Rows per INSERT: stays well under PostgreSQL's 65,535 bind parameters. */
const INSERT_CHUNK = 1000;

interface OutboxEvent {
  id: string;
  workspace_id: string;
  type: string;
  data: Record<string, unknown>;
  integration_id: string | null;
  is_test: boolean;
}

interface DestinationRow {
  id: string;
  workspace_id: string;
  provider: string;
  state: IntegrationState;
  settings: Record<string, unknown>;
}

function initialStatus(state: IntegrationState, isTest: boolean): { status: DeliveryStatus; reason: string | null } {
  if (isTest) return { status: 'skipped', reason: 'test event' };
  return destinationVerdict(state) ?? { status: 'pending', reason: null };
}

/** Which destinations want the event: same workspace, subscribed, and never the integration that produced it. */
function matches(event: OutboxEvent, destinations: Array<{ row: DestinationRow; settings: unknown }>) {
  return destinations.filter(({ row, settings }) => {
    if (row.workspace_id !== event.workspace_id || row.id === event.integration_id) return false;
    return getProvider(row.provider)!.outbound!.subscribes(event, settings);
  });
}

async function loadDestinations(trx: Transaction<Database>, workspaceIds: string[]) {
  const rows = await trx
    .selectFrom('integrations')
    .select(['id', 'workspace_id', 'provider', 'state', 'settings', 'task_queue'])
    .where('workspace_id', 'in', workspaceIds)
    .where(isDestination)
    .execute();
  // Deliveries for a destination in error are held until its resume re-sends them: read that state
  // FOR SHARE, so a concurrent resume either waits for these rows or happened first (then they are sent).
  const inError = rows.filter((row) => row.state === 'error').map((row) => row.id);
  if (inError.length > 0) {
    const locked = await trx.selectFrom('integrations').select(['id', 'state']).where('id', 'in', inError).forShare().execute();
    for (const { id, state } of locked) rows.find((row) => row.id === id)!.state = state;
  }
  return rows.flatMap((row) => {
    const parsed = getProvider(row.provider)!.settingsSchema.safeParse(row.settings);
    if (parsed.success) return [{ row, settings: parsed.data }];
    logger.warn({ integrationId: row.id }, 'destination settings no longer parse; it receives nothing until they are fixed');
    return [];
  });
}

/** One transaction: outbox rows → delivery rows (planned into batches); the outbox rows are deleted. */
async function dispatchBatch(trx: Transaction<Database>): Promise<{ dispatched: number; batches: DeliveryBatch[] }> {
  const events: OutboxEvent[] = await trx
    .selectFrom('outbox')
    .innerJoin('events', 'events.id', 'outbox.event_id')
    .select(['events.id', 'events.workspace_id', 'events.type', 'events.data', 'events.integration_id', 'events.is_test'])
    .orderBy('outbox.created_at')
    .limit(OUTBOX_BATCH)
    .forUpdate('outbox')
    .skipLocked()
    .execute();
  if (events.length === 0) return { dispatched: 0, batches: [] };

  const destinations = await loadDestinations(trx, [...new Set(events.map((event) => event.workspace_id))]);
  const rows: Array<Insertable<DeliveriesTable>> = events.flatMap((event) =>
    matches(event, destinations).map(({ row }) => ({
      id: deliveryId(row.id, event.id),
      integration_id: row.id,
      workspace_id: event.workspace_id,
      event_id: event.id,
      event_type: event.type,
      ...initialStatus(row.state, event.is_test),
      updated_at: new Date(),
    })),
  );
  const pending = new Map<string, string[]>();
  for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
    const inserted = await trx
      .insertInto('deliveries')
      .values(rows.slice(start, start + INSERT_CHUNK))
      .onConflict((oc) => oc.columns(['integration_id', 'event_id']).doNothing())
      .returning(['id', 'integration_id', 'status'])
      .execute();
    for (const row of inserted.filter((entry) => entry.status === 'pending')) {
      const ids = pending.get(row.integration_id) ?? [];
      ids.push(row.id);
      pending.set(row.integration_id, ids);
    }
  }
  const batches: DeliveryBatch[] = [];
  for (const [integrationId, ids] of pending) {
    const { row } = destinations.find((entry) => entry.row.id === integrationId)!;
    batches.push(...(await assignBatches(trx, destinationOf(row), ids.map((id) => ({ deliveryId: id, round: 1 })))));
  }
  await trx
    .deleteFrom('outbox')
    .where('event_id', 'in', events.map((event) => event.id))
    .execute();
  return { dispatched: events.length, batches };
}

/**
 * Turns workspace events waiting in the outbox into deliveries — one per matching destination — and
 * starts their delivery workflows after commit. Any number of processes may run it at once
 * (`FOR UPDATE SKIP LOCKED`); the sweep covers a crash between commit and start.
 */
export async function dispatchOutbox({ db, temporal, config }: DispatchDeps): Promise<number> {
  let total = 0;
  for (;;) {
    const { dispatched, batches } = await db.transaction().execute(dispatchBatch);
    await startDeliveryBatches(temporal, config, batches);
    total += dispatched;
    if (dispatched < OUTBOX_BATCH) return total;
  }
}

/**
 * `dispatchOutbox` for callers that fire it after every commit: one pass at a time per process, and
 * calls made during a pass share a single next pass. With `gatherMs`, a pass first waits that long, so
 * the events committed meanwhile go out together: one delivery workflow for a burst instead of one per
 * few events (each costs a workflow start, its tasks and a batch activity). Never throws: the outbox
 * keeps the work and the worker's sweep dispatches it.
 */
export function outboxDispatcher(deps: DispatchDeps, { gatherMs = 0 } = {}): () => Promise<void> {
  return coalesced(async () => {
    if (gatherMs > 0) await new Promise((resolve) => setTimeout(resolve, gatherMs));
    await dispatchOutbox(deps).catch((error: unknown) => logger.warn({ err: error }, 'outbox dispatch failed; the sweep will retry'));
  });
}
