import { createHmac } from 'node:crypto';
import { shopify } from '../../../providers/shopify';
import type { ShopifySettings } from '../../../providers/shopify/schema';
import { MalformedPayloadError } from '../../../providers/types';
import { context, conversionOf, effectsOf, expectRecordsAsDeclared, receive, request } from './support';

const SECRET = 'shpss_current_app_secret';
const OLD_SECRET = 'shpss_previous_app_secret';
const SHOP = 'linquid-demo.myshopify.com';
const inbound = shopify.inbound!;

function settings(overrides: Partial<ShopifySettings> = {}): ShopifySettings {
  return shopify.settingsSchema.parse({ shopDomain: SHOP, ...overrides });
}

/** Signed as Shopify does (base64 HMAC-SHA256 of the raw body), independently of our code. */
function signed(topic: string, resource: object, { secret = SECRET, shop = SHOP, webhookId = `wh-${topic}` } = {}) {
  const body = JSON.stringify(resource);
  return request(body, {
    'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'),
    'x-shopify-shop-domain': shop,
    'x-shopify-topic': topic,
    'x-shopify-webhook-id': webhookId,
    'x-shopify-api-version': '2025-04',
  });
}

function normalizeOne(topic: string, resource: object, overrides: Partial<ShopifySettings> = {}) {
  const { results } = receive(shopify, signed(topic, resource), context(settings(overrides), [{ webhookSecret: SECRET }]));
  return results[0];
}

const order = {
  id: 5_563_385_876_785,
  admin_graphql_api_id: 'gid://shopify/Order/5563385876785',
  email: 'ada@example.com',
  created_at: '2025-06-15T08:00:00-04:00',
  processed_at: '2025-06-15T08:00:05-04:00',
  currency: 'USD',
  presentment_currency: 'EUR',
  financial_status: 'paid',
  total_price: '66.97',
  subtotal_price: '54.98',
  subtotal_price_set: {
    shop_money: { amount: '54.98', currency_code: 'USD' },
    presentment_money: { amount: '50.50', currency_code: 'EUR' },
  },
  total_tax: '4.99',
  test: false,
  customer: { id: 7_013_232_444_721, email: null, first_name: 'Ada', last_name: 'Lovelace', created_at: '2025-06-01T00:00:00Z' },
  line_items: [
    { id: 1, title: 'Notebook', quantity: 2, price: '19.99' },
    { id: 2, title: 'Pen', quantity: 3, price: '5.00' },
  ],
  note_attributes: [
    { name: 'gift_note', value: 'Happy birthday' },
    { name: 'linquid_click_id', value: 'clk_shop' },
    { name: 'link_key', value: 'summer' },
  ],
};

const bag = (shop: string, presentment: string) => ({
  shop_money: { amount: shop, currency_code: 'USD' },
  presentment_money: { amount: presentment, currency_code: 'EUR' },
});

/** A refund of one notebook of the order above, shaped like Shopify's `refunds/create` example (multi-currency shop). */
const refund = {
  id: 929_361_465,
  order_id: 5_563_385_876_785,
  created_at: '2025-06-16T10:00:00Z',
  processed_at: '2025-06-16T10:00:01Z',
  note: 'wrong colour',
  restock: true,
  admin_graphql_api_id: 'gid://shopify/Refund/929361465',
  refund_line_items: [
    {
      id: 1_058_498_311,
      quantity: 1,
      line_item_id: 1,
      restock_type: 'return',
      subtotal: 18.36,
      total_tax: 1.47,
      subtotal_set: bag('19.99', '18.36'),
      total_tax_set: bag('1.60', '1.47'),
      line_item: { id: 1, title: 'Notebook', quantity: 2, price: '19.99' },
    },
  ],
  transactions: [
    { id: 1_072_844_685, order_id: 5_563_385_876_785, kind: 'refund', gateway: 'shopify_payments', status: 'success', amount: '21.92', currency: 'EUR', test: false, parent_id: 1_072_844_670 },
  ],
  order_adjustments: [],
};

