import { SAMPLE_SALE, sampleMapping, signingSecret } from '../shared/sample';
import type { SampleContext, SampleEvent } from '../types';
import type { SegmentSecrets, SegmentSettings } from './schema';
import { signSegment } from './verify';

/** A `track` call of the first mapped event (a sale if one is mapped), as the Segment webhook destination sends it. */
export function segmentSample({ settings, secrets, nowMs, runId }: SampleContext<SegmentSettings, SegmentSecrets>): SampleEvent {
  const secret = signingSecret(secrets.sharedSecret);
  const { name, expected } = sampleMapping(settings.eventMapping);
  const body = JSON.stringify({
    type: 'track',
    messageId: `test-${runId}`,
    userId: `test-user-${runId}`,
    event: name,
    properties: { revenue: Number(SAMPLE_SALE.amount), currency: SAMPLE_SALE.currency, order_id: `test-order-${runId}`, email: `test+${runId}@example.com` },
    timestamp: new Date(nowMs).toISOString(),
  });
  return { headers: { 'x-signature': signSegment(secret, body) }, body, expected };
}
