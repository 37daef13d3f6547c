import { sql } from 'kysely';
import { DEALS_READ_PATH, type FakeHubspotApi, startFakeHubspotApi } from '../support/fakes/fake-hubspot-api';
import type { Receiver } from '../support/fakes/receiver';
import { type Harness, startHarness, waitFor } from '../support/harness';
import { inboundHelpers } from '../support/inbound';
import { outboundHelpers } from '../support/outbound';
import { hubspotHeaders } from '../support/signers';

const TOKEN = 'hubspot-sales-token-0001';
const CLIENT_SECRET = 'hubspot-sales-client-secret';
const PORTAL = 62515;

/**
 * HubSpot closed-won sales end to end: webhooks shaped like HubSpot's documented examples and signed
 * with its v3 signature, the deal read through the official client from the local CRM API, and a
 * webhook destination that must receive a sale only once its amount is known.
 */
describe('HubSpot: a closed-won sale carries its deal amount, currency and contact', () => {
  let h: Harness;
  let key: string;
  let api: FakeHubspotApi;
  let io: ReturnType<typeof inboundHelpers>;
  let out: ReturnType<typeof outboundHelpers>;
  let receiver: Receiver;

  let nextEventId = 9000;
  let clock = 0;
  /** One HubSpot webhook event as documented (`attemptNumber` 0, occurring now, each after the one before, unless given). */
  const event = (subscriptionType: string, objectId: number, extra: Record<string, unknown> = {}) => ({
    eventId: (nextEventId += 1),
    subscriptionId: 2_112_121,
    portalId: PORTAL,
    appId: 1_160_452,
    occurredAt: (clock = Math.max(Date.now(), clock + 1)),
    subscriptionType,
    attemptNumber: 0,
    objectId,
    changeSource: 'CRM_UI',
    ...extra,
  });
  const closedWon = (dealId: number, extra: Record<string, unknown> = {}) => event('deal.propertyChange', dealId, { propertyName: 'dealstage', propertyValue: 'closedwon', ...extra });
  const amountChange = (dealId: number, amount: string, extra: Record<string, unknown> = {}) => event('deal.propertyChange', dealId, { propertyName: 'amount', propertyValue: amount, ...extra });

  const install = async (settings: Record<string, unknown> = {}, secrets: Record<string, unknown> = { clientSecret: CLIENT_SECRET, accessToken: TOKEN }) =>
    io.install('hubspot', { portalId: String(PORTAL), ...settings }, secrets);
  const send = async (integration: { id: string; installation: { inboundWebhookUrl: string } }, events: object[]) => {
    const payload = JSON.stringify(events);
    const response = await h.post(`/webhooks/hubspot/${integration.id}`, payload, hubspotHeaders(payload, CLIENT_SECRET, integration.installation.inboundWebhookUrl));
    expect(response.status).toBe(200);
    return response.body as { received: number; accepted: number; duplicates: number };
  };
  const expectedRows = new Map<string, number>();
  /** Sends a batch and waits until every event sent to the integration so far is handled. */
  const deliver = async (integration: { id: string; installation: { inboundWebhookUrl: string } }, events: object[]) => {
    const answer = await send(integration, events);
    expectedRows.set(integration.id, (expectedRows.get(integration.id) ?? 0) + answer.accepted);
    await io.settled(integration.id, expectedRows.get(integration.id)!);
    return answer;
  };
  const saleOf = async (integrationId: string, dealId: number) =>
    h.db.selectFrom('conversions').selectAll().where('integration_id', '=', integrationId).where('type', '=', 'sale').where('external_id', '=', `deal:${dealId}`).executeTakeFirstOrThrow();
  const money = (sale: { amount_minor: string | null; currency: string | null }) => [sale.amount_minor === null ? null : Number(sale.amount_minor), sale.currency];
  const saleEvents = (integrationId: string, conversionId: string) =>
    h.db.selectFrom('events').select(['id', 'type', 'data']).where('integration_id', '=', integrationId).where(sql<boolean>`data->'conversion'->>'id' = ${conversionId}`).orderBy('created_at').execute();
  /** What the destination was sent about this sale, by event type (2xx deliveries, signatures verified). */
  const delivered = (conversionId: string) =>
    receiver.requests
      .filter((request) => request.status === 200)
      .map((request) => receiver.verify(request) as { type: string; data: { conversion: { id: string; amountMinor: number; currency: string } } })
      .filter((body) => body.data.conversion?.id === conversionId);
  const waitDelivered = (conversionId: string, count: number) => waitFor(() => delivered(conversionId).length >= count && delivered(conversionId), `${count} deliveries of ${conversionId}`);

  beforeAll(async () => {
    api = await startFakeHubspotApi([TOKEN]);
    h = await startHarness({ HUBSPOT_API_URL: api.url, PENDING_AMOUNT_RETRY_MS: '0' });
    key = (await h.newWorkspace('HubSpot sales')).key;
    io = inboundHelpers(h, () => key);
    out = outboundHelpers(h, () => key);
    receiver = await out.receiver();
    await out.installWebhook(receiver.url, receiver.secret, ['sale.created', 'sale.updated']);
  });
  afterAll(async () => {
    await out.stop();
    await api.close();
  });

  it('reads the deal at close: amount in the deal currency (KWD, 3 decimals), the contact as customer, one sale.created forwarded', async () => {
    const integration = await install({ currency: 'USD' });
    api.deals.set('601', { amount: '1500.125', currency: 'KWD', name: 'Gulf renewal', contactIds: ['501'] });
    api.contacts.set('501', { email: 'ada@example.com', firstname: 'Ada', lastname: 'Lovelace' });
    await deliver(integration, [event('contact.creation', 501), event('deal.creation', 601), closedWon(601)]);

    const sale = await saleOf(integration.id, 601);
    expect(money(sale)).toEqual([1500125, 'KWD']);
    expect(sale.metadata).toMatchObject({ dealId: '601', dealName: 'Gulf renewal', amount: { source: 'deal read' } });
    expect(sale.metadata).not.toHaveProperty('amountPending');
    const customer = await h.db.selectFrom('customers').selectAll().where('id', '=', sale.customer_id!).executeTakeFirstOrThrow();
    expect(customer).toMatchObject({ external_id: 'contact:501', email: 'ada@example.com', name: 'Ada Lovelace' });
    // The deal's lead keeps the deal as its customer; the contact of contact.creation is the sale's customer.
    expect((await io.conversions(integration.id)).map((c) => [c.type, c.external_id])).toEqual([['lead', 'deal:601'], ['sale', 'deal:601']]);

    const events = await saleEvents(integration.id, sale.id);
    expect(events.map((e) => e.type)).toEqual(['sale.created']);
    expect(events[0].data).toMatchObject({ conversion: { amountMinor: 1500125, currency: 'KWD', externalId: 'deal:601' }, customer: { externalId: 'contact:501', email: 'ada@example.com' } });
    const [forwarded] = await waitDelivered(sale.id, 1);
    expect(forwarded).toMatchObject({ type: 'sale.created', data: { conversion: { amountMinor: 1500125, currency: 'KWD' } } });
    expect(JSON.parse(api.calls(DEALS_READ_PATH).at(-1)!.body).inputs).toEqual([{ id: '601' }]);
  });

  it('JPY (no decimals) from the deal; an amount change after close updates the sale visibly (sale.updated, previous kept); retries and older reports change nothing', async () => {
    const integration = await install();
    api.deals.set('602', { amount: '5000', currency: 'JPY', contactIds: [] });
    await deliver(integration, [closedWon(602)]);
    const sale = await saleOf(integration.id, 602);
    expect(money(sale)).toEqual([5000, 'JPY']);
    expect(sale.customer_id).toBeNull();

    // The amount is raised after the close: HubSpot sends the change, and the deal now reads so.
    const raise = amountChange(602, '6500');
    api.deals.set('602', { amount: '6500', currency: 'JPY', updatedAt: new Date(raise.occurredAt) });
    await deliver(integration, [raise]);
    const raised = await saleOf(integration.id, 602);
    expect(money(raised)).toEqual([6500, 'JPY']);
    expect(raised.metadata).toMatchObject({ amount: { previous: { amountMinor: 5000, currency: 'JPY' } } });
    const events = await saleEvents(integration.id, sale.id);
    expect(events.map((e) => e.type)).toEqual(['sale.created', 'sale.updated']);
    expect(events[1].data).toMatchObject({ conversion: { amountMinor: 6500, currency: 'JPY' }, previous: { amountMinor: 5000, currency: 'JPY' } });
    expect((await waitDelivered(sale.id, 2)).map((body) => [body.type, body.data.conversion.amountMinor])).toEqual([['sale.created', 5000], ['sale.updated', 6500]]);

    // HubSpot retries the same change (attemptNumber 1): a duplicate. A change older than what is known is not applied.
    expect(await send(integration, [{ ...raise, attemptNumber: 1 }])).toMatchObject({ accepted: 0, duplicates: 1 });
    await deliver(integration, [amountChange(602, '100', { occurredAt: raise.occurredAt - 5000 })]);
    expect(money(await saleOf(integration.id, 602))).toEqual([6500, 'JPY']);
    expect((await saleEvents(integration.id, sale.id)).map((e) => e.type)).toEqual(['sale.created', 'sale.updated']);
  });

  it('without an access token: an amount set before the close, or in the same batch in either order, completes the sale at once', async () => {
    const integration = await install({ currency: 'EUR' }, { clientSecret: CLIENT_SECRET });
    const asked = api.requests.length;
    await deliver(integration, [amountChange(603, '75.5')]);
    expect(await io.conversions(integration.id)).toEqual([]);
    await deliver(integration, [closedWon(603)]);
    expect(money(await saleOf(integration.id, 603))).toEqual([7550, 'EUR']);

    await deliver(integration, [closedWon(604), amountChange(604, '19.99'), amountChange(605, '42'), closedWon(605)]);
    for (const [dealId, amount] of [[603, 7550], [604, 1999], [605, 4200]]) {
      const sale = await saleOf(integration.id, dealId);
      expect(money(sale)).toEqual([amount, 'EUR']);
      const events = await saleEvents(integration.id, sale.id);
      expect(events.map((e) => [e.type, (e.data as any).conversion.amountMinor])).toEqual([['sale.created', amount]]);
      await waitDelivered(sale.id, 1);
    }
    // Nothing was asked of HubSpot: there is no token to ask with.
    expect(api.requests.length).toBe(asked);
  });

  it('an amount that cannot be known is not a $0 sale: stored pending, not announced, not forwarded, not counted; completed once when the amount arrives', async () => {
    const { key: otherKey } = await h.newWorkspace('Pending HubSpot sale');
    const other = inboundHelpers(h, () => otherKey);
    const integration = await other.install('hubspot', { portalId: String(PORTAL) }, { clientSecret: CLIENT_SECRET });
    const otherOut = outboundHelpers(h, () => otherKey);
    const destination = await otherOut.installWebhook(receiver.url, receiver.secret, ['sale.created', 'sale.updated']);
    const sendOther = async (events: object[], rows: number) => {
      const payload = JSON.stringify(events);
      expect((await h.post(`/webhooks/hubspot/${integration.id}`, payload, hubspotHeaders(payload, CLIENT_SECRET, integration.installation.inboundWebhookUrl))).status).toBe(200);
      await other.settled(integration.id, rows);
    };
    await sendOther([closedWon(606)], 1);
    const pending = await saleOf(integration.id, 606);
    expect(money(pending)).toEqual([null, null]);
    expect(pending.metadata).toMatchObject({ amountPending: { code: 'no_credentials', reason: expect.stringMatching(/no access token/) } });
    expect(await saleEvents(integration.id, pending.id)).toEqual([]);
    const analytics = (await h.api('GET', '/v1/analytics/conversions?interval=day', { key: otherKey })).body;
    expect(analytics.buckets.reduce((sum: number, bucket: any) => sum + bucket.counts.sale, 0)).toBe(0);

    // Diagnostics: not a wrong value, but a clear "store an access token".
    const findings = (await h.api('GET', `/v1/integrations/${integration.id}/diagnostics`, { key: otherKey })).body.findings as Array<{ scenario: string; firstAction: string; evidence: any }>;
    expect(findings.map((finding) => finding.scenario)).toEqual(['amounts_pending']);
    expect(findings[0].firstAction).toContain(`POST /v1/integrations/${integration.id}/reauthorize`);
    expect(findings[0].evidence).toMatchObject({ pendingSales: 1, byCode: { no_credentials: 1 }, examples: [{ conversionId: pending.id, externalId: 'deal:606' }] });

    await sendOther([amountChange(606, '1234.56')], 2);
    const completed = await saleOf(integration.id, 606);
    expect(money(completed)).toEqual([123456, 'USD']);
    expect(completed.metadata).not.toHaveProperty('amountPending');
    await sendOther([amountChange(606, '1234.560')], 3);
    expect((await saleEvents(integration.id, pending.id)).map((e) => [e.type, (e.data as any).conversion.amountMinor])).toEqual([['sale.created', 123456]]);
    expect((await waitDelivered(pending.id, 1)).map((body) => body.type)).toEqual(['sale.created']);
    expect((await otherOut.deliveries(destination.id)).map((delivery) => delivery.eventType)).toEqual(['sale.created']);
    const after = (await h.api('GET', `/v1/integrations/${integration.id}/diagnostics`, { key: otherKey })).body.findings;
    expect(after).toEqual([]);
  });

  it('HubSpot down at the close: the sale waits (unreachable), then the next drain reads the deal and completes it once', async () => {
    const integration = await install();
    api.deals.set('607', { amount: '250.00', contactIds: ['502'] });
    api.contacts.set('502', { email: 'bo@example.com' });
    api.down = true;
    try {
      await deliver(integration, [closedWon(607)]);
    } finally {
      api.down = false;
    }
    const pending = await saleOf(integration.id, 607);
    expect(money(pending)).toEqual([null, null]);
    expect(pending.metadata).toMatchObject({ amountPending: { code: 'unreachable' } });
    expect(await saleEvents(integration.id, pending.id)).toEqual([]);
    // An outage may clear by itself: a finding only once the sale has waited a while (here: 20 minutes, backdated).
    const pendingFinding = async () => ((await h.api('GET', `/v1/integrations/${integration.id}/diagnostics`, { key })).body.findings as Array<{ scenario: string; likelyCause: string }>).find((finding) => finding.scenario === 'amounts_pending');
    expect(await pendingFinding()).toBeUndefined();
    await h.db.updateTable('integrations').set({ installed_at: sql<Date>`now() - interval '1 hour'` as never }).where('id', '=', integration.id).execute();
    await h.db.updateTable('conversions').set({ created_at: sql<Date>`now() - interval '20 minutes'` as never }).where('id', '=', pending.id).execute();
    expect((await pendingFinding())?.likelyCause).toMatch(/could not be reached/);

    // Any later webhook drains the inbox; the drain reads the waiting deal first.
    await deliver(integration, [event('contact.creation', 503)]);
    const completed = await saleOf(integration.id, 607);
    expect(money(completed)).toEqual([25000, 'USD']);
    const customer = await h.db.selectFrom('customers').select(['external_id', 'email']).where('id', '=', completed.customer_id!).executeTakeFirstOrThrow();
    expect(customer).toEqual({ external_id: 'contact:502', email: 'bo@example.com' });
    expect((await saleEvents(integration.id, pending.id)).map((e) => e.type)).toEqual(['sale.created']);
    expect((await waitDelivered(pending.id, 1)).map((body) => [body.type, body.data.conversion.amountMinor])).toEqual([['sale.created', 25000]]);
  });

  it('events sharing an eventId are all kept; a retried batch is absorbed whole', async () => {
    const integration = await install({}, { clientSecret: CLIENT_SECRET });
    const shared = nextEventId + 1;
    // HubSpot's own docs: eventId is not unique. Here one id covers a stage change and an amount change.
    const batch = [closedWon(608, { eventId: shared }), amountChange(608, '10.00', { eventId: shared, subscriptionId: 2_112_122 })];
    expect(await deliver(integration, batch)).toMatchObject({ received: 2, accepted: 2 });
    const rows = await io.inbox(integration.id);
    expect(rows.map((row) => row.status)).toEqual(['processed', 'processed']);
    expect(new Set(rows.map((row) => row.dedup_key)).size).toBe(2);
    expect(rows.every((row) => row.dedup_key.startsWith(`${shared}-`))).toBe(true);
    expect(money(await saleOf(integration.id, 608))).toEqual([1000, 'USD']);

    const retried = batch.map((entry) => ({ ...entry, attemptNumber: 1 }));
    expect(await send(integration, retried)).toMatchObject({ received: 2, accepted: 0, duplicates: 2 });
    expect((await io.inbox(integration.id)).map((row) => row.duplicate_count)).toEqual([1, 1]);
    const sale = await saleOf(integration.id, 608);
    expect((await saleEvents(integration.id, sale.id)).map((e) => e.type)).toEqual(['sale.created']);
  });

  it('still refuses a stale signature and another portal’s events', async () => {
    const integration = await install();
    const payload = JSON.stringify([closedWon(609)]);
    const stale = Date.now() - 6 * 60 * 1000;
    expect((await h.post(`/webhooks/hubspot/${integration.id}`, payload, hubspotHeaders(payload, CLIENT_SECRET, integration.installation.inboundWebhookUrl, stale))).status).toBe(401);
    await deliver(integration, [closedWon(610, { portalId: 999 })]);
    expect((await io.inbox(integration.id))[0]).toMatchObject({ status: 'ignored', reason: `event of HubSpot portal 999, not ${PORTAL}` });
    expect(await io.conversions(integration.id)).toEqual([]);
  });
});