describe('shopify verify', () => {
  const ctx = context(settings(), [{ webhookSecret: SECRET }]);

  it('accepts the HMAC of the raw body and refuses a wrong one or none', () => {
    expect(inbound.verify(signed('orders/paid', order), ctx)).toEqual({ ok: true });
    expect(inbound.verify(signed('orders/paid', order, { secret: 'nope' }), ctx)).toMatchObject({ ok: false, reason: 'bad_signature' });
    const unsigned = signed('orders/paid', order);
    delete unsigned.headers['x-shopify-hmac-sha256'];
    expect(inbound.verify(unsigned, ctx)).toMatchObject({ ok: false, reason: 'missing_signature' });
  });

  it('refuses a validly signed webhook of another shop', () => {
    const other = signed('orders/paid', order, { shop: 'someone-else.myshopify.com' });
    expect(inbound.verify(other, ctx)).toMatchObject({ ok: false, reason: 'wrong_account' });
  });

  it('accepts the previous secret during its grace period', () => {
    const rotated = context(settings(), [{ webhookSecret: SECRET }, { webhookSecret: OLD_SECRET }]);
    expect(inbound.verify(signed('orders/paid', order, { secret: OLD_SECRET }), rotated)).toEqual({ ok: true });
  });
});

describe('shopify parse', () => {
  it('keys by X-Shopify-Webhook-Id (else X-Shopify-Event-Id), typed by the topic, livemode from `test`', () => {
    const req = signed('orders/paid', { ...order, test: true }, { webhookId: 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043' });
    expect(inbound.parse(req)).toEqual([
      { dedupKey: 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043', type: 'orders/paid', payload: { ...order, test: true }, livemode: false },
    ]);
    const byEventId = signed('customers/create', order.customer);
    delete byEventId.headers['x-shopify-webhook-id'];
    byEventId.headers['x-shopify-event-id'] = 'evt-9';
    expect(inbound.parse(byEventId)[0].dedupKey).toBe('evt-9');
  });

  it('takes a refund’s test mode from its transactions (a refund has no flag of its own)', () => {
    const testRefund = { ...refund, transactions: [{ ...refund.transactions[0], gateway: 'bogus', test: true }] };
    expect(inbound.parse(signed('refunds/create', testRefund))[0].livemode).toBe(false);
    expect(inbound.parse(signed('refunds/create', refund))[0].livemode).toBe(true);
    expect(inbound.parse(signed('customers/create', order.customer))[0]).not.toHaveProperty('livemode');
  });

  it('throws MalformedPayloadError without a topic or id, or for a non-object body', () => {
    const noTopic = signed('orders/paid', order);
    delete noTopic.headers['x-shopify-topic'];
    expect(() => inbound.parse(noTopic)).toThrow(MalformedPayloadError);
    expect(() => inbound.parse({ ...signed('orders/paid', order), rawBody: Buffer.from('[1]') })).toThrow(MalformedPayloadError);
  });
});

describe('shopify normalize', () => {
  it('records for each topic what the catalog says it does', () => {
    expectRecordsAsDeclared(shopify, {
      'orders/paid': [normalizeOne('orders/paid', order)],
      'customers/create': [normalizeOne('customers/create', order.customer)],
      'refunds/create': [normalizeOne('refunds/create', refund)],
      'app/uninstalled': [normalizeOne('app/uninstalled', { id: 1, domain: SHOP })],
    });
  });

  it('records a paid order as a sale of its shop-currency subtotal, with customer, quantity and attribution', () => {
    expect(conversionOf(normalizeOne('orders/paid', order))).toEqual({
      type: 'sale',
      eventName: 'Purchase',
      externalId: '5563385876785',
      customer: { externalId: '7013232444721', email: 'ada@example.com', name: 'Ada Lovelace' },
      amountMinor: 5498,
      currency: 'USD',
      quantity: 5,
      occurredAt: '2025-06-15T12:00:05.000Z',
      clickId: 'clk_shop',
      linkKey: 'summer',
      metadata: { presentmentMoney: { amountMinor: 5050, currency: 'EUR' } },
    });
  });

  it('falls back to subtotal_price and currency, in the currency exponent (JPY)', () => {
    const yen = { ...order, subtotal_price_set: undefined, subtotal_price: '4980', currency: 'JPY', customer: null };
    expect(conversionOf(normalizeOne('orders/paid', yen))).toMatchObject({ amountMinor: 4980, currency: 'JPY' });
  });

  it('records a new customer', () => {
    expect(effectsOf(normalizeOne('customers/create', order.customer))).toEqual([
      { kind: 'customer', customer: { externalId: '7013232444721', email: null, name: 'Ada Lovelace' } },
    ]);
  });

  it('records a refund in shop money on the sale’s terms: refunded subtotals, not what the (presentment) transactions returned', () => {
    expect(conversionOf(normalizeOne('refunds/create', refund))).toEqual({
      type: 'refund',
      eventName: 'Refund',
      externalId: '929361465',
      refundsExternalId: '5563385876785',
      // 19.99 of line subtotals (shop money), not the EUR 21.92 returned (tax included).
      amountMinor: 1999,
      currency: 'USD',
      occurredAt: '2025-06-16T10:00:01.000Z',
      metadata: { presentmentMoney: { amountMinor: 1836, currency: 'EUR' }, moneyReturned: { amountMinor: 2192, currency: 'EUR' } },
    });
  });

  it('corrects the subtotals by refund discrepancies: an amount-only refund, or less than calculated', () => {
    const goodwill = {
      ...refund,
      refund_line_items: [],
      transactions: [{ ...refund.transactions[0], amount: '5.00' }],
      order_adjustments: [{ id: 7, kind: 'refund_discrepancy', amount: '-5.44', tax_amount: '0.00', amount_set: bag('-5.44', '-5.00') }],
    };
    expect(conversionOf(normalizeOne('refunds/create', goodwill))).toMatchObject({ amountMinor: 544, currency: 'USD', metadata: { presentmentMoney: { amountMinor: 500, currency: 'EUR' } } });
    const partial = { ...refund, order_adjustments: [{ id: 8, kind: 'refund_discrepancy', amount: '2.00', tax_amount: '0.00', amount_set: bag('2.00', '1.84') }] };
    expect(conversionOf(normalizeOne('refunds/create', partial))).toMatchObject({ amountMinor: 1799, currency: 'USD' });
  });

  it('ignores a refund that returned no money (restock only) or no merchandise (shipping only)', () => {
    expect(normalizeOne('refunds/create', { ...refund, transactions: [] })).toEqual({ status: 'ignored', reason: 'refund returned no money (restock or adjustment only)' });
    const failed = { ...refund, transactions: [{ ...refund.transactions[0], status: 'failure' }] };
    expect(normalizeOne('refunds/create', failed)).toMatchObject({ status: 'ignored' });
    const shipping = { ...refund, refund_line_items: [], refund_shipping_lines: [{ id: 1, subtotal_amount_set: bag('8.00', '7.36') }] };
    expect(normalizeOne('refunds/create', shipping)).toEqual({ status: 'ignored', reason: expect.stringContaining('no merchandise value') });
  });

  it('reads a refund without subtotal_set (API versions before multi-currency) as malformed, not as a guess', () => {
    const legacy = { ...refund, refund_line_items: [{ id: 1, quantity: 1, subtotal: 19.99, total_tax: 1.6 }] };
    expect(normalizeOne('refunds/create', legacy)).toMatchObject({ status: 'ignored', reason: expect.stringMatching(/^malformed payload: .*subtotal_set/) });
  });

  it('disconnects when the app is uninstalled', () => {
    expect(effectsOf(normalizeOne('app/uninstalled', { id: 1, domain: SHOP })))
      .toEqual([{ kind: 'lifecycle', action: 'disconnect', reason: 'the app was uninstalled from the Shopify shop' }]);
  });

  it('ignores topics that are switched off or unhandled', () => {
    expect(normalizeOne('orders/paid', order, { syncOrders: false })).toEqual({ status: 'ignored', reason: 'order sync is off' });
    expect(normalizeOne('customers/create', order.customer, { syncCustomers: false })).toEqual({
      status: 'ignored',
      reason: 'customer sync is off',
    });
    expect(normalizeOne('refunds/create', {}, { syncRefunds: false })).toEqual({ status: 'ignored', reason: 'refund sync is off' });
    expect(normalizeOne('products/update', { id: 1 })).toEqual({ status: 'ignored', reason: 'unhandled event type products/update' });
  });
});
