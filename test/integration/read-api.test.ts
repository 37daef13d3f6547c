import { randomBytes } from 'node:crypto';
import { API_KEY_CACHE_MS } from '../../api/auth';
import { type Harness, startHarness, waitFor } from '../support/harness';
import { inboundHelpers } from '../support/inbound';
import { standardWebhookHeaders } from '../support/signers';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const MAPPING = { 'Signed Up': { type: 'lead' }, 'Order Completed': { type: 'sale' } };

/** What workspace A receives, in this order (int1: m*, int2: n*); occurredAt is fixed so analytics are exact. */
const M1 = { type: 'Signed Up', customer: { id: 'u1', email: 'u1@example.com' }, occurredAt: '2024-03-01T10:15:00Z' };
const M2 = { type: 'Order Completed', customer: { id: 'u1' }, amount: '15.00', currency: 'USD', orderId: 'o1', occurredAt: '2024-03-01T11:30:00Z' };
const M3 = { type: 'Order Completed', customer: { id: 'u2', name: 'Ken' }, amount: 1500, currency: 'JPY', orderId: 'o2', occurredAt: '2024-03-02T09:00:00Z' };
const M4 = { type: 'Order Completed', customer: { id: 'u2' }, amount: '12.345', currency: 'kwd', orderId: 'o3', occurredAt: '2024-03-02T09:30:00Z' };
const M5 = { type: 'Page Viewed', occurredAt: '2024-03-02T10:00:00Z' };
const N1 = { type: 'Order Completed', customer: { id: 'u3' }, amountMinor: 2000, currency: 'USD', orderId: 'p1', occurredAt: '2024-03-04T15:00:00Z' };
const N2 = { type: 'Order Completed', customer: { id: 'u4' }, amountMinor: 1, currency: 'USD', orderId: 'p2', occurredAt: '2024-03-04T16:00:00Z' };

