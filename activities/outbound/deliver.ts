import { activityInfo, ApplicationFailure } from '@temporalio/activity';
import type { DeliveryStatus, IntegrationRow } from '../../db/schema';
import type { DeliveryRetryConfig } from '../../lib/config';
import { logger } from '../../lib/logger';
import { metrics } from '../../lib/metrics';
import { getProvider } from '../../providers';
import { notSent } from '../../providers/shared/http-delivery';
import type { DeliveryResult, OutboundEnvelope } from '../../providers/types';
import type { DeliveryRef } from '../../workflows/delivery';
import type { ActivityDeps } from '..';
import { openAttempt, recordAttempt } from './attempt';
import { recordFailure, recordSuccess, signalDestination } from './health';

/** The wait before the next attempt: the destination's Retry-After, else exponential from the retry policy. */
export function retryDelayMs(attempt: number, retry: DeliveryRetryConfig, retryAfterMs?: number): number {
  return retryAfterMs ?? Math.min(retry.initialIntervalMs * 2 ** (attempt - 1), retry.maximumIntervalMs);
}

export async function callProvider(deps: ActivityDeps, deliveryId: string, envelope: OutboundEnvelope, destination: IntegrationRow): Promise<DeliveryResult> {
  const provider = getProvider(destination.provider);
  if (!provider?.outbound) return notSent(`provider ${destination.provider} has no outbound delivery`);
  const settings = provider.settingsSchema.safeParse(destination.settings);
  if (!settings.success) return notSent(`settings are invalid: ${settings.error.message}`);
  const { config } = deps;
  try {
    return await provider.outbound.deliver({
      envelope,
      deliveryId,
      settings: settings.data,
      secrets: destination.secrets_sealed ? deps.box.open(destination.secrets_sealed) : {},
      timeoutMs: config.deliveryRetry.attemptTimeoutMs,
      allowPrivateDestinations: config.allowPrivateDestinations,
      endpoints: { slackApiUrl: config.slackApiUrl, segmentApiUrl: config.segmentApiUrl },
    });
  } catch (error) {
    return notSent(`delivery failed: ${error instanceof Error ? error.message : String(error)}`, 'retry');
  }
}

/**
 * One attempt of one delivery. Returns the delivery's status when there is nothing more to do
 * (delivered, skipped, held, disabled); throws a retryable failure (with the wait: Retry-After or the
 * backoff) for 5xx/408/409/425/429/network errors, and a non-retryable one for other 4xx.
 */
export function deliverActivity(deps: ActivityDeps) {
  const { db, temporal, config } = deps;
  const policy = { threshold: config.deliveryFailureThreshold, windowMs: config.deliveryRetry.windowMs };
  return async function deliver(ref: DeliveryRef): Promise<DeliveryStatus | 'superseded'> {
    const opened = await db.transaction().execute((trx) => openAttempt(trx, ref));
    if (!opened.send) return opened.status;
    const { destination } = opened;
    const startedAt = new Date();
    const result = await callProvider(deps, ref.deliveryId, opened.envelope, destination);
    const latencyMs = Date.now() - startedAt.getTime();
    const delayMs = retryDelayMs(activityInfo().attempt, config.deliveryRetry, result.retryAfterMs);
    const failed = result.outcome === 'retry' || result.outcome === 'rejected';
    const { status, alert } = await db.transaction().execute(async (trx) => {
      const nextAttemptAt = result.outcome === 'retry' ? new Date(Date.now() + delayMs) : null;
      const recorded = await recordAttempt(trx, { ref, attempt: opened.attempt, startedAt, latencyMs, result, nextAttemptAt });
      if (result.outcome === 'success') await recordSuccess(trx, destination.id);
      return { status: recorded, alert: failed ? await recordFailure(trx, destination.id, policy, result.error ?? `HTTP ${result.statusCode}`) : undefined };
    });
    metrics.deliveries.inc({ provider: destination.provider, outcome: result.outcome });
    metrics.deliveryLatency.observe({ provider: destination.provider }, latencyMs / 1000);
    if (alert) await signalDestination(db, temporal, destination.id, 'fail', alert);
    if (result.outcome === 'gone') await signalDestination(db, temporal, destination.id, 'disconnect', 'the destination answered 410 Gone');
    if (!failed) return status;

    const message = `attempt ${opened.attempt}: ${result.error ?? `HTTP ${result.statusCode}`}`;
    logger.info({ workspaceId: destination.workspace_id, integrationId: destination.id, deliveryId: ref.deliveryId, eventId: opened.envelope.id, statusCode: result.statusCode, outcome: result.outcome }, 'delivery attempt failed');
    if (result.outcome === 'rejected') throw ApplicationFailure.create({ message, type: 'DeliveryRejected', nonRetryable: true });
    throw ApplicationFailure.create({ message, type: 'DeliveryFailed', nextRetryDelay: delayMs });
  };
}
