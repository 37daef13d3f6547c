import { coalesced } from '../../lib/coalesce';
import { logger } from '../../lib/logger';
import { metrics } from '../../lib/metrics';
import type { ActivityDeps } from '../deps';
import { type AttemptRecord, DESTINATION_GONE, withAttemptsRecorded } from './attempt';
import { type DestinationAfter, recordHealth, signalDestination, tally } from './health';

/**
 * Records each attempt as soon as its answer is back, so a worker that dies re-sends only what was in
 * flight: one statement at a time per activity (attempt rows, delivery statuses, the destination's
 * streak and `gone_at`), shared by the answers that came back while the previous one ran. Resolves once
 * the attempt is committed, with where the destination then stands; raises the state change a streak or
 * a first 410 calls for.
 */
export function attemptRecorder({ db, temporal, config }: Pick<ActivityDeps, 'db' | 'temporal' | 'config'>, destinationId: string, provider: string) {
  const policy = { threshold: config.deliveryFailureThreshold, windowMs: config.deliveryRetry.windowMs };
  const pending: AttemptRecord[] = [];
  let latest: DestinationAfter;
  const flush = coalesced(async () => {
    const records = pending.splice(0);
    const counted = tally(records);
    const after = await recordHealth(db, withAttemptsRecorded(db, records), destinationId, counted, policy);
    for (const { outcome, latencyMs } of records) {
      metrics.deliveries.inc({ provider, outcome });
      metrics.deliveryLatency.observe({ provider }, latencyMs / 1000);
    }
    if (counted.failures > 0) logger.warn({ integrationId: destinationId, failures: counted.failures, of: records.length, lastError: counted.lastError }, 'delivery attempts failed');
    if (after.alert) await signalDestination(db, temporal, destinationId, 'fail', { code: 'delivery_failures', message: after.alert });
    if (after.firstGone) await signalDestination(db, temporal, destinationId, 'disconnect', DESTINATION_GONE);
    latest = after;
  });
  return async (record: AttemptRecord): Promise<DestinationAfter> => {
    pending.push(record);
    await flush();
    return latest;
  };
}
