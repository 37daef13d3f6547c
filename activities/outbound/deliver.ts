import { activityInfo, ApplicationFailure } from '@temporalio/activity';
import type { DeliveryBatchInput, DeliveryRef, RetryRef } from '../../workflows/delivery';
import type { ActivityDeps } from '..';
import { attemptDeliveries } from './run';

export { callProvider } from './run';

/**
 * First attempt of a whole batch in one activity (the happy path costs Temporal one activity per
 * batch, not per delivery). Returns the deliveries to retry, each with its wait.
 */
export function deliverBatchActivity(deps: ActivityDeps) {
  return async function deliverBatch({ destinationId, deliveries }: Pick<DeliveryBatchInput, 'destinationId' | 'deliveries'>): Promise<RetryRef[]> {
    const outcomes = await attemptDeliveries(deps, destinationId, deliveries, 1);
    return outcomes.filter((outcome) => outcome.outcome === 'retry').map(({ ref, delayMs }) => ({ ...ref, delayMs }));
  };
}

/**
 * A retry of one delivery, under the Temporal retry policy: throws a retryable failure carrying the
 * wait (Retry-After or the backoff) for 5xx/408/409/425/429/network errors, a non-retryable one for
 * other 4xx; returns when it is delivered, disabled, or has nothing left to do (finished, superseded
 * by a redelivery, skipped or held with its destination).
 */
export function deliverActivity(deps: ActivityDeps) {
  return async function deliver({ destinationId, ...ref }: DeliveryRef & { destinationId: string }): Promise<void> {
    // The batch made the round's first attempt: this activity's first attempt is the round's second.
    const [attempt] = await attemptDeliveries(deps, destinationId, [ref], activityInfo().attempt + 1);
    if (!attempt || attempt.outcome === 'success' || attempt.outcome === 'gone') return;
    const message = attempt.error ?? attempt.outcome;
    if (attempt.outcome === 'rejected') throw ApplicationFailure.create({ message, type: 'DeliveryRejected', nonRetryable: true });
    throw ApplicationFailure.create({ message, type: 'DeliveryFailed', nextRetryDelay: attempt.delayMs });
  };
}
