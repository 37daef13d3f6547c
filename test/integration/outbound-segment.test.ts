import { type FakeSegment, SEGMENT_WRITE_KEY, startFakeSegment } from '../support/fakes/segment';
import { type Harness, startHarness } from '../support/harness';
import { outboundHelpers, saleEvent } from '../support/outbound';

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
