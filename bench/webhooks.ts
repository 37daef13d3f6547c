import { stripeHeaders } from '../test/support/signers';
import type { PreparedRequest } from './load';

/** The secret every bench Stripe integration (and the baseline) verifies with. */
export const STRIPE_SECRET = 'whsec_bench_signing_secret';

/** A paid invoice, one customer each: every event becomes one sale conversion and one customer. */
function invoicePaid(eventId: string, key: string, amount: number, livemode: boolean): string {
  return JSON.stringify({
    id: eventId,
    object: 'event',
    type: 'invoice.paid',
    api_version: '2025-01-27.acacia',
    created: Math.floor(Date.now() / 1000),
    livemode,
    pending_webhooks: 1,
    data: {
      object: {
        id: `in_${key}`,
        object: 'invoice',
        amount_paid: amount,
        currency: 'usd',
        customer: `cus_${key}`,
        customer_email: `buyer-${key}@example.com`,
        status: 'paid',
        lines: { data: [{ quantity: 1 }] },
      },
    },
  });
}

/** Where the webhooks go, and whether they are live-mode events (test-mode ones are recorded but never forwarded to destinations). */
export interface WebhookOptions {
  pathOf?: (integrationId: string) => string;
  live?: boolean;
}

/**
 * `count` signed Stripe webhooks with unique event ids (`tag` keeps runs apart), round-robin over
 * `integrationIds`, signed by Stripe's own library. Signed now: Stripe's 5-minute tolerance covers a run.
 */
export function stripeWebhooks(tag: string, count: number, integrationIds: string[], { pathOf = (id) => `/webhooks/stripe/${id}`, live = false }: WebhookOptions = {}): PreparedRequest[] {
  return Array.from({ length: count }, (_, i) => {
    const body = invoicePaid(`evt_${tag}_${i}`, `${tag}_${i}`, 1000 + (i % 5000), live);
    return { path: pathOf(integrationIds[i % integrationIds.length]), body, headers: { 'content-type': 'application/json', ...stripeHeaders(body, STRIPE_SECRET) } };
  });
}
