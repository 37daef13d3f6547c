import { type Harness, startHarness, waitFor } from '../support/harness';
import { inboundHelpers } from '../support/inbound';
import { segmentHeaders, shopifyHeaders, standardWebhookHeaders, stripeHeaders } from '../support/signers';

const now = () => Math.floor(Date.now() / 1000);
const minor = (value: unknown) => (value === null ? null : Number(value));

describe('inbound: each provider’s webhooks become the exact rows expected', () => {
  let h: Harness;
  let key: string;
  let io: ReturnType<typeof inboundHelpers>;
  beforeAll(async () => {
    h = await startHarness();
    key = (await h.newWorkspace()).key;
    io = inboundHelpers(h, () => key);
  });
  afterAll(() => h.stop());

  it('Stripe: checkout + invoice are one sale, sign-ups and trials are leads, refunds link, deauthorization disconnects', async () => {
    const secret = 'whsec_stripe_inbound_test';
    const { id } = await io.install('stripe', { mode: 'test', trackSeats: true }, { webhookSecret: secret });
    const send = async (eventId: string, type: string, object: Record<string, unknown>, previous?: Record<string, unknown>) => {
      const payload = JSON.stringify({ id: eventId, object: 'event', type, created: now(), livemode: false, data: { object, ...(previous && { previous_attributes: previous }) } });
      const response = await h.post(`/webhooks/stripe/${id}`, payload, stripeHeaders(payload, secret));
      expect(response.status).toBe(200);
    };
    await send('evt_refund_first', 'charge.refunded', {
      id: 'ch_2', object: 'charge', amount: 2000, amount_refunded: 2000, currency: 'usd', customer: 'cus_bob', invoice: 'in_bob', payment_intent: 'pi_bob', created: now(),
    }, { amount_refunded: 0, refunded: false });
    await send('evt_checkout', 'checkout.session.completed', {
      id: 'cs_1', object: 'checkout.session', mode: 'subscription', status: 'complete', payment_status: 'paid', amount_total: 5400, currency: 'usd',
      total_details: { amount_tax: 400 }, customer: 'cus_ada', customer_details: { email: 'ada@example.com', name: 'Ada Lovelace' },
      invoice: 'in_ada', metadata: { dub_id: 'clk_ada', link_key: 'launch' },
    });
    await send('evt_invoice', 'invoice.paid', {
      id: 'in_ada', object: 'invoice', amount_paid: 5400, currency: 'usd', customer: 'cus_ada', customer_email: 'ada@example.com', status: 'paid',
      total_taxes: [{ amount: 400 }], lines: { object: 'list', data: [{ id: 'il_1', quantity: 3 }] },
    });
    await send('evt_customer', 'customer.created', { id: 'cus_cy', object: 'customer', email: 'cy@example.com', name: 'Cy Young', created: now() });
    await send('evt_trial', 'customer.subscription.created', {
      id: 'sub_cy', object: 'subscription', status: 'trialing', customer: 'cus_cy', created: now(), items: { object: 'list', data: [{ id: 'si_1', quantity: 4 }] },
    });
    await send('evt_bob_invoice', 'invoice.paid', {
      id: 'in_bob', object: 'invoice', amount_paid: 2000, currency: 'usd', customer: 'cus_bob', status: 'paid', lines: { object: 'list', data: [] },
    });
    await send('evt_jpy', 'checkout.session.completed', {
      id: 'cs_jp', object: 'checkout.session', mode: 'payment', status: 'complete', payment_status: 'paid', amount_total: 1200, currency: 'jpy',
      customer: 'cus_jp', customer_details: { email: 'jp@example.com' }, payment_intent: 'pi_jp', invoice: null,
    });
    await send('evt_unknown', 'payment_method.attached', { id: 'pm_1', object: 'payment_method' });
    const rows = await io.settled(id, 8);
    expect(rows.find((row) => row.dedup_key === 'evt_unknown')).toMatchObject({ status: 'ignored', reason: expect.stringContaining('payment_method.attached') });

    const conversions = await io.conversions(id);
    const summary = conversions.map((c) => [c.type, c.event_name, c.external_id, minor(c.amount_minor), c.currency, c.quantity]);
    expect(summary).toEqual(
      expect.arrayContaining([
        ['sale', expect.any(String), 'in_ada', 5000, 'USD', 3],
        ['sale', expect.any(String), 'in_bob', 2000, 'USD', 0],
        ['refund', expect.any(String), 'ch_2/refunded/0-2000', 2000, 'USD', null],
        ['lead', 'Sign up', expect.any(String), null, null, null],
        ['lead', 'Started Trial', expect.any(String), null, null, 4],
        ['sale', expect.any(String), 'pi_jp', 1200, 'JPY', null],
      ]),
    );
    expect(conversions).toHaveLength(6);
    const ada = conversions.find((c) => c.external_id === 'in_ada')!;
    expect(ada).toMatchObject({ click_id: 'clk_ada', link_key: 'launch' });
    const bobSale = conversions.find((c) => c.external_id === 'in_bob')!;
    // The refund arrived before its sale and still ends linked to it.
    expect(conversions.find((c) => c.type === 'refund')!.sale_conversion_id).toBe(bobSale.id);
    const customers = await io.customers(id);
    expect(customers.find((c) => c.external_id === 'cus_ada')).toMatchObject({ email: 'ada@example.com', name: 'Ada Lovelace' });
    expect(customers.find((c) => c.external_id === 'cus_cy')).toMatchObject({ email: 'cy@example.com', name: 'Cy Young' });
    const eventTypes = (await h.db.selectFrom('events').select('type').where('integration_id', '=', id).execute()).map((e) => e.type);
    expect(eventTypes.filter((t) => t === 'sale.created')).toHaveLength(3);
    expect(eventTypes.filter((t) => t === 'refund.created')).toHaveLength(1);

    await send('evt_deauth', 'account.application.deauthorized', { id: 'ca_1', object: 'application' });
    await waitFor(async () => (await io.state(id)) === 'disconnected', 'the deauthorized integration to disconnect');
    // The webhook endpoint hears of the change through PostgreSQL NOTIFY, a moment after the row changed.
    const gone = await waitFor(async () => {
      const answer = await h.post(`/webhooks/stripe/${id}`, '{}', stripeHeaders('{}', secret));
      return answer.status === 410 && answer;
    }, 'the endpoint to answer 410 Gone');
    expect(gone.body.error.code).toBe('integration_disconnected');
  });

  it('Stripe: a test-mode event at a live integration is recorded and ignored', async () => {
    const secret = 'whsec_live_only';
    const { id } = await io.install('stripe', { mode: 'live' }, { webhookSecret: secret });
    const payload = JSON.stringify({ id: 'evt_testmode', object: 'event', type: 'customer.created', created: now(), livemode: false, data: { object: { id: 'cus_t', object: 'customer' } } });
    expect((await h.post(`/webhooks/stripe/${id}`, payload, stripeHeaders(payload, secret))).status).toBe(200);
    const [row] = await io.settled(id, 1);
    expect(row).toMatchObject({ status: 'ignored', reason: expect.stringMatching(/test-mode/) });
    expect(await io.customers(id)).toEqual([]);
  });

  it('Shopify: a multi-currency order and its refund are both booked in shop money, net out, and keep the customer’s money in metadata', async () => {
    const secret = 'shpss_inbound_secret';
    const shop = 'acme-store.myshopify.com';
    const { id } = await io.install('shopify', { shopDomain: shop }, { webhookSecret: secret });
    const send = (topic: string, webhookId: string, body: object, fromShop = shop) => {
      const payload = JSON.stringify(body);
      return h.post(`/webhooks/shopify/${id}`, payload, shopifyHeaders(payload, secret, topic, fromShop, webhookId));
    };
    // A USD shop selling to a customer paying in EUR (Shopify's documented order/refund webhook shapes).
    const bag = (usd: string, eur: string) => ({ shop_money: { amount: usd, currency_code: 'USD' }, presentment_money: { amount: eur, currency_code: 'EUR' } });
    const order = {
      id: 1001, admin_graphql_api_id: 'gid://shopify/Order/1001', name: '#1001', email: 'eve@example.com',
      created_at: '2024-04-02T09:59:00-04:00', processed_at: '2024-04-02T10:00:00-04:00', test: false,
      currency: 'USD', presentment_currency: 'EUR', financial_status: 'paid',
      subtotal_price: '100.00', subtotal_price_set: bag('100.00', '92.00'),
      total_tax: '8.00', total_tax_set: bag('8.00', '7.36'),
      total_shipping_price_set: bag('10.00', '9.20'),
      total_price: '118.00', total_price_set: bag('118.00', '108.56'),
      customer: { id: 2001, email: 'eve@example.com', first_name: 'Eve', last_name: 'Adams' },
      line_items: [
        { id: 11, title: 'Lamp', quantity: 2, price: '25.00', price_set: bag('25.00', '23.00') },
        { id: 12, title: 'Shade', quantity: 1, price: '50.00', price_set: bag('50.00', '46.00') },
      ],
      note_attributes: [{ name: 'clickId', value: 'clk_shop' }],
    };
    const refund = {
      id: 3001, order_id: 1001, admin_graphql_api_id: 'gid://shopify/Refund/3001', note: 'wrong size', restock: true,
      created_at: '2024-04-03T10:00:00-04:00', processed_at: '2024-04-03T10:00:00-04:00',
      refund_line_items: [
        { id: 31, quantity: 1, line_item_id: 12, restock_type: 'return', subtotal: 46, total_tax: 3.68, subtotal_set: bag('50.00', '46.00'), total_tax_set: bag('4.00', '3.68') },
      ],
      // The money went back in the customer's currency, tax included.
      transactions: [{ id: 9, order_id: 1001, kind: 'refund', gateway: 'shopify_payments', status: 'success', amount: '49.68', currency: 'EUR', test: false }],
      order_adjustments: [],
    };
    expect((await send('orders/paid', 'wh_1', order)).status).toBe(200);
    expect((await send('refunds/create', 'wh_2', refund)).status).toBe(200);
    expect((await send('orders/paid', 'wh_3', order, 'other-store.myshopify.com')).status).toBe(401);
    await io.settled(id, 2);
    const [sale, refunded] = await io.conversions(id);
    expect([sale.type, sale.external_id, Number(sale.amount_minor), sale.currency, sale.quantity, sale.click_id]).toEqual(['sale', '1001', 10000, 'USD', 3, 'clk_shop']);
    expect(sale.metadata).toEqual({ presentmentMoney: { amountMinor: 9200, currency: 'EUR' } });
    expect([refunded.type, Number(refunded.amount_minor), refunded.currency, refunded.sale_conversion_id]).toEqual(['refund', 5000, 'USD', sale.id]);
    expect(refunded.metadata).toEqual({ presentmentMoney: { amountMinor: 4600, currency: 'EUR' }, moneyReturned: { amountMinor: 4968, currency: 'EUR' } });
    const analytics = await h.api('GET', `/v1/analytics/conversions?interval=month&from=2024-04-01&to=2024-05-01&integrationId=${id}`, { key });
    expect(analytics.body.buckets[0].revenue).toEqual([
      { currency: 'USD', salesMinor: 10000, refundsMinor: 5000, netMinor: 5000, sales: '100.00', refunds: '50.00', net: '50.00' },
    ]);
    expect((await io.customers(id))[0]).toMatchObject({ external_id: '2001', email: 'eve@example.com', name: 'Eve Adams' });
    expect((await send('app/uninstalled', 'wh_4', { id: 77, domain: shop })).status).toBe(200);
    await waitFor(async () => (await io.state(id)) === 'disconnected', 'the uninstalled shop to disconnect');
  });

  it('Segment: mapped track calls become sales and leads, identify becomes a customer', async () => {
    const secret = 'segment-shared-secret';
    const { id } = await io.install('segment', {}, { sharedSecret: secret });
    const send = (message: object) => {
      const payload = JSON.stringify(message);
      return h.post(`/webhooks/segment/${id}`, payload, segmentHeaders(payload, secret));
    };
    const timestamp = new Date().toISOString();
    expect((await send({ type: 'identify', messageId: 'm1', userId: 'u1', traits: { email: 'u1@example.com', name: 'Uma One' }, timestamp })).status).toBe(200);
    expect((await send({ type: 'track', messageId: 'm2', userId: 'u1', event: 'Signed Up', timestamp })).status).toBe(200);
    expect((await send({ type: 'track', messageId: 'm3', userId: 'u1', event: 'Order Completed', properties: { order_id: 'o-1', revenue: 19.99, currency: 'gbp' }, timestamp })).status).toBe(200);
    expect((await send({ type: 'track', messageId: 'm4', userId: 'u1', event: 'Page Scrolled', timestamp })).status).toBe(200);
    const rows = await io.settled(id, 4);
    expect(rows.map((row) => row.status)).toEqual(['processed', 'processed', 'processed', 'ignored']);
    const conversions = await io.conversions(id);
    expect(conversions.map((c) => [c.type, c.event_name, c.external_id, minor(c.amount_minor), c.currency])).toEqual(
      expect.arrayContaining([['lead', 'Signed Up', 'm2', null, null], ['sale', 'Order Completed', 'o-1', 1999, 'GBP']]),
    );
    expect(await io.customers(id)).toMatchObject([{ external_id: 'u1', email: 'u1@example.com', name: 'Uma One' }]);
  });

  it('generic webhook: Standard Webhooks signed events, mapped by name', async () => {
    const installed = await h.api('POST', '/v1/integrations', { key, body: { provider: 'webhook', settings: { eventMapping: { purchase: { type: 'sale', eventName: 'Purchase' } } } } });
    expect(installed.status).toBe(201);
    const { id } = installed.body;
    const secret = installed.body.issuedSecret.secret as string;
    expect(secret).toMatch(/^whsec_/);
    const payload = JSON.stringify({ type: 'purchase', customer: { id: 'c-9', email: 'nine@example.com' }, amount: 12.5, currency: 'usd', orderId: 'ord-9' });
    expect((await h.post(`/webhooks/webhook/${id}`, payload, standardWebhookHeaders(payload, secret, 'msg_9'))).status).toBe(200);
    // A negative sale is ignored with the reason POST /v1/events refuses it for; the sender is not made to retry.
    const negative = JSON.stringify({ type: 'purchase', customer: { id: 'c-9' }, amountMinor: -5000, currency: 'usd', orderId: 'ord-10' });
    expect((await h.post(`/webhooks/webhook/${id}`, negative, standardWebhookHeaders(negative, secret, 'msg_10'))).status).toBe(200);
    const rows = await io.settled(id, 2);
    expect(rows.map((row) => [row.dedup_key, row.status, row.reason])).toEqual([
      ['msg_9', 'processed', null],
      ['msg_10', 'ignored', expect.stringMatching(/^sale "Purchase" amount -5000: never negative/)],
    ]);
    const [sale, ...others] = await io.conversions(id);
    expect([sale.type, sale.event_name, sale.external_id, Number(sale.amount_minor), sale.currency]).toEqual(['sale', 'Purchase', 'ord-9', 1250, 'USD']);
    expect(others).toEqual([]);
    const posted = await h.api('POST', '/v1/events', {
      key,
      body: { type: 'sale.created', data: { conversion: { id: 'cnv_neg', eventName: 'Purchase', amountMinor: -5000, currency: 'USD' } } },
    });
    expect(posted.status).toBe(400);
    expect(posted.body.error.issues).toContainEqual(expect.objectContaining({ path: 'data.conversion.amountMinor', message: expect.stringMatching(/^never negative/) }));
  });
});
