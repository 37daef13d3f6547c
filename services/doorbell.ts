import type { Client } from '@temporalio/client';
import type { Db } from '../db';
import { newWorkSignal } from '../contract/definitions';
import { integrationWorkflowId } from '../contract/search-attributes';
import { coalesced } from '../lib/coalesce';
import { logger } from '../lib/logger';

/**
 * Tells the integration workflow that its inbox has work — once per idle→busy change, not once per
 * event: only the caller that flips the doorbell from clear to set sends the signal. The workflow
 * clears it when the inbox is empty. A lost signal is repaired by the worker's doorbell sweep.
 */
async function ringDoorbell(db: Db, temporal: Client, integrationId: string): Promise<void> {
  const flipped = await db
    .updateTable('integrations')
    .set({ doorbell: true })
    .where('id', '=', integrationId)
    .where('doorbell', '=', false)
    .returning('id')
    .executeTakeFirst();
  if (!flipped) return;
  await signalNewWork(temporal, integrationId);
}

/**
 * `ringDoorbell` for the accept path: one flip per integration at a time, and the webhooks accepted
 * meanwhile share the next one — it starts after their inserts committed, which is all their own flip
 * would have guaranteed. Never throws: the events are safe in the inbox, and the sweep rings for them.
 */
export function doorbellRinger(db: Db, temporal: Client): (integrationId: string) => Promise<void> {
  const rings = new Map<string, () => Promise<void>>();
  return (integrationId) => {
    let ring = rings.get(integrationId);
    if (!ring) {
      ring = coalesced(() =>
        ringDoorbell(db, temporal, integrationId).catch((error: unknown) => logger.warn({ err: error, integrationId }, 'doorbell flip failed; the sweep will retry')),
      );
      rings.set(integrationId, ring);
    }
    return ring();
  };
}

/** A signal Temporal has not taken by then is left to the sweep, so one slow call cannot hold back the next rings. */
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
