import { SAMPLE_SALE, sampleMapping, signingSecret } from '../shared/sample';
import { signStandardWebhook } from '../shared/standard-webhooks';
import type { SampleContext, SampleEvent } from '../types';
import type { WebhookSecrets, WebhookSettings } from './schema';

/** The first mapped event in the documented body, signed (Standard Webhooks) or carrying the token, per `inboundAuth`. */
export function webhookSample({ settings, secrets, nowMs, runId }: SampleContext<WebhookSettings, WebhookSecrets>): SampleEvent {
  const { name, expected } = sampleMapping(settings.eventMapping);
  const id = `msg_test_${runId}`;
  const body = JSON.stringify({
    type: name,
    id,
    occurredAt: new Date(nowMs).toISOString(),
    customer: { id: `test-user-${runId}`, email: `test+${runId}@example.com` },
    amountMinor: SAMPLE_SALE.amountMinor,
    currency: SAMPLE_SALE.currency,
    orderId: `test-order-${runId}`,
  });
  if (settings.inboundAuth === 'token') {
    const token = signingSecret(secrets.token);
    return { headers: { [settings.tokenHeader]: settings.tokenHeader === 'authorization' ? `Bearer ${token}` : token, 'webhook-id': id }, body, expected };
  }
  const timestamp = Math.floor(nowMs / 1000);
  const signature = signStandardWebhook(signingSecret(secrets.signingSecret), id, timestamp, body);
  return { headers: { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature }, body, expected };
}
