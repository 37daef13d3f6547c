import type { DeliveryResult, OutboundContext } from '../types';
import { postJson } from './http-delivery';
import { signStandardWebhook } from './standard-webhooks';

export interface StandardWebhookTarget {
  url: string;
  /** `whsec_…` */
  secret: string;
}

/**
 * Sends the envelope as a Standard Webhooks request: `webhook-id` is the event id (the same on every
 * retry and redelivery), `webhook-signature` is `v1,<base64 HMAC-SHA256 of id.timestamp.body>`.
 */
export function sendStandardWebhook(target: StandardWebhookTarget, ctx: OutboundContext<unknown, unknown>): Promise<DeliveryResult> {
  const body = JSON.stringify(ctx.envelope);
  const timestamp = Math.floor(Date.now() / 1000);
  return postJson({
    url: target.url,
    headers: {
      'webhook-id': ctx.envelope.id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signStandardWebhook(target.secret, ctx.envelope.id, timestamp, body),
    },
    body,
    timeoutMs: ctx.timeoutMs,
    allowPrivateDestinations: ctx.allowPrivateDestinations,
    secretHeaders: ['webhook-signature'],
    signal: ctx.signal,
  });
}
