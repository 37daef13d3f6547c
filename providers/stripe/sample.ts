import { SAMPLE_SALE, signingSecret } from '../shared/sample';
import type { SampleContext, SampleEvent } from '../types';
import type { StripeSecrets, StripeSettings } from './schema';
import { signStripe } from './verify';

/** A paid one-off Checkout Session in the integration's mode, signed as Stripe signs it. */
export function stripeSample({ settings, secrets, nowMs, runId }: SampleContext<StripeSettings, StripeSecrets>): SampleEvent {
  const live = settings.mode === 'live';
  const secret = live ? signingSecret(secrets.webhookSecret, secrets.testWebhookSecret) : signingSecret(secrets.testWebhookSecret, secrets.webhookSecret);
  const created = Math.floor(nowMs / 1000);
  const event = {
    id: `evt_test_${runId}`,
    object: 'event',
    type: 'checkout.session.completed',
    livemode: live,
    created,
    ...(settings.accountId ? { account: settings.accountId } : {}),
    data: {
      object: {
        id: `cs_test_${runId}`,
        object: 'checkout.session',
        mode: 'payment',
        payment_status: 'paid',
        amount_total: SAMPLE_SALE.amountMinor,
        currency: SAMPLE_SALE.currency.toLowerCase(),
        total_details: { amount_tax: 0 },
        customer: `cus_test_${runId}`,
        customer_details: { email: `test+${runId}@example.com`, name: 'Linquid Test' },
        invoice: null,
        payment_intent: `pi_test_${runId}`,
        metadata: { linquid_test: 'true' },
      },
    },
  };
  const body = JSON.stringify(event);
  return {
    headers: { 'stripe-signature': `t=${created},v1=${signStripe(secret, created, body)}` },
    body,
    expected: { type: 'sale', eventName: 'Purchase', amountMinor: SAMPLE_SALE.amountMinor, currency: SAMPLE_SALE.currency },
  };
}
