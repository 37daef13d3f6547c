import { randomBytes } from 'node:crypto';
import type { Harness } from './harness';
import { standardWebhookHeaders } from './signers';

export const newWebhookSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

let sequence = 0;
/** A generic-webhook body (the documented inbound shape); `Order Completed` is a sale in the default mapping. */
export function genericEvent(fields: { type?: string; amountMinor?: number; currency?: string; customerId?: string; orderId?: string } = {}) {
  sequence += 1;
  return {
    type: fields.type ?? 'Order Completed',
    occurredAt: new Date().toISOString(),
    customer: { id: fields.customerId ?? `user_${sequence}` },
    amountMinor: fields.amountMinor ?? 2500,
    currency: fields.currency ?? 'USD',
    orderId: fields.orderId ?? `order_${process.pid}_${sequence}`,
  };
}

/** Posts a generic webhook signed with the integration's Standard Webhooks secret, under `msgId`. */
export function sendGeneric(h: Harness, integrationId: string, secret: string, event: object, msgId = `msg_${randomBytes(8).toString('hex')}`) {
  const body = JSON.stringify(event);
  return h.post(`/webhooks/webhook/${integrationId}`, body, standardWebhookHeaders(body, secret, msgId));
}
