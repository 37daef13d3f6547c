import { activityInfo, ApplicationFailure, Context } from '@temporalio/activity';
import type { DeliveryBatchInput, DeliveryRef, RetryRef } from '../../contract/delivery';
import type { ActivityDeps } from '../deps';
import type { DestinationLanes } from './destination-lanes';
import { attemptDeliveries } from './run';

const HEARTBEAT_MS = 1000;

/**
 * First attempt of a whole batch in one activity (the happy path costs Temporal one activity per
 * batch, not per delivery). Returns the deliveries to retry, each with its wait. Heartbeats while it
 * runs (also while its lanes wait for the destination's): a worker that dies is noticed at once.
 */
export function deliverBatchActivity(deps: ActivityDeps, lanes: DestinationLanes) {
  return async function deliverBatch({ destinationId, deliveries }: Pick<DeliveryBatchInput, 'destinationId' | 'deliveries'>): Promise<RetryRef[]> {
    const outcomes = await heartbeating(() => attemptDeliveries(deps, lanes, destinationId, deliveries, 1));
    return outcomes.filter((outcome) => outcome.outcome === 'retry').map(({ ref, delayMs }) => ({ ...ref, delayMs }));
  };
}

/** Runs `work` heartbeating every second: a dead worker is noticed by the heartbeat timeout, a slow one is not retried. */
async function heartbeating<T>(work: () => Promise<T>): Promise<T> {
  const context = Context.current();
  const beat = setInterval(() => context.heartbeat(), HEARTBEAT_MS);
  try {
    return await work();
  } finally {
    clearInterval(beat);
  }
}

/**
 * A retry of one delivery, under the Temporal retry policy: throws a retryable failure carrying the
 * wait (Retry-After or the backoff) for 5xx/408/409/425/429/network errors, a non-retryable one for
 * other 4xx; returns when it is delivered, disabled, cancelled by a 410, or has nothing left to do
 * (finished, superseded by a redelivery, skipped or held with its destination).
 */
export function deliverActivity(deps: ActivityDeps, lanes: DestinationLanes) {
  return async function deliver({ destinationId, ...ref }: DeliveryRef & { destinationId: string }): Promise<void> {
    // The batch made the round's first attempt: this activity's first attempt is the round's second.
    const [attempt] = await heartbeating(() => attemptDeliveries(deps, lanes, destinationId, [ref], activityInfo().attempt + 1));
    if (!attempt || (attempt.outcome !== 'retry' && attempt.outcome !== 'rejected')) return;
    const message = attempt.error ?? attempt.outcome;
    if (attempt.outcome === 'rejected') throw ApplicationFailure.create({ message, type: 'DeliveryRejected', nonRetryable: true });
    throw ApplicationFailure.create({ message, type: 'DeliveryFailed', nextRetryDelay: attempt.delayMs });
  };
}
