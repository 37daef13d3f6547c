import type { Client } from '@temporalio/client';
import { sql } from 'kysely';
import type { Db } from '../db';
import { newWorkSignal } from '../contract/definitions';
import { integrationWorkflowId } from '../contract/search-attributes';
import { coalesced } from '../lib/coalesce';
import { logger } from '../lib/logger';

/**
 * Tells the integration workflows that their inbox has work — once per idle→busy change, not once per
 * event: only the caller that flips an integration's doorbell from clear to set sends its signal. The
 * workflow clears it when the inbox is empty. A lost signal is repaired by the worker's doorbell sweep.
 * Resolves once the doorbells are set; the signals go on their own (each within its deadline), so a slow
 * one holds back no other ring.
 */
async function ringDoorbells(db: Db, temporal: Client, integrationIds: string[]): Promise<void> {
  const flipped = await db
    .updateTable('integrations')
    .set({ doorbell: true })
    .where(sql<boolean>`id = any(${integrationIds})`)
    .where('doorbell', '=', false)
    .returning('id')
    .execute();
  for (const { id } of flipped) void signalNewWork(temporal, id);
}

/**
 * `ringDoorbells` for the accept path: one flip at a time, of every integration rung meanwhile — it
 * starts after their inserts committed, which is all a flip of their own would have guaranteed (one
 * statement per flush of webhooks rather than one per integration). Resolves once the doorbell is set
 * (a caller that awaits it answers after that: the sweep would ring for it), not once the workflow was
 * signalled. Never throws: the events are safe in the inbox, and the sweep rings for them.
 */
export function doorbellRinger(db: Db, temporal: Client): (integrationId: string) => Promise<void> {
  const rung = new Set<string>();
  const flip = coalesced(async () => {
    const integrationIds = [...rung];
    rung.clear();
    await ringDoorbells(db, temporal, integrationIds).catch((error: unknown) => logger.warn({ err: error, integrationIds }, 'doorbell flip failed; the sweep will retry'));
  });
  return (integrationId) => {
    rung.add(integrationId);
    return flip();
  };
}

/** A signal Temporal has not taken by then is given up and left to the sweep: calls to a slow Temporal do not pile up. */
const SIGNAL_DEADLINE_MS = 5000;

export async function signalNewWork(temporal: Client, integrationId: string): Promise<void> {
  try {
    await temporal.connection.withDeadline(Date.now() + SIGNAL_DEADLINE_MS, () =>
      temporal.workflow.getHandle(integrationWorkflowId(integrationId)).signal(newWorkSignal),
    );
  } catch (error) {
    // The events are safe in the inbox; the sweep will ring again.
    logger.warn({ err: error, integrationId }, 'doorbell signal failed; the sweep will retry');
  }
}