describe('read API: webhook-events log, conversions, customers, events, analytics', () => {
  let h: Harness;
  let key: string;
  let otherKey: string;
  let workspaceId: string;
  let int1: string;
  let int2: string;
  /** Customer ids by external id (u1…u3). */
  const customer: Record<string, string> = {};

  const get = (path: string, apiKey = key) => h.api('GET', path, { key: apiKey });
  const ok = async (path: string, apiKey = key) => {
    const response = await get(path, apiKey);
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${response.text}`);
    return response.body;
  };
  /** Walks every page; each holds at most `limit` rows and only the last has no nextCursor. */
  const allPages = async (path: string, limit: number) => {
    const rows: any[] = [];
    let pages = 0;
    let cursor: string | null = null;
    do {
      const separator = path.includes('?') ? '&' : '?';
      const page = await ok(`${path}${separator}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.data.length).toBeLessThanOrEqual(limit);
      if (page.nextCursor) expect(page.data).toHaveLength(limit);
      rows.push(...page.data);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    return { rows, pages };
  };
  const externalIds = async (path: string) => (await ok(path)).data.map((c: { externalId: string }) => c.externalId);
  const send = (integrationId: string, msgId: string, event: object) => {
    const body = JSON.stringify(event);
    return h.post(`/webhooks/webhook/${integrationId}`, body, standardWebhookHeaders(body, SECRET, msgId));
  };

  beforeAll(async () => {
    h = await startHarness();
    ({ key, workspaceId } = await h.newWorkspace('Reader'));
    otherKey = (await h.newWorkspace('Other')).key;
    const io = inboundHelpers(h, () => key);
    int1 = (await io.install('webhook', { eventMapping: MAPPING }, { signingSecret: SECRET })).id;
    int2 = (await io.install('webhook', { eventMapping: MAPPING }, { signingSecret: SECRET })).id;

    // One at a time, each applied before the next: creation times (and so listing order) are known.
    const sent: Array<[string, string, object]> = [[int1, 'm1', M1], [int1, 'm2', M2], [int1, 'm3', M3], [int1, 'm4', M4], [int1, 'm5', M5], [int2, 'n1', N1]];
    for (const [integrationId, msgId, event] of sent) {
      expect((await send(integrationId, msgId, event)).status).toBe(200);
      await io.settled(integrationId, sent.filter(([id]) => id === integrationId).findIndex(([, m]) => m === msgId) + 1);
    }
    expect((await send(int1, 'm2', M2)).body).toMatchObject({ duplicates: 1 });
    expect((await h.api('POST', `/v1/integrations/${int2}/pause`, { key })).body.state).toBe('paused');
    expect((await send(int2, 'n2', N2)).body).toMatchObject({ skipped: 1 });

    for (const row of await h.db.selectFrom('customers').select(['id', 'external_id']).where('workspace_id', '=', workspaceId).execute()) {
      customer[row.external_id] = row.id;
    }
    // Rows the webhook provider cannot produce: a refund, and test-mode data that listings and analytics must hide.
    const conversion = { workspace_id: workspaceId, integration_id: int1, provider: 'webhook', customer_id: customer.u1, currency: 'USD', metadata: '{}' };
    await h.db
      .insertInto('conversions')
      .values([
        { ...conversion, id: 'cnv_refund1', type: 'refund', event_name: 'Refund', amount_minor: 500, occurred_at: '2024-03-01T12:00:00Z', external_id: 'r1', external_event_id: 'r1' },
        { ...conversion, id: 'cnv_testsale', type: 'sale', event_name: 'Order Completed', amount_minor: 99900, occurred_at: '2024-03-01T13:00:00Z', external_id: 't1', external_event_id: 't1', is_test: true },
      ])
      .execute();
    const testAt = '2024-03-01T13:00:00Z';
    await h.db
      .insertInto('customers')
      .values({ id: 'cus_testcustomer', workspace_id: workspaceId, provider: 'webhook', external_id: 'tu1', integration_id: int1, is_test: true, created_at: testAt, updated_at: testAt })
      .execute();
    await h.db
      .insertInto('events')
      .values({ id: 'evt_testevent', workspace_id: workspaceId, type: 'sale.created', data: JSON.stringify({ customer: { id: 'cus_testcustomer' } }), integration_id: int1, is_test: true, created_at: testAt })
      .execute();
  });
  afterAll(() => h.stop());

  it('logs every inbound webhook with status, reason, duplicates and results, filterable and paginated', async () => {
    const log = (await ok(`/v1/integrations/${int1}/webhook-events`)).data;
    expect(log.map((e: { eventId: string }) => e.eventId)).toEqual(['m5', 'm4', 'm3', 'm2', 'm1']);
    expect(log.map((e: { status: string }) => e.status)).toEqual(['ignored', 'processed', 'processed', 'processed', 'processed']);
    const [m5, , , m2, m1] = log;
    expect(m5).toMatchObject({ type: 'Page Viewed', reason: 'no eventMapping entry for "Page Viewed"', result: null, duplicateCount: 0 });
    expect(m2.duplicateCount).toBe(1);
    expect(m2.lastDuplicateAt).toEqual(expect.any(String));
    expect(Date.parse(m1.processedAt)).toBeGreaterThanOrEqual(Date.parse(m1.receivedAt));
    const lead = (await ok('/v1/conversions?type=lead')).data[0];
    expect(m1.result).toEqual({ customerIds: [customer.u1], conversionIds: [lead.id], eventIds: expect.any(Array) });
    expect(m1.result.eventIds).toHaveLength(2);

    expect((await ok(`/v1/integrations/${int1}/webhook-events?status=ignored`)).data.map((e: { eventId: string }) => e.eventId)).toEqual(['m5']);
    expect((await ok(`/v1/integrations/${int1}/webhook-events?status=failed`)).data).toEqual([]);
    const paged = await allPages(`/v1/integrations/${int1}/webhook-events?status=processed`, 2);
    expect(paged.pages).toBe(2);
    expect(paged.rows.map((e: { eventId: string }) => e.eventId)).toEqual(['m4', 'm3', 'm2', 'm1']);

    const log2 = (await ok(`/v1/integrations/${int2}/webhook-events`)).data;
    expect(log2.map((e: { eventId: string; status: string; reason: string | null }) => [e.eventId, e.status, e.reason])).toEqual([
      ['n2', 'skipped', 'paused'],
      ['n1', 'processed', null],
    ]);
    // The integrations router still answers for everything else under /integrations.
    expect((await ok(`/v1/integrations/${int1}`)).id).toBe(int1);
  });

  it('answers one webhook event with the payload as sent and what it became, never the request headers; 404 across integrations and workspaces, 400 for a bad id', async () => {
    const [m2] = (await ok(`/v1/integrations/${int1}/webhook-events?status=processed`)).data.filter((e: { eventId: string }) => e.eventId === 'm2');
    const detail = await get(`/v1/integrations/${int1}/webhook-events/${m2.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toEqual({ ...m2, provider: 'webhook', livemode: null, payload: M2 });
    expect(detail.body.result.conversionIds).toHaveLength(1);
    // Only the body is stored: neither the signature headers nor the signing secret are anywhere in the answer.
    expect(detail.text).not.toMatch(/webhook-signature|webhook-id|webhook-timestamp/i);
    expect(detail.text).not.toContain(SECRET.slice('whsec_'.length));

    for (const [path, apiKey, status] of [
      [`/v1/integrations/${int2}/webhook-events/${m2.id}`, key, 404],
      [`/v1/integrations/${int1}/webhook-events/${m2.id}`, otherKey, 404],
      [`/v1/integrations/${int1}/webhook-events/999999999999`, key, 404],
    ] as const) {
      expect([path, (await get(path, apiKey)).status]).toEqual([path, status]);
    }
    for (const bad of ['m2', '0', '-1', '1.5', '9'.repeat(19)]) {
      const answered = await get(`/v1/integrations/${int1}/webhook-events/${bad}`);
      expect([bad, answered.status, answered.body.error.issues.map((i: { path: string }) => i.path)]).toEqual([bad, 400, ['path.eventId']]);
    }
  });

  it('lists conversions newest first with every filter, across pages, amounts in minor units and for display', async () => {
    const all = ['p1', 'o3', 'o2', 'r1', 'o1', 'm1'];
    const paged = await allPages('/v1/conversions', 2);
    expect(paged.pages).toBe(3);
    expect(paged.rows.map((c) => c.externalId)).toEqual(all);
    expect(await externalIds('/v1/conversions?type=sale')).toEqual(['p1', 'o3', 'o2', 'o1']);
    expect(await externalIds('/v1/conversions?type=refund')).toEqual(['r1']);
    expect(await externalIds(`/v1/conversions?integrationId=${int2}`)).toEqual(['p1']);
    expect(await externalIds(`/v1/conversions?customerId=${customer.u2}`)).toEqual(['o3', 'o2']);
    expect(await externalIds(`/v1/conversions?customerId=${customer.u1}&type=sale`)).toEqual(['o1']);
    expect(await externalIds('/v1/conversions?from=2024-03-02&to=2024-03-03')).toEqual(['o3', 'o2']);
    // from is inclusive, to exclusive.
    expect(await externalIds('/v1/conversions?from=2024-03-01T11:30:00Z&to=2024-03-01T12:00:00Z')).toEqual(['o1']);
    expect(await externalIds(`/v1/conversions?type=sale&integrationId=${int1}&from=2024-03-02T00:00:00%2B00:00`)).toEqual(['o3', 'o2']);
    const withTest = await allPages('/v1/conversions?includeTest=true', 3);
    expect(withTest.rows.map((c) => c.externalId)).toEqual(['p1', 'o3', 'o2', 't1', 'r1', 'o1', 'm1']);
    expect(withTest.rows.find((c) => c.externalId === 't1').isTest).toBe(true);

    const byId = Object.fromEntries(paged.rows.map((c) => [c.externalId, c]));
    expect(byId.o2).toMatchObject({ type: 'sale', amountMinor: 1500, currency: 'JPY', amount: '1500', customerId: customer.u2, integrationId: int1 });
    expect(byId.o3).toMatchObject({ amountMinor: 12345, currency: 'KWD', amount: '12.345', occurredAt: '2024-03-02T09:30:00.000Z' });
    expect(byId.o1).toMatchObject({ amountMinor: 1500, currency: 'USD', amount: '15.00' });
    expect(byId.m1).toMatchObject({ type: 'lead', eventName: 'Signed Up', amountMinor: null, amount: null, externalEventId: 'm1' });
    expect(await ok(`/v1/conversions/${byId.o3.id}`)).toEqual(byId.o3);
    expect((await ok('/v1/conversions/cnv_testsale')).isTest).toBe(true);
  });

  it('lists customers with their filters and pagination, test customers only on request', async () => {
    const paged = await allPages('/v1/customers', 1);
    expect(paged.pages).toBe(3);
    expect(paged.rows.map((c) => c.externalId)).toEqual(['u3', 'u2', 'u1']);
    const u2 = paged.rows[1];
    expect(u2).toMatchObject({ id: customer.u2, name: 'Ken', integrationId: int1, provider: 'webhook', isTest: false });
    expect(await ok(`/v1/customers/${customer.u1}`)).toMatchObject({ externalId: 'u1', email: 'u1@example.com' });
    expect(await externalIds(`/v1/customers?integrationId=${int2}`)).toEqual(['u3']);
    expect(await externalIds(`/v1/customers?from=${u2.createdAt}`)).toEqual(['u3', 'u2']);
    expect(await externalIds(`/v1/customers?to=${u2.createdAt}`)).toEqual(['u1']);
    expect(await externalIds('/v1/customers?includeTest=true')).toEqual(['u3', 'u2', 'u1', 'tu1']);
    expect(await externalIds('/v1/customers?includeTest=true&to=2024-03-02')).toEqual(['tu1']);
  });

  it('lists workspace events with every filter; pages split events that share a timestamp without gaps or repeats', async () => {
    const expected = await h.db
      .selectFrom('events')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where('is_test', '=', false)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    // Each webhook's events are written in one transaction, so they share created_at: pages of 2 cut through them.
    const paged = await allPages('/v1/events', 2);
    expect(paged.rows.map((e) => e.id)).toEqual(expected.map((e) => e.id));
    expect(new Set(paged.rows.map((e) => e.id)).size).toBe(expected.length);
    expect(paged.rows.map((e) => e.type)).toEqual(expect.arrayContaining(['integration.connected', 'customer.created', 'lead.created', 'sale.created', 'integration.paused']));

    const sales = (await ok('/v1/events?type=sale.created')).data;
    expect(sales.map((e: any) => e.data.conversion.externalId)).toEqual(['p1', 'o3', 'o2', 'o1']);
    const ofU2 = (await ok(`/v1/events?customerId=${customer.u2}`)).data;
    expect(ofU2.map((e: any) => e.type).sort()).toEqual(['customer.created', 'sale.created', 'sale.created']);
    expect(ofU2[0].data.conversion.externalId).toBe('o3');
    const ofInt2 = (await ok(`/v1/events?integrationId=${int2}`)).data;
    expect(ofInt2[0].type).toBe('integration.paused');
    expect(ofInt2.map((e: any) => e.type).sort()).toEqual(['customer.created', 'integration.connected', 'integration.paused', 'sale.created']);
    const kwdSale = sales[1];
    expect((await ok(`/v1/events?from=${kwdSale.createdAt}&type=sale.created`)).data.map((e: any) => e.id)).toEqual([sales[0].id, kwdSale.id]);
    expect((await ok(`/v1/events?to=${kwdSale.createdAt}&type=sale.created`)).data.map((e: any) => e.id)).toEqual([sales[2].id, sales[3].id]);

    expect(await ok(`/v1/events/${kwdSale.id}`)).toEqual(kwdSale);
    expect(kwdSale).toMatchObject({ workspaceId, integrationId: int1, isTest: false });
    const withTest = (await ok('/v1/events?includeTest=true&type=sale.created')).data;
    expect(withTest.map((e: any) => e.id)).toEqual([...sales.map((e: any) => e.id), 'evt_testevent']);
  });

  it('counts conversions per type and revenue per currency in UTC buckets, sales and refunds apart, test data excluded', async () => {
    const usd = (sales: number, refunds: number, shown: [string, string, string]) => ({
      currency: 'USD', salesMinor: sales, refundsMinor: refunds, netMinor: sales - refunds, sales: shown[0], refunds: shown[1], net: shown[2],
    });
    const counts = (lead: number, sale: number, refund: number) => ({ lead, sale, refund });
    const days = await ok('/v1/analytics/conversions?interval=day&from=2024-03-01&to=2024-03-05');
    expect(days).toMatchObject({ interval: 'day', from: '2024-03-01T00:00:00.000Z', to: '2024-03-05T00:00:00.000Z', timezone: 'UTC' });
    expect(days.buckets).toEqual([
      { start: '2024-03-01T00:00:00.000Z', counts: counts(1, 1, 1), revenue: [usd(1500, 500, ['15.00', '5.00', '10.00'])] },
      {
        start: '2024-03-02T00:00:00.000Z',
        counts: counts(0, 2, 0),
        revenue: [
          { currency: 'JPY', salesMinor: 1500, refundsMinor: 0, netMinor: 1500, sales: '1500', refunds: '0', net: '1500' },
          { currency: 'KWD', salesMinor: 12345, refundsMinor: 0, netMinor: 12345, sales: '12.345', refunds: '0.000', net: '12.345' },
        ],
      },
      { start: '2024-03-03T00:00:00.000Z', counts: counts(0, 0, 0), revenue: [] },
      { start: '2024-03-04T00:00:00.000Z', counts: counts(0, 1, 0), revenue: [usd(2000, 0, ['20.00', '0.00', '20.00'])] },
    ]);

    const hours = await ok('/v1/analytics/conversions?interval=hour&from=2024-03-01T10:00:00Z&to=2024-03-01T14:00:00Z');
    expect(hours.buckets.map((b: any) => [b.start.slice(11, 13), b.counts, b.revenue])).toEqual([
      ['10', counts(1, 0, 0), []],
      ['11', counts(0, 1, 0), [usd(1500, 0, ['15.00', '0.00', '15.00'])]],
      ['12', counts(0, 0, 1), [usd(0, 500, ['0.00', '5.00', '-5.00'])]],
      ['13', counts(0, 0, 0), []], // the test-mode sale at 13:00 is not counted
    ]);

    const month = await ok('/v1/analytics/conversions?interval=month&from=2024-03-01&to=2024-04-01');
    expect(month.buckets).toHaveLength(1);
    expect(month.buckets[0].counts).toEqual(counts(1, 4, 1));
    expect(month.buckets[0].revenue.map((r: any) => [r.currency, r.net])).toEqual([['JPY', '1500'], ['KWD', '12.345'], ['USD', '30.00']]);

    // Weeks start on Monday: 2024-03-01 is a Friday.
    const weeks = await ok('/v1/analytics/conversions?interval=week&from=2024-03-01&to=2024-03-08');
    expect(weeks.buckets.map((b: any) => [b.start, b.counts])).toEqual([
      ['2024-02-26T00:00:00.000Z', counts(1, 3, 1)],
      ['2024-03-04T00:00:00.000Z', counts(0, 1, 0)],
    ]);

    const ofInt2 = await ok(`/v1/analytics/conversions?from=2024-03-01&to=2024-03-05&integrationId=${int2}`);
    expect(ofInt2.buckets.map((b: any) => b.counts.sale)).toEqual([0, 0, 0, 1]);
    const other = await ok('/v1/analytics/conversions?from=2024-03-01&to=2024-03-05', otherKey);
    expect(other.buckets.map((b: any) => [b.counts, b.revenue])).toEqual(Array(4).fill([counts(0, 0, 0), []]));
  });

  it('answers 400 naming the query field for every bad parameter', async () => {
    const foreignShape = Buffer.from(JSON.stringify(['yesterday', 'x'])).toString('base64url');
    for (const [path, field] of [
      ['/v1/conversions?limit=201', 'query.limit'],
      ['/v1/conversions?limit=0', 'query.limit'],
      ['/v1/conversions?cursor=not-a-cursor', 'query.cursor'],
      [`/v1/customers?cursor=${foreignShape}`, 'query.cursor'],
      ['/v1/conversions?from=yesterday', 'query.from'],
      ['/v1/events?to=2024-13-01', 'query.to'],
      ['/v1/conversions?from=2024-03-02&to=2024-03-01', 'query.to'],
      ['/v1/conversions?type=purchase', 'query.type'],
      ['/v1/conversions?customerId=u2', 'query.customerId'],
      ['/v1/customers?integrationId=42', 'query.integrationId'],
      ['/v1/customers?includeTest=maybe', 'query.includeTest'],
      ['/v1/customers?type=sale', 'query'],
      ['/v1/events?type=Sale', 'query.type'],
      ['/v1/analytics/conversions?interval=year', 'query.interval'],
      ['/v1/analytics/conversions?interval=hour&from=2024-01-01&to=2024-03-01', 'query.from'],
      [`/v1/integrations/${int1}/webhook-events?status=done`, 'query.status'],
      [`/v1/integrations/${int1}/webhook-events?limit=500`, 'query.limit'],
    ]) {
      const response = await get(path);
      expect([path, response.status, response.body.error.issues.map((i: { path: string }) => i.path)]).toEqual([path, 400, [field]]);
    }
  });

  it('keeps workspaces apart (404 for foreign ids, empty lists) and requires an API key', async () => {
    const [conversion] = (await ok('/v1/conversions')).data;
    const [event] = (await ok('/v1/events')).data;
    for (const path of [
      `/v1/conversions/${conversion.id}`,
      `/v1/customers/${customer.u1}`,
      `/v1/events/${event.id}`,
      `/v1/integrations/${int1}/webhook-events`,
    ]) {
      expect([path, (await get(path, otherKey)).status]).toEqual([path, 404]);
      expect([path, (await get(path)).status]).toEqual([path, 200]);
    }
    expect((await get('/v1/conversions/cnv_doesnotexist')).status).toBe(404);
    for (const path of ['/v1/conversions', '/v1/customers', '/v1/events', `/v1/conversions?integrationId=${int1}&includeTest=true`]) {
      expect([path, (await ok(path, otherKey)).data]).toEqual([path, []]);
    }
    for (const path of ['/v1/conversions', `/v1/conversions/${conversion.id}`, '/v1/customers', '/v1/events', '/v1/analytics/conversions', `/v1/integrations/${int1}/webhook-events`]) {
      expect([path, (await h.api('GET', path)).status]).toEqual([path, 401]);
    }
  });

  it('a key revoked in the database stops working (within the API process cache time)', async () => {
    const revoked = await h.newWorkspace();
    expect((await h.api('GET', '/v1/events', { key: revoked.key })).status).toBe(200);
    await h.db.updateTable('api_keys').set({ revoked_at: new Date() }).where('workspace_id', '=', revoked.workspaceId).execute();
    await waitFor(async () => (await h.api('GET', '/v1/events', { key: revoked.key })).status === 401, 'the revoked key to be refused', API_KEY_CACHE_MS + 30_000);
    expect((await h.api('GET', '/v1/events', { key })).status).toBe(200);
  });
});
