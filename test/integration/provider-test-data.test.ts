import { type Harness, startHarness, waitFor } from '../support/harness';
import { inboundHelpers } from '../support/inbound';
import { outboundHelpers } from '../support/outbound';
import { shopifyHeaders, stripeHeaders } from '../support/signers';

const DAY = '2024-05-10';
const AT = Date.parse(`${DAY}T10:00:00Z`) / 1000;
const SHOP = 'test-data-store.myshopify.com';

/** A paid one-off Checkout Session event, shaped like Stripe's published objects (OpenAPI fixtures). */
function checkoutCompleted(eventId: string, livemode: boolean, suffix: string) {
  const session = {
    id: `cs_${suffix}`,
    object: 'checkout.session',
    livemode,
    mode: 'payment',
    status: 'complete',
    payment_status: 'paid',
    amount_subtotal: 7000,
    amount_total: 7560,
    currency: 'usd',
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 560 },
    customer: `cus_${suffix}`,
    customer_details: { email: `${suffix}@example.com`, name: `Buyer ${suffix}`, phone: null, tax_exempt: 'none', tax_ids: [] },
    invoice: null,
    payment_intent: `pi_${suffix}`,
    payment_method_types: ['card'],
    metadata: { dub_id: `clk_${suffix}` },
    created: AT - 60,
    expires_at: AT + 86_400,
  };
  return JSON.stringify({
    id: eventId,
    object: 'event',
    api_version: '2024-06-20',
    type: 'checkout.session.completed',
    created: AT,
    livemode,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    data: { object: session },
  });
}

const money = (amount: string) => ({ shop_money: { amount, currency_code: 'USD' }, presentment_money: { amount, currency_code: 'USD' } });

/** A paid order as Shopify's `orders/paid` webhook carries it; a test-gateway order says `test: true`. */
function order(id: number, subtotal: string, test: boolean) {
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#${id}`,
    email: 'sam@example.com',
    created_at: `${DAY}T09:59:00-00:00`,
    processed_at: `${DAY}T10:00:00-00:00`,
    currency: 'USD',
    presentment_currency: 'USD',
    financial_status: 'paid',
    gateway: test ? 'bogus' : 'shopify_payments',
    test,
    subtotal_price: subtotal,
    subtotal_price_set: money(subtotal),
    total_price: subtotal,
    total_price_set: money(subtotal),
    customer: { id: 7001, email: 'sam@example.com', first_name: 'Sam', last_name: 'Shopper' },
    line_items: [{ id: id * 10, title: 'Mug', quantity: 1, price: subtotal, price_set: money(subtotal) }],
  };
}

/** The refund of a test order: its refund transaction went through the test gateway. */
const testRefund = {
  id: 9101,
  order_id: 8101,
  created_at: `${DAY}T11:00:00-00:00`,
  processed_at: `${DAY}T11:00:00-00:00`,
  restock: false,
  refund_line_items: [{ id: 1, quantity: 1, line_item_id: 81010, subtotal: 100, total_tax: 0, subtotal_set: money('100.00'), total_tax_set: money('0.00') }],
  transactions: [{ id: 2, order_id: 8101, kind: 'refund', gateway: 'bogus', status: 'success', amount: '100.00', currency: 'USD', test: true }],
  order_adjustments: [],
};

