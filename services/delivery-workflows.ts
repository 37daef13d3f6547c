import { createHash } from 'node:crypto';
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Transaction } from 'kysely';
import type { Db } from '../db';
import type { DeliveryStatus, IntegrationState } from '../contract/states';
import type { Database } from '../db/schema';
import type { DeliveryBatchWorkflow, DeliveryRef } from '../contract/delivery';
import { ProviderKey, WorkspaceIdKey } from '../contract/search-attributes';
import type { Config } from '../lib/config';
import { logger } from '../lib/logger';

/** Deliveries per workflow: keeps each history to a few thousand events and its input small. */
const DELIVERY_BATCH_SIZE = 500;

export interface Destination {
  id: string;
  workspaceId: string;
  provider: string;
  /** Where its integration workflow runs (`integrations.task_queue`); null: the caller's queue. */
  taskQueue: string | null;
}

/** The destination of `integrations` columns. */
export function destinationOf(row: { id: string; workspace_id: string; provider: string; task_queue: string | null }): Destination {
  return { id: row.id, workspaceId: row.workspace_id, provider: row.provider, taskQueue: row.task_queue };
}

export interface DeliveryBatch {
  workflowId: string;
  destination: Destination;
  deliveries: DeliveryRef[];
}

function digest(value: string, length: number): string {
  return createHash('sha256').update(value).digest('base64url').replace(/[-_]/g, '').slice(0, length);
}

/** Stable per (destination, event): a second dispatch of the same event finds the same delivery. */
export function deliveryId(integrationId: string, eventId: string): string {
  return `dlv_${digest(`${integrationId}:${eventId}`, 22)}`;
}

/** Why a destination in this state gets nothing now (`skipped`) or later (`held` until it is resumed); undefined when active. */
export function destinationVerdict(state: IntegrationState): { status: DeliveryStatus; reason: string } | undefined {
  if (state === 'active') return undefined;
  if (state === 'error') return { status: 'held', reason: 'integration in error' };
  return { status: 'skipped', reason: state === 'pending' ? 'not connected yet' : state };
}

/** Splits one destination's deliveries into workflows whose ids are derived from their content. */
function planDeliveryBatches(destination: Destination, deliveries: DeliveryRef[]): DeliveryBatch[] {
  const batches: DeliveryBatch[] = [];
  for (let start = 0; start < deliveries.length; start += DELIVERY_BATCH_SIZE) {
    const chunk = deliveries.slice(start, start + DELIVERY_BATCH_SIZE);
    const workflowId = `deliveries-${destination.id}-${digest(JSON.stringify(chunk), 16)}`;
    batches.push({ workflowId, destination, deliveries: chunk });
  }
  return batches;
}

/** Plans the deliveries' current round into batches and records which workflow owns each (the sweep restarts it by this id). */
export async function assignBatches(trx: Transaction<Database>, destination: Destination, deliveries: DeliveryRef[]): Promise<DeliveryBatch[]> {
  const batches = planDeliveryBatches(destination, deliveries);
  for (const batch of batches) {
    await trx
      .updateTable('deliveries')
      .set({ workflow_id: batch.workflowId })
      .where('id', 'in', batch.deliveries.map((delivery) => delivery.deliveryId))
      .execute();
  }
  return batches;
}

/** Starts each batch's workflow; one already running is left alone. A failed start is repaired by the sweep. */
export async function startDeliveryBatches(temporal: Client, config: Config, batches: DeliveryBatch[]): Promise<void> {
  await Promise.all(
    batches.map(async ({ workflowId, destination, deliveries }) => {
      try {
        await temporal.workflow.start<DeliveryBatchWorkflow>('deliveryBatchWorkflow', {
          taskQueue: destination.taskQueue ?? config.taskQueue,
          workflowId,
          args: [{ destinationId: destination.id, deliveries, retry: config.deliveryRetry }],
          typedSearchAttributes: [
            { key: WorkspaceIdKey, value: destination.workspaceId },
            { key: ProviderKey, value: destination.provider },
          ],
          staticSummary: `${deliveries.length} deliveries to ${destination.provider} integration ${destination.id}`,
        });
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) return;
        logger.warn({ err: error, workflowId }, 'could not start a delivery workflow; the sweep will retry');
      }
    }),
  );
}

/**
 * Deliveries still `pending` long after their batch was planned: the process died between commit and
 * start, or Temporal was down. Restarts their batch under its recorded id (a running one is left alone).
 */
export async function restartStalledBatches(db: Db, temporal: Client, config: Config, olderThanMs: number): Promise<void> {
  const stalled = await db
    .selectFrom('deliveries')
    .select('workflow_id')
    .distinct()
    .where('status', '=', 'pending')
    .where('workflow_id', 'is not', null)
    .where('updated_at', '<', new Date(Date.now() - olderThanMs))
    .limit(100)
    .execute();
  if (stalled.length === 0) return;
  const rows = await db
    .selectFrom('deliveries')
    .innerJoin('integrations', 'integrations.id', 'deliveries.integration_id')
    .select(['deliveries.workflow_id', 'deliveries.id as deliveryId', 'deliveries.round', 'integrations.id', 'integrations.workspace_id', 'integrations.provider', 'integrations.task_queue'])
    .where('deliveries.workflow_id', 'in', stalled.map(({ workflow_id }) => workflow_id!))
    .orderBy('deliveries.id')
    .execute();
  const batches = new Map<string, DeliveryBatch>();
  for (const row of rows) {
    const batch = batches.get(row.workflow_id!) ?? { workflowId: row.workflow_id!, destination: destinationOf(row), deliveries: [] };
    batch.deliveries.push({ deliveryId: row.deliveryId, round: row.round });
    batches.set(batch.workflowId, batch);
  }
  await startDeliveryBatches(temporal, config, [...batches.values()]);
}
