import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { DeliveryRetryConfig } from '../lib/config';

export interface DeliveryRef {
  deliveryId: string;
  round: number;
}

export interface DeliveryBatchInput {
  destinationId: string;
  deliveries: DeliveryRef[];
  retry: DeliveryRetryConfig;
}

/** Attempts in flight per batch: a slow or dead destination holds at most this many worker slots. */
export const BATCH_CONCURRENCY = 25;

const { settleDelivery } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** An ActivityFailure's message is generic; its cause says what happened (timeout, last error). */
function failureMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? error.cause.message : error.message;
}

/**
 * Delivers a batch of one destination's deliveries, each as its own `deliver` activity with the retry
 * schedule as its Temporal retry policy, so one delivery's retries never hold back another's. The id is
 * derived from the batch's content (lib/delivery-workflows), so starting the same batch twice is a no-op.
 */
export async function deliveryBatchWorkflow(input: DeliveryBatchInput): Promise<void> {
  const { retry } = input;
  const { deliver } = proxyActivities<Activities>({
    // The HTTP call has its own timeout; this bounds the bookkeeping around it too.
    startToCloseTimeout: retry.attemptTimeoutMs + 5000,
    scheduleToCloseTimeout: retry.windowMs,
    retry: { initialInterval: retry.initialIntervalMs, backoffCoefficient: 2, maximumInterval: retry.maximumIntervalMs },
  });
  const queue = [...input.deliveries];
  const lane = async (): Promise<void> => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      try {
        await deliver(next);
      } catch (error) {
        // Retries exhausted (or refused): record the delivery as failed unless the activity already did.
        await settleDelivery({ ...next, error: failureMessage(error) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, queue.length) }, lane));
}
