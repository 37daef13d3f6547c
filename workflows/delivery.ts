import { proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { DELIVERY_CONCURRENCY, type DeliveryBatchInput } from '../contract/delivery';
import { lastFailureMessage, retryWindowClosed } from '../contract/failures';

const { settleDelivery } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * Delivers a batch of one destination's deliveries. The first attempt of all of them is one
 * `deliverBatch` activity (heartbeating; a crashed worker's batch is resumed where it stopped); each
 * delivery that failed retryably then gets its own `deliver` activity with the retry schedule as its
 * Temporal retry policy, so one delivery's retries never hold back another's. The workflow id is derived
 * from the batch's content (services/delivery-workflows): starting the same batch twice is a no-op.
 */
export async function deliveryBatchWorkflow(input: DeliveryBatchInput): Promise<void> {
  const { destinationId, deliveries, retry } = input;
  const { deliverBatch } = proxyActivities<Activities>({
    startToCloseTimeout: Math.ceil(deliveries.length / DELIVERY_CONCURRENCY) * (retry.attemptTimeoutMs + 1000) + 60_000,
    heartbeatTimeout: retry.attemptTimeoutMs + 10_000,
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  });
  const { deliver } = proxyActivities<Activities>({
    // The HTTP call has its own timeout. A timeout here would retry the activity while the first try may still
    // record a 2xx (a re-send without a crash): a dead worker is noticed by the heartbeat, and a starved
    // one gets a minute for its bookkeeping, as a batch does.
    startToCloseTimeout: retry.attemptTimeoutMs + 60_000,
    heartbeatTimeout: retry.attemptTimeoutMs + 10_000,
    scheduleToCloseTimeout: retry.windowMs,
    retry: { initialInterval: retry.initialIntervalMs * 2, backoffCoefficient: 2, maximumInterval: retry.maximumIntervalMs },
  });

  const retries = await deliverBatch({ destinationId, deliveries });
  const failedAt = Date.now();
  const queue = [...retries].sort((a, b) => a.delayMs - b.delayMs);
  const lane = async (): Promise<void> => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const waitMs = failedAt + next.delayMs - Date.now();
      if (waitMs > 0) await sleep(waitMs);
      const ref = { deliveryId: next.deliveryId, round: next.round };
      try {
        await deliver({ ...ref, destinationId });
      } catch (error) {
        // Retries exhausted (or refused): record the delivery as failed unless the activity already did. Only this
        // activity's input changed when the window and the last attempt's failure were added to it, not the
        // workflow's commands, so histories from before replay unchanged (no patch).
        const windowClosed = retryWindowClosed(error) ? { retriedForMs: retry.windowMs } : {};
        await settleDelivery({ ...ref, error: lastFailureMessage(error), ...windowClosed });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(DELIVERY_CONCURRENCY, queue.length) }, lane));
}
