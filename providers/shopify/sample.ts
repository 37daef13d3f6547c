import { SAMPLE_SALE, signingSecret } from '../shared/sample';
import type { SampleContext, SampleEvent } from '../types';
import type { ShopifySecrets, ShopifySettings } from './schema';
import { signShopify } from './verify';
import { ADMIN_API_VERSION } from './credentials';

/** A paid test order (`orders/paid`) from the integration's shop. */
export function shopifySample({ settings, secrets, nowMs, runId }: SampleContext<ShopifySettings, ShopifySecrets>): SampleEvent {
  const secret = signingSecret(secrets.webhookSecret);
  const numericId = Number.parseInt(runId.slice(0, 12), 16);
  const at = new Date(nowMs).toISOString();
  const money = { amount: SAMPLE_SALE.amount, currency_code: SAMPLE_SALE.currency };
  const body = JSON.stringify({
    id: numericId,
    email: `test+${runId}@example.com`,
    currency: SAMPLE_SALE.currency,
    subtotal_price: SAMPLE_SALE.amount,
    subtotal_price_set: { shop_money: money, presentment_money: money },
    customer: { id: numericId, email: `test+${runId}@example.com`, first_name: 'Linquid', last_name: 'Test' },
    line_items: [{ id: numericId, quantity: 1, title: 'Linquid test item', price: SAMPLE_SALE.amount }],
    financial_status: 'paid',
    test: true,
    created_at: at,
    processed_at: at,
  });
  return {
    headers: {
      'x-shopify-hmac-sha256': signShopify(secret, body),
      'x-shopify-topic': 'orders/paid',
      'x-shopify-shop-domain': settings.shopDomain,
      'x-shopify-webhook-id': `test-${runId}`,
      'x-shopify-api-version': ADMIN_API_VERSION,
    },
    body,
    expected: { type: 'sale', eventName: 'Purchase', amountMinor: SAMPLE_SALE.amountMinor, currency: SAMPLE_SALE.currency },
  };
}
