import { createHmac } from 'node:crypto';
import Stripe from 'stripe';
import { Webhook } from 'standardwebhooks';

/**
 * Signs test webhooks the way each provider does — with the provider's own library where one exists
 * (Stripe, Standard Webhooks), else with its documented algorithm — never with our verification code.
 */
const stripeWebhooks = new Stripe('sk_test_signer').webhooks;

export function stripeHeaders(payload: string, secret: string, timestamp = Math.floor(Date.now() / 1000)) {
  return { 'stripe-signature': stripeWebhooks.generateTestHeaderString({ payload, secret, timestamp }) };
}

export function shopifyHeaders(payload: string, secret: string, topic: string, shop: string, webhookId: string) {
  return {
    'x-shopify-hmac-sha256': createHmac('sha256', secret).update(payload).digest('base64'),
    'x-shopify-topic': topic,
    'x-shopify-shop-domain': shop,
    'x-shopify-webhook-id': webhookId,
  };
}

/** HubSpot v3: base64 HMAC-SHA256 of method + URI + body + timestamp (milliseconds). */
export function hubspotHeaders(payload: string, secret: string, url: string, timestampMs = Date.now()) {
  return {
    'x-hubspot-signature-v3': createHmac('sha256', secret).update(`POST${url}${payload}${timestampMs}`).digest('base64'),
    'x-hubspot-request-timestamp': String(timestampMs),
  };
}

export function segmentHeaders(payload: string, secret: string) {
  return { 'x-signature': createHmac('sha1', secret).update(payload).digest('hex') };
}

export function standardWebhookHeaders(payload: string, secret: string, id: string, at = new Date()) {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, payload),
  };
}