describe('provider test mode is test data everywhere: listings, analytics, destinations', () => {
  let h: Harness;
  let key: string;
  let io: ReturnType<typeof inboundHelpers>;
  let out: ReturnType<typeof outboundHelpers>;
  const ok = async (path: string) => {
    const response = await h.api('GET', path, { key });
    expect(response.status).toBe(200);
    return response.body;
  };

  beforeAll(async () => {
    h = await startHarness();
    key = (await h.newWorkspace()).key;
    io = inboundHelpers(h, () => key);
    out = outboundHelpers(h, () => key);
  });
  afterAll(() => out.stop());

  it('Stripe test mode and Shopify test orders are isTest, hidden by default, never counted or delivered; live data is untouched', async () => {
    const receiver = await out.receiver();
    const destination = await out.installWebhook(receiver.url, receiver.secret, ['customer.created', 'sale.created', 'refund.created']);

    const testStripe = await io.install('stripe', { mode: 'test' }, { webhookSecret: 'whsec_test_account' });
    const liveStripe = await io.install('stripe', { mode: 'live' }, { webhookSecret: 'whsec_live_account' });
    const shop = await io.install('shopify', { shopDomain: SHOP }, { webhookSecret: 'shpss_test_data' });
    const stripe = async (integrationId: string, secret: string, payload: string) =>
      expect((await h.post(`/webhooks/stripe/${integrationId}`, payload, stripeHeaders(payload, secret))).status).toBe(200);
    const shopify = async (topic: string, webhookId: string, body: object) => {
      const payload = JSON.stringify(body);
      expect((await h.post(`/webhooks/shopify/${shop.id}`, payload, shopifyHeaders(payload, 'shpss_test_data', topic, SHOP, webhookId))).status).toBe(200);
    };

    await stripe(testStripe.id, 'whsec_test_account', checkoutCompleted('evt_test_checkout', false, 'testmode'));
    await stripe(liveStripe.id, 'whsec_live_account', checkoutCompleted('evt_stray_test', false, 'stray'));
    await stripe(liveStripe.id, 'whsec_live_account', checkoutCompleted('evt_live_checkout', true, 'live'));
    await shopify('orders/paid', 'wh-test-order', order(8101, '100.00', true));
    await io.settled(shop.id, 1);
    await shopify('refunds/create', 'wh-test-refund', testRefund);
    await io.settled(shop.id, 2);
    // The same customer then buys for real: the customer is live from now on.
    await shopify('orders/paid', 'wh-live-order', order(8102, '30.00', false));
    await Promise.all([io.settled(testStripe.id, 1), io.settled(liveStripe.id, 2), io.settled(shop.id, 3)]);

    // The inbound log shows every delivery, marked.
    const logged = async (integrationId: string) =>
      (await ok(`/v1/integrations/${integrationId}/webhook-events`)).data.map((e: { eventId: string; status: string; isTest: boolean }) => [e.eventId, e.status, e.isTest]);
    expect(await logged(testStripe.id)).toEqual([['evt_test_checkout', 'processed', true]]);
    expect(await logged(liveStripe.id)).toEqual([['evt_live_checkout', 'processed', false], ['evt_stray_test', 'ignored', true]]);
    expect(await logged(shop.id)).toEqual([['wh-live-order', 'processed', false], ['wh-test-refund', 'processed', true], ['wh-test-order', 'processed', true]]);

    // Recorded money is the same as live data's; only the flag differs.
    const all = (await ok('/v1/conversions?includeTest=true')).data;
    const summary = all.map((c: any) => [c.provider, c.type, c.externalId, c.amountMinor, c.currency, c.isTest]);
    expect(summary).toEqual(expect.arrayContaining([
      ['stripe', 'sale', 'pi_testmode', 7000, 'USD', true],
      ['stripe', 'sale', 'pi_live', 7000, 'USD', false],
      ['shopify', 'sale', '8101', 10000, 'USD', true],
      ['shopify', 'refund', '9101', 10000, 'USD', true],
      ['shopify', 'sale', '8102', 3000, 'USD', false],
    ]));
    expect(all).toHaveLength(5);
    const live = (await ok('/v1/conversions')).data.map((c: any) => c.externalId).sort();
    expect(live).toEqual(['8102', 'pi_live']);
    const testSale = all.find((c: any) => c.externalId === 'pi_testmode');
    expect((await ok(`/v1/conversions/${testSale.id}`)).isTest).toBe(true);

    const customers = (await ok('/v1/customers')).data.map((c: any) => [c.externalId, c.isTest]).sort();
    expect(customers).toEqual([['7001', false], ['cus_live', false]]);
    expect((await ok('/v1/customers?includeTest=true')).data.map((c: any) => c.externalId).sort()).toEqual(['7001', 'cus_live', 'cus_testmode']);

    const events = await ok('/v1/events?limit=200&includeTest=true');
    const testEvents = events.data.filter((e: any) => e.isTest);
    expect(testEvents.map((e: any) => e.type).sort()).toEqual(['customer.created', 'customer.created', 'refund.created', 'sale.created', 'sale.created']);
    const defaultEvents = (await ok('/v1/events?limit=200')).data;
    expect(defaultEvents.some((e: any) => e.isTest)).toBe(false);
    expect(defaultEvents.filter((e: any) => e.type === 'sale.created').map((e: any) => e.data.conversion.externalId).sort()).toEqual(['8102', 'pi_live']);

    // Analytics count the two live sales only, and no refund.
    const analytics = await ok(`/v1/analytics/conversions?interval=day&from=${DAY}&to=2024-05-11`);
    const [bucket] = analytics.buckets;
    expect(bucket.counts).toEqual({ lead: 0, sale: 2, refund: 0 });
    expect(bucket.revenue).toEqual([expect.objectContaining({ currency: 'USD', salesMinor: 10000, refundsMinor: 0, netMinor: 10000 })]);

    // Destinations get the live events; each test event is recorded as skipped and never sent.
    for (const event of testEvents) {
      expect(await out.deliveryOf(destination.id, event.id, () => true, 'the test event’s delivery')).toMatchObject({ status: 'skipped', reason: 'test event', attemptCount: 0 });
    }
    const liveEvents = defaultEvents.filter((e: any) => ['customer.created', 'sale.created'].includes(e.type));
    await waitFor(() => liveEvents.every((e: any) => receiver.delivered().has(e.id)), 'the live events at the destination');
    const sentIds = receiver.requests.map((request) => String(request.headers['webhook-id']));
    expect(sentIds.filter((id) => testEvents.some((e: any) => e.id === id))).toEqual([]);
  });
});
