import { type FakeSegment, SEGMENT_WRITE_KEY, startFakeSegment } from '../support/fakes/segment';
import { type Harness, startHarness } from '../support/harness';
import { inboundHelpers } from '../support/inbound';
import { outboundHelpers, saleEvent } from '../support/outbound';
import { shopifyHeaders } from '../support/signers';

describe('Segment: track and identify calls to the HTTP Tracking API', () => {
  let h: Harness;
  let segmentApi: FakeSegment;
  let key: string;
  let out: ReturnType<typeof outboundHelpers>;
  const installSegment = (writeKey: string) =>
    out.install('segment', { outboundEvents: ['sale.created', 'lead.created', 'customer.created'] }, { writeKey });

  beforeAll(async () => {
    segmentApi = await startFakeSegment();
    h = await startHarness({ SEGMENT_API_URL: segmentApi.url });
    key = (await h.newWorkspace()).key;
    out = outboundHelpers(h, () => key);
  });
  afterAll(async () => {
    await h.stop();
    await segmentApi.close();
  });

  it('maps sales to "Order Completed" in major units, leads to "Signed Up", customers to identify; messageId is the event id', async () => {
    const { id } = await installSegment(SEGMENT_WRITE_KEY);
    const sale = await out.emit(saleEvent({ amountMinor: 123456, currency: 'KWD', email: 'kw@example.com' }));
    const lead = await out.emit({
      type: 'lead.created',
      data: { conversion: { id: 'cnv_lead1', eventName: 'Sign up', clickId: 'clk_1' }, customer: { externalId: 'user_lead', email: 'lead@example.com' } },
    });
    const customer = await out.emit({ type: 'customer.created', data: { customer: { externalId: 'user_new', email: 'new@example.com', name: 'New Person' } } });
    for (const event of [sale, lead, customer]) await out.deliveryOf(id, event.id, (d) => d.status === 'succeeded');

    const tracks = segmentApi.accepted('track');
    expect(tracks.find((call) => call.messageId === sale.id)).toMatchObject({
      event: 'Order Completed',
      userId: sale.data.customer && (sale.data.customer as { externalId: string }).externalId,
      timestamp: sale.createdAt,
      properties: { revenue: 123.456, currency: 'KWD', order_id: (sale.data.conversion as { externalId: string }).externalId, link_key: 'spring-promo' },
    });
    expect(tracks.find((call) => call.messageId === lead.id)).toMatchObject({
      event: 'Signed Up',
      userId: 'user_lead',
      properties: { event_name: 'Sign up', click_id: 'clk_1' },
    });
    expect(segmentApi.accepted('identify')).toEqual([
      expect.objectContaining({ messageId: customer.id, userId: 'user_new', traits: { email: 'new@example.com', name: 'New Person' } }),
    ]);
    expect(segmentApi.requests.every((request) => request.status === 200)).toBe(true);
  });

  it('sends a Shopify sale as "Order Completed" and its refund as the spec’s "Order Refunded": same order_id, `total`, no `revenue`', async () => {
    const shopKey = (await h.newWorkspace('Shop to Segment')).key;
    const shopOut = outboundHelpers(h, () => shopKey);
    const { id } = await shopOut.install('segment', { outboundEvents: ['sale.created', 'refund.created'] }, { writeKey: SEGMENT_WRITE_KEY });
    const shopIo = inboundHelpers(h, () => shopKey);
    const shop = await shopIo.install('shopify', { shopDomain: 'segment-shop.myshopify.com' }, { webhookSecret: 'shpss_segment' });
    const send = async (topic: string, webhookId: string, body: object) => {
      const payload = JSON.stringify(body);
      const headers = shopifyHeaders(payload, 'shpss_segment', topic, 'segment-shop.myshopify.com', webhookId);
      expect((await h.post(`/webhooks/shopify/${shop.id}`, payload, headers)).status).toBe(200);
    };
    const usd = (amount: string) => ({ shop_money: { amount, currency_code: 'USD' }, presentment_money: { amount, currency_code: 'USD' } });
    const at = new Date().toISOString();
    await send('orders/paid', 'wh-seg-order', {
      id: 4401, name: '#4401', email: 'rey@example.com', created_at: at, processed_at: at, test: false, currency: 'USD', financial_status: 'paid',
      subtotal_price: '80.00', subtotal_price_set: usd('80.00'), total_price: '86.40', total_price_set: usd('86.40'),
      customer: { id: 5501, email: 'rey@example.com', first_name: 'Rey', last_name: 'Skye' },
      line_items: [{ id: 44011, title: 'Boots', quantity: 1, price: '80.00', price_set: usd('80.00') }],
    });
    await send('refunds/create', 'wh-seg-refund', {
      id: 6601, order_id: 4401, created_at: at, processed_at: at, restock: true,
      refund_line_items: [{ id: 1, quantity: 1, line_item_id: 44011, subtotal: 80, total_tax: 6.4, subtotal_set: usd('80.00'), total_tax_set: usd('6.40') }],
      transactions: [{ id: 7701, order_id: 4401, kind: 'refund', gateway: 'shopify_payments', status: 'success', amount: '86.40', currency: 'USD', test: false }],
      order_adjustments: [],
    });
    await shopIo.settled(shop.id, 2);

    const events = await h.db.selectFrom('events').select(['id', 'type']).where('integration_id', '=', shop.id).where('type', 'in', ['sale.created', 'refund.created']).execute();
    const sale = events.find((event) => event.type === 'sale.created')!;
    const refund = events.find((event) => event.type === 'refund.created')!;
    for (const event of [sale, refund]) await shopOut.deliveryOf(id, event.id, (d) => d.status === 'succeeded');
    const tracks = segmentApi.accepted('track');
    expect(tracks.find((call) => call.messageId === sale.id)).toMatchObject({
      event: 'Order Completed',
      userId: '5501',
      properties: { order_id: '4401', revenue: 80, currency: 'USD', source: 'shopify' },
    });
    const refunded = tracks.find((call) => call.messageId === refund.id)!;
    // Shopify's refund names no customer: Segment matches it to the order by order_id.
    expect(refunded).toMatchObject({ event: 'Order Refunded', properties: { order_id: '4401', total: 80, currency: 'USD', source: 'shopify' } });
    expect(refunded.properties).not.toHaveProperty('revenue');
  });

  it('does not retry a write key Segment refuses, and never logs the key', async () => {
    const { id } = await installSegment('not-the-write-key');
    const event = await out.emit(saleEvent());
    const failed = await out.deliveryOf(id, event.id, (d) => d.status === 'failed');
    expect(failed).toMatchObject({ attemptCount: 1, lastStatusCode: 401 });
    const log = await out.api('GET', `/v1/deliveries/${failed.id}`, undefined, 200);
    expect(log.body.attempts[0].requestHeaders.authorization).toBe('••••••••');
    expect(log.text).not.toContain(Buffer.from('not-the-write-key:').toString('base64'));
    expect(segmentApi.requests.filter((request) => request.status === 401)).toHaveLength(1);
  });
});
