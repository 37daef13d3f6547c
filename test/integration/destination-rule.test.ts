import { judgeDestinations } from '../../db/queries/integrations';
import { dispatchOutbox } from '../../services/outbox-dispatch';
import { startReceiver } from '../support/fakes/receiver';
import { type FakeSegment, SEGMENT_WRITE_KEY, startFakeSegment } from '../support/fakes/segment';
import { genericEvent, newWebhookSecret, sendGeneric } from '../support/generic-webhook';
import { type Harness, startHarness } from '../support/harness';
import { inboundHelpers } from '../support/inbound';
import { outboundHelpers } from '../support/outbound';
import { segmentHeaders } from '../support/signers';

/** An integration is a destination only when it can deliver: one rule for queueing, dispatch, health, diagnostics and /test. */
describe('destinations: only integrations that can deliver', () => {
  let h: Harness;
  let segmentApi: FakeSegment;

  beforeAll(async () => {
    segmentApi = await startFakeSegment();
    // A low threshold: the receive-only integration would reach it within the test if it were a destination.
    h = await startHarness({ SEGMENT_API_URL: segmentApi.url, DELIVERY_FAILURE_THRESHOLD: '2' });
  });
  afterAll(async () => {
    await h.stop();
    await segmentApi.close();
  });

  it('a Segment integration installed only to receive (shared secret, no write key) gets no deliveries, stays active and passes /test', async () => {
    const { workspaceId, key } = await h.newWorkspace('Receive-only Segment');
    const io = inboundHelpers(h, () => key);
    const out = outboundHelpers(h, () => key);
    const sharedSecret = 'segment-receive-only-secret';
    const { id } = await io.install('segment', {}, { sharedSecret });
    const signingSecret = newWebhookSecret();
    const generic = await io.install('webhook', {}, { signingSecret });
    const track = async (messageId: string, revenue: number) => {
      const payload = JSON.stringify({
        type: 'track', messageId, userId: 'user_rx', event: 'Order Completed', timestamp: new Date().toISOString(),
        properties: { order_id: `order_${messageId}`, revenue, currency: 'USD', products: [{ product_id: 'sku-1', quantity: 1, price: revenue }] },
        context: { library: { name: 'analytics-node', version: '6.2.0' } },
      });
      expect((await h.post(`/webhooks/segment/${id}`, payload, segmentHeaders(payload, sharedSecret))).status).toBe(200);
    };
    // Sales from Segment itself, from another integration and from the platform: more than the failure threshold.
    await track('msg_rx_1', 19.99);
    await track('msg_rx_2', 5);
    for (const orderId of ['g1', 'g2', 'g3']) expect((await sendGeneric(h, generic.id, signingSecret, genericEvent({ orderId }))).status).toBe(200);
    await out.emit({ type: 'sale.created', data: { conversion: { id: 'cnv_posted', eventName: 'Purchase', amountMinor: 1500, currency: 'USD' } } });
    await Promise.all([io.settled(id, 2), io.settled(generic.id, 3)]);
    const sales = await h.db.selectFrom('events').select('id').where('workspace_id', '=', workspaceId).where('type', '=', 'sale.created').execute();
    expect(sales).toHaveLength(6);

    // No destination in the workspace: nothing is queued, and a dispatch pass plans nothing for it.
    expect(await h.db.selectFrom('outbox').select('event_id').where('workspace_id', '=', workspaceId).execute()).toEqual([]);
    await dispatchOutbox({ db: h.db, temporal: h.temporal, config: h.config });
    expect(await out.deliveries(id)).toEqual([]);
    const detail = (await out.api('GET', `/v1/integrations/${id}`, undefined, 200)).body;
    expect(detail).toMatchObject({ state: 'active', health: { status: 'healthy', outbound: null } });
    const findings = (await out.api('GET', `/v1/integrations/${id}/diagnostics`, undefined, 200)).body.findings;
    expect(findings.map((finding: { scenario: string }) => finding.scenario)).not.toContain('no_outbound_deliveries');
    const report = (await out.api('POST', `/v1/integrations/${id}/test`, undefined, 200)).body;
    expect(report.passed).toBe(true);
    expect(report.steps.map((step: { direction: string }) => step.direction)).not.toContain('outbound');
    expect(segmentApi.requests).toEqual([]);

    // Given a write key it delivers: the next sale goes to Segment.
    await out.api('POST', `/v1/integrations/${id}/reauthorize`, { secrets: { writeKey: SEGMENT_WRITE_KEY } }, 200);
    expect((await sendGeneric(h, generic.id, signingSecret, genericEvent({ orderId: 'g4' }))).status).toBe(200);
    const [row] = (await io.settled(generic.id, 4)).slice(-1);
    const after = await h.db.selectFrom('events').select('id').where('id', 'in', row.result!.eventIds).where('type', '=', 'sale.created').executeTakeFirstOrThrow();
    await out.deliveryOf(id, after.id, (d) => d.status === 'succeeded');
    expect(segmentApi.accepted('track').map((call) => call.messageId)).toEqual([after.id]);
    expect(await out.state(id)).toBe('active');
  });

  it('a generic webhook integration installed to receive becomes a destination once a targetUrl is set (PATCH)', async () => {
    const { key } = await h.newWorkspace('Webhook gains a target');
    const io = inboundHelpers(h, () => key);
    const out = outboundHelpers(h, () => key);
    const signingSecret = newWebhookSecret();
    const { id } = await io.install('webhook', {}, { signingSecret });
    const before = await out.emit({ type: 'sale.created', data: { conversion: { id: 'cnv_before', eventName: 'Purchase', amountMinor: 100, currency: 'USD' } } });
    const receiver = await startReceiver(signingSecret);
    try {
      await out.api('PATCH', `/v1/integrations/${id}`, { settings: { targetUrl: receiver.url } }, 200);
      const after = await out.emit({ type: 'sale.created', data: { conversion: { id: 'cnv_after', eventName: 'Purchase', amountMinor: 200, currency: 'USD' } } });
      expect(await out.deliveryOf(id, after.id, (d) => d.status === 'succeeded')).toMatchObject({ attemptCount: 1 });
      // What was recorded while it could not deliver is not sent (a destination receives what comes after it).
      expect((await out.deliveries(id)).map((d) => d.eventId)).toEqual([after.id]);
      expect(receiver.requests.map((request) => (receiver.verify(request) as { id: string }).id)).toEqual([after.id]);
      expect(receiver.delivered().has(before.id)).toBe(false);
    } finally {
      await receiver.close();
    }
  });

  it('judges the integrations installed before the rule was recorded, from their secrets and settings', async () => {
    const { key } = await h.newWorkspace('Installed before');
    const io = inboundHelpers(h, () => key);
    const receiveOnly = await io.install('segment', {}, { sharedSecret: 'before-rule-secret' });
    const sending = await io.install('segment', {}, { sharedSecret: 'before-rule-secret-2', writeKey: SEGMENT_WRITE_KEY });
    const stripe = await io.install('stripe', { mode: 'test' }, { webhookSecret: 'whsec_before_rule' });
    const ids = [receiveOnly.id, sending.id, stripe.id];
    await h.db.updateTable('integrations').set({ delivers: null }).where('id', 'in', ids).execute();
    await judgeDestinations(h.db, h.box);
    const judged = await h.db.selectFrom('integrations').select(['id', 'delivers']).where('id', 'in', ids).execute();
    expect(Object.fromEntries(judged.map((row) => [row.id, row.delivers]))).toEqual({ [receiveOnly.id]: false, [sending.id]: true, [stripe.id]: false });
  });
});
