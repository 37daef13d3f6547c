import { activityInfo } from '@temporalio/activity';
import type { DeliveryResult } from '../../providers/types';
import { DELIVERY_CONCURRENCY, type DeliveryRef, type RetrySchedule } from '../../contract/delivery';
import { destinationSender } from '../../services/destination-sender';
import type { ActivityDeps } from '../deps';
import { activeDestination, DESTINATION_GONE, type RecordedOutcome } from './attempt';
import { deliveryQueue } from './delivery-queue';
import type { DestinationLanes } from './destination-lanes';
import { signalDestination } from './health';
import { attemptRecorder } from './recorder';

/** Time kept for recording the last attempt a batch activity starts. */
const RECORD_MARGIN_MS = 5000;

/** The wait after the `roundAttempt`-th failed attempt of a round: the destination's Retry-After, else exponential. */
export function retryDelayMs(roundAttempt: number, retry: RetrySchedule, retryAfterMs?: number): number {
  return retryAfterMs ?? Math.min(retry.initialIntervalMs * 2 ** (roundAttempt - 1), retry.maximumIntervalMs);
}

/** When a batch activity starts no more requests: one started later could outlast its start-to-close timeout. */
function lastStartAt(attemptTimeoutMs: number): number {
  const info = activityInfo();
  return info.currentAttemptScheduledTimestampMs + info.startToCloseTimeoutMs - attemptTimeoutMs - RECORD_MARGIN_MS;
}

/** A 410 whose disconnect has not happened after this long: the signal was lost (Temporal unreachable), ask again. */
const GONE_SIGNAL_GRACE_MS = 30_000;

export interface AttemptOutcome {
  ref: DeliveryRef;
  outcome: RecordedOutcome;
  /** Until the next attempt (retryable failures). */
  delayMs: number;
  error?: string;
}

/**
 * One attempt for each still-open delivery of one destination. A round's first attempts (`roundAttempt`
 * 1: the batch activity) go `DELIVERY_CONCURRENCY` at a time per destination in this process, shared by
 * all its batches; a retry is one request. Each outcome is recorded as soon as it is back, before its
 * lane starts another request, so a crash re-sends only requests in flight. The destination is read
 * again with every record: a pause, an error, a disconnect or a 410 (from any process) stops the rest,
 * which are then skipped or held; a 410 seen here also aborts this process's requests in flight to it.
 * Returns the attempts made and the deliveries left to retry.
 */
export async function attemptDeliveries(deps: ActivityDeps, lanes: DestinationLanes, destinationId: string, refs: DeliveryRef[], roundAttempt: number): Promise<AttemptOutcome[]> {
  const { db, temporal, config } = deps;
  const firstOfRound = roundAttempt === 1;
  const start = await activeDestination(db, destinationId, refs);
  if (!start.active) {
    const { gone_at: goneAt, state } = start.row;
    if (goneAt && state !== 'disconnected' && Date.now() - goneAt.getTime() > GONE_SIGNAL_GRACE_MS) {
      await signalDestination(db, temporal, destinationId, 'disconnect', DESTINATION_GONE);
    }
    return [];
  }
  const send = destinationSender(deps, start.row);
  const record = attemptRecorder(deps, destinationId, start.row.provider);
  const queue = deliveryQueue(db, refs, firstOfRound);
  const delayOf = (result: DeliveryResult) => retryDelayMs(roundAttempt, config.deliveryRetry, result.retryAfterMs);
  const lastStart = firstOfRound ? lastStartAt(config.deliveryRetry.attemptTimeoutMs) : Number.POSITIVE_INFINITY;
  const outcomes: AttemptOutcome[] = [];
  let stopped: 'destination' | 'gone' | 'deadline' | 'failed' | undefined;

  const lane = async (): Promise<void> => {
    while (!stopped) {
      const held = await lanes.enter(destinationId, firstOfRound);
      if (!held) {
        stopped ??= 'gone';
        return;
      }
      try {
        const candidate = stopped ? undefined : await queue.next();
        if (!candidate) return;
        const stop = held.signal.aborted ? 'gone' : Date.now() >= lastStart ? 'deadline' : undefined;
        if (stop) {
          queue.putBack(candidate);
          stopped ??= stop;
          return;
        }
        const startedAt = new Date();
        const result = await send(candidate.ref.deliveryId, candidate.envelope, held.signal);
        const outcome = result.statusCode === null && held.signal.aborted ? 'cancelled' : result.outcome;
        if (outcome === 'gone') lanes.stop(destinationId);
        const delayMs = delayOf(result);
        const nextAttemptAt = outcome === 'retry' ? new Date(Date.now() + delayMs) : null;
        const after = await record({ candidate, startedAt, latencyMs: Date.now() - startedAt.getTime(), outcome, result, nextAttemptAt });
        outcomes.push({ ref: candidate.ref, outcome, delayMs, error: result.error });
        if (!after.open) stopped ??= 'destination';
      } catch (error) {
        stopped = 'failed';
        throw error;
      } finally {
        held.release();
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(DELIVERY_CONCURRENCY, refs.length) }, lane));
  const failure = settled.find((lanePromise) => lanePromise.status === 'rejected');
  if (failure) throw failure.reason;

  outcomes.push(...queue.waiting.map((ref) => ({ ref: { deliveryId: ref.deliveryId, round: ref.round }, outcome: 'retry' as const, delayMs: ref.delayMs })));
  // Out of time: what was not sent goes back to the workflow, to be sent as retries.
  if (stopped === 'deadline') outcomes.push(...queue.unsent().map((ref) => ({ ref, outcome: 'retry' as const, delayMs: 0 })));
  // Stopped: what was not sent is skipped or held (a 410 this process saw counts before its row is committed).
  if (stopped === 'destination' || stopped === 'gone') await activeDestination(db, destinationId, queue.unsent(), stopped === 'gone');
  return outcomes;
}
