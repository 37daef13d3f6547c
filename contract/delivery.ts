/** What the delivery batch workflow and the outbound activities agree on. */

/** The retry schedule (from the configuration: lib/config) and the per-attempt HTTP timeout. */
export interface RetrySchedule {
  initialIntervalMs: number;
  maximumIntervalMs: number;
  /** Retries stop after this long; a destination failing for this long goes to `error`. */
  windowMs: number;
  attemptTimeoutMs: number;
}

export interface DeliveryRef {
  deliveryId: string;
  round: number;
}

/** The workflow's last word on a delivery whose `deliver` activity failed for good. */
export interface SettleInput extends DeliveryRef {
  /** The last failure Temporal reported: when the retry window ran out, the last attempt's own. */
  error: string;
  /** Set when the retry window ran out: how long the delivery was retried (settles scheduled before it have none). */
  retriedForMs?: number;
}

/** A delivery whose attempt failed retryably, and how long to wait before the next one. */
export interface RetryRef extends DeliveryRef {
  delayMs: number;
}

export interface DeliveryBatchInput {
  destinationId: string;
  deliveries: DeliveryRef[];
  retry: RetrySchedule;
}

/** Attempts in flight at once per batch (in the batch activity, then retrying): a dead destination holds few resources. */
export const DELIVERY_CONCURRENCY = 25;

/** The signature of `deliveryBatchWorkflow` (workflows/delivery), for typed starts outside the workflow bundle. */
export type DeliveryBatchWorkflow = (input: DeliveryBatchInput) => Promise<void>;
