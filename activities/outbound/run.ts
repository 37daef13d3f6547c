import { heartbeat } from '@temporalio/activity';
import { openSecrets } from '../../db/queries/secrets';
import type { IntegrationRow } from '../../db/schema';
import { logger } from '../../lib/logger';
import { metrics } from '../../lib/metrics';
import { getProvider } from '../../providers';
import { notSent } from '../../providers/shared/http-delivery';
import type { DeliveryOutcome, DeliveryResult, OutboundEnvelope } from '../../providers/types';
import { DELIVERY_CONCURRENCY, type DeliveryRef, type RetrySchedule } from '../../workflows/delivery';
import type { ActivityDeps } from '..';
import { activeDestination, type AttemptRecord, type Candidate, openAttempts, recordAttempts } from './attempt';
import { recordHealth, signalDestination, tally } from './health';

/** Deliveries opened, sent and recorded together: a few statements per chunk, not per delivery. */
const CHUNK = 50;

/** The wait after the `roundAttempt`-th failed attempt of a round: the destination's Retry-After, else exponential. */
export function retryDelayMs(roundAttempt: number, retry: RetrySchedule, retryAfterMs?: number): number {
  return retryAfterMs ?? Math.min(retry.initialIntervalMs * 2 ** (roundAttempt - 1), retry.maximumIntervalMs);
}

type Send = (deliveryId: string, envelope: OutboundEnvelope) => Promise<DeliveryResult>;

/** The provider call for one destination (settings parsed and secrets opened once); never throws. */
export function destinationSender(deps: Pick<ActivityDeps, 'box' | 'config'>, destination: IntegrationRow): Send {
  const provider = getProvider(destination.provider);
  const settings = provider?.settingsSchema.safeParse(destination.settings);
  const { config } = deps;
  let secrets: Record<string, unknown> | undefined;
  return async (deliveryId, envelope) => {
    if (!provider?.outbound) return notSent(`provider ${destination.provider} has no outbound delivery`);
    if (!settings?.success) return notSent(`settings are invalid: ${settings?.error.message}`);
    try {
      secrets ??= openSecrets(deps.box, destination);
      return await provider.outbound.deliver({
        envelope,
        deliveryId,
        settings: settings.data,
        secrets,
        timeoutMs: config.deliveryRetry.attemptTimeoutMs,
        allowPrivateDestinations: config.allowPrivateDestinations,
        apiUrl: config.providerApiUrls[destination.provider],
      });
    } catch (error) {
      return notSent(`delivery failed: ${error instanceof Error ? error.message : String(error)}`, 'retry');
    }
  };
}

/** One provider call, as the delivery pipeline makes it (also used by the integration test run). */
export function callProvider(deps: Pick<ActivityDeps, 'box' | 'config'>, deliveryId: string, envelope: OutboundEnvelope, destination: IntegrationRow): Promise<DeliveryResult> {
  return destinationSender(deps, destination)(deliveryId, envelope);
}

async function sendAll(send: Send, candidates: Candidate[], nextAttemptAt: (result: DeliveryResult) => Date | null): Promise<AttemptRecord[]> {
  const records: AttemptRecord[] = [];
  let next = 0;
  const lane = async () => {
    while (next < candidates.length) {
      const candidate = candidates[next++];
      const startedAt = new Date();
      const result = await send(candidate.ref.deliveryId, candidate.envelope);
      records.push({ candidate, startedAt, latencyMs: Date.now() - startedAt.getTime(), result, nextAttemptAt: nextAttemptAt(result) });
      heartbeat();
    }
  };
  await Promise.all(Array.from({ length: Math.min(DELIVERY_CONCURRENCY, candidates.length) }, lane));
  return records;
}

export interface AttemptOutcome {
  ref: DeliveryRef;
  outcome: DeliveryOutcome;
  /** Until the next attempt (retryable failures). */
  delayMs: number;
  error?: string;
}

/**
 * One attempt for each still-open delivery of one destination, `DELIVERY_CONCURRENCY` at a time, chunk by
 * chunk: each chunk rechecks the destination (a pause, an error or a disconnect stops the rest), logs
 * its attempts, updates the deliveries and the destination's failure streak, and raises the state
 * change a streak or a 410 calls for. Returns the attempts made (finished or stopped ones make none).
 */
export async function attemptDeliveries(deps: ActivityDeps, destinationId: string, refs: DeliveryRef[], roundAttempt: number): Promise<AttemptOutcome[]> {
  const { db, temporal, config } = deps;
  const policy = { threshold: config.deliveryFailureThreshold, windowMs: config.deliveryRetry.windowMs };
  const delayOf = (result: DeliveryResult) => retryDelayMs(roundAttempt, config.deliveryRetry, result.retryAfterMs);
  const outcomes: AttemptOutcome[] = [];
  for (let start = 0; start < refs.length; start += CHUNK) {
    const destination = await activeDestination(db, destinationId, refs.slice(start));
    if (!destination) break;
    const candidates = await openAttempts(db, refs.slice(start, start + CHUNK));
    const records = await sendAll(destinationSender(deps, destination), candidates, (result) =>
      result.outcome === 'retry' ? new Date(Date.now() + delayOf(result)) : null,
    );
    const results = records.map((record) => record.result);
    const counted = tally(results);
    const alert = await db.transaction().execute(async (trx) => {
      await recordAttempts(trx, records);
      return recordHealth(trx, destinationId, counted, policy);
    });
    if (counted.failures > 0) logger.warn({ integrationId: destinationId, failures: counted.failures, of: records.length, lastError: counted.lastError }, 'delivery attempts failed');
    for (const { candidate, result, latencyMs } of records) {
      metrics.deliveries.inc({ provider: destination.provider, outcome: result.outcome });
      metrics.deliveryLatency.observe({ provider: destination.provider }, latencyMs / 1000);
      outcomes.push({ ref: candidate.ref, outcome: result.outcome, delayMs: delayOf(result), error: result.error });
    }
    if (alert) await signalDestination(db, temporal, destinationId, 'fail', alert);
    if (results.some((result) => result.outcome === 'gone')) await signalDestination(db, temporal, destinationId, 'disconnect', 'the destination answered 410 Gone');
  }
  return outcomes;
}
