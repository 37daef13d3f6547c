import { startFakeHubspotApi, type FakeHubspotApi } from '../support/fakes/fake-hubspot-api';
import { type FakeSegment, SEGMENT_WRITE_KEY, startFakeSegment } from '../support/fakes/segment';
import { type FakeSlack, SLACK_BOT_TOKEN, startFakeSlack } from '../support/fakes/slack';
import { genericEvent, newWebhookSecret, sendGeneric } from '../support/generic-webhook';
import { type Harness, startHarness, waitFor } from '../support/harness';
import { inboundHelpers } from '../support/inbound';

const HUBSPOT_TOKEN = 'hubspot-test-endpoint-token';
const INBOUND_STEPS = ['send', 'landed', 'values', 'duplicate'];

/** `POST /v1/integrations/:id/test`: the provider's checklist end to end, as test data. */
describe('testing an integration end to end', () => {
  let h: Harness;
  let key: string;
  let io: ReturnType<typeof inboundHelpers>;
  let hubspot: FakeHubspotApi;
  let segment: FakeSegment;
  let slack: FakeSlack;

  const runTest = async (id: string) => {
    const response = await h.api('POST', `/v1/integrations/${id}/test`, { key });
    expect(response.status).toBe(200);
    return response.body;
  };
  const stepOf = (report: any, name: string, direction?: string) => report.steps.find((entry: any) => entry.name === name && (!direction || entry.direction === direction));

  beforeAll(async () => {
    [hubspot, segment, slack] = await Promise.all([startFakeHubspotApi([HUBSPOT_TOKEN]), startFakeSegment(), startFakeSlack()]);
    h = await startHarness({ HUBSPOT_API_URL: hubspot.url, SEGMENT_API_URL: segment.url, SLACK_API_URL: slack.apiUrl });
    key = (await h.newWorkspace('Test runs')).key;
    io = inboundHelpers(h, () => key);
  });
  afterAll(async () => {
    await h.stop();
    await Promise.all([hubspot.close(), segment.close(), slack.close()]);
  });

  const inbound: Array<[string, Record<string, unknown>, Record<string, unknown>, { eventName: string; amountMinor: number; currency: string }]> = [
    ['stripe', { mode: 'test' }, { testWebhookSecret: 'whsec_test_endpoint_stripe' }, { eventName: 'Purchase', amountMinor: 4999, currency: 'USD' }],
    ['stripe', { mode: 'live', accountId: 'acct_1Connected' }, { webhookSecret: 'whsec_test_endpoint_live' }, { eventName: 'Purchase', amountMinor: 4999, currency: 'USD' }],
    ['hubspot', { portalId: '4242', currency: 'EUR' }, { clientSecret: 'hubspot-client-secret', accessToken: HUBSPOT_TOKEN }, { eventName: 'Closed won', amountMinor: 4999, currency: 'EUR' }],
    ['shopify', { shopDomain: 'acme.myshopify.com' }, { webhookSecret: 'shopify-app-secret' }, { eventName: 'Purchase', amountMinor: 4999, currency: 'USD' }],
    ['webhook', { eventMapping: { purchase: { type: 'sale', eventName: 'Purchase' } } }, {}, { eventName: 'Purchase', amountMinor: 4999, currency: 'USD' }],
    ['zapier', { inboundAuth: 'token', tokenHeader: 'x-zap-token' }, { token: 'zapier-inbound-token-0001' }, { eventName: 'Order Completed', amountMinor: 4999, currency: 'USD' }],
  ];

  it.each(inbound)('%s: a signed sample lands as test data with the values sent, once', async (provider, settings, secrets, expected) => {
    const { id } = await io.install(provider, settings, secrets);
    const report = await runTest(id);
    expect(report).toMatchObject({ integrationId: id, provider, state: 'active', synced: true, passed: true });
    expect(report.steps.map((entry: any) => entry.name)).toEqual([...INBOUND_STEPS, 'state']);
    expect(report.steps.every((entry: any) => entry.ok)).toBe(true);

    const values = stepOf(report, 'values');
    expect(values.data.actual).toEqual({ type: 'sale', ...expected });
    const landed = stepOf(report, 'landed');
    expect(landed.data.webhookEventsPath).toBe(`/v1/integrations/${id}/webhook-events`);
    const [conversion] = landed.data.conversions;
    expect(conversion.path).toBe(`/v1/conversions/${conversion.id}`);
    const read = await h.api('GET', conversion.path, { key });
    expect(read.status).toBe(200);

    // Everything the sample produced is marked as test data.
    const [row] = await io.inbox(id);
    expect(row).toMatchObject({ id: landed.data.inboxId, is_test: true, status: 'processed', duplicate_count: 1 });
    const conversions = await io.conversions(id);
    expect(conversions).toHaveLength(1);
    expect(conversions[0].is_test).toBe(true);
    const events = await h.db.selectFrom('events').select('is_test').where('id', 'in', landed.data.events.map((event: any) => event.id)).execute();
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((event) => event.is_test)).toBe(true);
  });

  it('segment: the inbound sample and a sample event to Segment both pass', async () => {
    const { id } = await io.install('segment', {}, { sharedSecret: 'segment-shared-secret', writeKey: SEGMENT_WRITE_KEY });
    const report = await runTest(id);
    expect(report.passed).toBe(true);
    expect(report.steps.map((entry: any) => `${entry.direction}:${entry.name}`)).toEqual([
      ...INBOUND_STEPS.map((name) => `inbound:${name}`),
      'outbound:send',
      'outbound:landed',
      'lifecycle:state',
    ]);
    expect(stepOf(report, 'values').data.actual).toEqual({ type: 'sale', eventName: 'Order Completed', amountMinor: 4999, currency: 'USD' });
    const sent = segment.accepted('track').find((call) => call.messageId === stepOf(report, 'send', 'outbound').data.eventId);
    expect(sent).toMatchObject({ event: 'Order Completed', properties: { revenue: 49.99, currency: 'USD' } });
  });

  it('slack: a sample sale is posted to the configured channel', async () => {
    const { id } = await io.install('slack', { channel: '#sales' }, { botToken: SLACK_BOT_TOKEN });
    const report = await runTest(id);
    expect(report.passed).toBe(true);
    expect(report.steps.map((entry: any) => entry.name)).toEqual(['send', 'landed', 'state']);
    const [posted] = slack.calls('chat.postMessage');
    expect(posted.args.channel).toBe('#sales');
    expect(posted.args.text).toBe(':moneybag: New sale $49.99');
    expect(stepOf(report, 'landed').data).toMatchObject({ statusCode: 200, outcome: 'success' });
  });

  it('keeps test data out of analytics and away from destinations', async () => {
    const { key: otherKey } = await h.newWorkspace('Test data isolation');
    const other = inboundHelpers(h, () => otherKey);
    const destination = await other.install('slack', { channel: '#alerts', events: ['sale.created'] }, { botToken: SLACK_BOT_TOKEN });
    const secret = newWebhookSecret();
    const { id } = await other.install('webhook', {}, { signingSecret: secret });
    const report = (await h.api('POST', `/v1/integrations/${id}/test`, { key: otherKey })).body;
    expect(report.passed).toBe(true);
    const saleEventId = (await h.db.selectFrom('events').select('id').where('id', 'in', stepOf(report, 'landed').data.events.map((event: any) => event.id)).where('type', '=', 'sale.created').executeTakeFirstOrThrow()).id;
    const delivery = await waitFor(
      () => h.db.selectFrom('deliveries').selectAll().where('integration_id', '=', destination.id).where('event_id', '=', saleEventId).executeTakeFirst(),
      'the dispatch of the test sale',
    );
    expect(delivery).toMatchObject({ status: 'skipped', reason: 'test event', attempts: 0 });
    expect(slack.calls('chat.postMessage').filter((call) => call.args.channel === '#alerts')).toEqual([]);

    // A real sale next to it is counted; the test sale is not.
    expect((await sendGeneric(h, id, secret, genericEvent({ amountMinor: 700 }))).status).toBe(200);
    await other.settled(id, 2);
    const analytics = (await h.api('GET', '/v1/analytics/conversions?interval=day', { key: otherKey })).body;
    const sales = analytics.buckets.reduce((sum: number, bucket: any) => sum + bucket.counts.sale, 0);
    const revenue = analytics.buckets.flatMap((bucket: any) => bucket.revenue).reduce((sum: number, entry: any) => sum + entry.salesMinor, 0);
    expect({ sales, revenue }).toEqual({ sales: 1, revenue: 700 });
  });

  it('a failed test event leaves the installed list healthy; a failed live one makes it degraded', async () => {
    const { key: otherKey } = await h.newWorkspace('Test failures in the list');
    const other = inboundHelpers(h, () => otherKey);
    const secret = newWebhookSecret();
    const { id } = await other.install('webhook', {}, { signingSecret: secret });
    expect((await h.api('POST', `/v1/integrations/${id}/test`, { key: otherKey })).body.passed).toBe(true);
    expect((await sendGeneric(h, id, secret, genericEvent({ amountMinor: 700 }))).status).toBe(200);
    await other.settled(id, 2);
    const listed = async () => (await h.api('GET', '/v1/integrations', { key: otherKey })).body.data.find((row: any) => row.id === id).overview.healthStatus;
    const fail = (isTest: boolean) => h.db.updateTable('inbox').set({ status: 'failed' }).where('integration_id', '=', id).where('is_test', '=', isTest).execute();
    await fail(true);
    expect(await listed()).toBe('healthy');
    await fail(false);
    expect(await listed()).toBe('degraded');
  });

  it('never trusts a plain test header: only the runner’s HMAC marks an event as test data', async () => {
    const secret = newWebhookSecret();
    const { id } = await io.install('webhook', {}, { signingSecret: secret });
    const body = JSON.stringify(genericEvent());
    const { standardWebhookHeaders } = await import('../support/signers');
    const sent = await h.post(`/webhooks/webhook/${id}`, body, { ...standardWebhookHeaders(body, secret, 'msg_forged_test'), 'x-linquid-test-event': 'true' });
    expect(sent.status).toBe(200);
    const [row] = await io.settled(id, 1);
    expect(row.is_test).toBe(false);
    expect((await io.conversions(id))[0].is_test).toBe(false);
  });

  it('reports that nothing is synced while paused, and what a disconnected integration answers', async () => {
    const { id } = await io.install('stripe', { mode: 'test' }, { webhookSecret: 'whsec_paused_stripe' });
    expect((await h.api('POST', `/v1/integrations/${id}/pause`, { key })).status).toBe(200);
    const paused = await runTest(id);
    expect(paused).toMatchObject({ state: 'paused', synced: false, passed: false });
    expect(stepOf(paused, 'send').ok).toBe(true);
    expect(stepOf(paused, 'landed')).toMatchObject({ ok: false, data: { status: 'skipped', reason: 'paused', isTest: true } });
    expect(stepOf(paused, 'landed').detail).toMatch(/nothing was synced/);
    expect(stepOf(paused, 'state')).toMatchObject({ ok: false, detail: expect.stringMatching(/^paused: .*nothing is synced/) });
    expect(await io.conversions(id)).toEqual([]);

    const slackDestination = await io.install('slack', { channel: '#paused' }, { botToken: SLACK_BOT_TOKEN });
    expect((await h.api('POST', `/v1/integrations/${slackDestination.id}/pause`, { key })).status).toBe(200);
    const pausedSlack = await runTest(slackDestination.id);
    expect(pausedSlack).toMatchObject({ synced: false, passed: false });
    expect(stepOf(pausedSlack, 'send').detail).toMatch(/paused, it receives nothing/);
    expect(slack.calls('chat.postMessage').filter((call) => call.args.channel === '#paused')).toEqual([]);

    expect((await h.api('POST', `/v1/integrations/${id}/disconnect`, { key })).status).toBe(200);
    const gone = await runTest(id);
    expect(gone).toMatchObject({ state: 'disconnected', synced: false, passed: false });
    expect(stepOf(gone, 'send')).toMatchObject({ ok: false, detail: expect.stringMatching(/disconnected, .* answers 410 Gone$/) });
    expect(stepOf(gone, 'state').detail).toMatch(/^disconnected: .*nothing is synced/);
  });

  it('says why when no sample can be built', async () => {
    const { id } = await io.install('shopify', { shopDomain: 'acme.myshopify.com' }, {});
    const report = await runTest(id);
    expect(report).toMatchObject({ state: 'pending', passed: false });
    expect(stepOf(report, 'send')).toMatchObject({ ok: false, detail: expect.stringMatching(/no signing secret/) });
  });
});
