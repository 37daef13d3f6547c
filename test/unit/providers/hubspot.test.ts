import { createHmac } from 'node:crypto';
import { loadConfig } from '../../../lib/config';
import { checkWithProvider } from '../../../services/provider-checks';
import { hubspot } from '../../../providers/hubspot';
import type { HubspotSettings } from '../../../providers/hubspot/schema';
import { MalformedPayloadError } from '../../../providers/types';
import type { DealEnrichment } from '../../../providers/hubspot/deal-value';
import type { DealRecord } from '../../../providers/hubspot/deals';
import { CONTACTS_READ_PATH, DEAL_CONTACTS_PATH, DEALS_READ_PATH, PIPELINES_PATH, startFakeHubspotApi } from '../../support/fakes/fake-hubspot-api';
import { NOW_MS, context, conversionOf, effectsOf, expectRecordsAsDeclared, receive, request } from './support';

const CLIENT_SECRET = 'hs-client-secret-current';
const OLD_CLIENT_SECRET = 'hs-client-secret-previous';
/** As HubSpot calls it: with percent-encoded characters in the query… */
const URL = 'https://hooks.linquid.test/webhooks/hubspot/int_1?source=hub%3Aspot&tags=a%2Cb';
/** …and as it signs it, those characters decoded (HubSpot request validation v3). */
const SIGNED_URI = 'https://hooks.linquid.test/webhooks/hubspot/int_1?source=hub:spot&tags=a,b';
const inbound = hubspot.inbound!;
const OCCURRED_MS = NOW_MS - 2000;

function settings(overrides: Partial<HubspotSettings> = {}): HubspotSettings {
  return hubspot.settingsSchema.parse(overrides);
}

/** Signed independently of our code, straight from HubSpot's v3 recipe. */
function signed(body: string, { secret = CLIENT_SECRET, timestampMs = NOW_MS, uri = SIGNED_URI } = {}) {
  const signature = createHmac('sha256', secret).update(`POST${uri}${body}${timestampMs}`).digest('base64');
  return request(body, { 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': String(timestampMs) }, URL);
}

function hubspotEvent(eventId: number, subscriptionType: string, objectId: number, extra: Record<string, unknown> = {}) {
  return {
    eventId,
    subscriptionId: 2_112_121,
    portalId: 62_515,
    appId: 1_160_452,
    occurredAt: OCCURRED_MS,
    subscriptionType,
    attemptNumber: 0,
    objectId,
    changeFlag: 'NEW',
    changeSource: 'CRM',
    ...extra,
  };
}

function receiveAll(events: object[], overrides: Partial<HubspotSettings> = {}) {
  return receive(hubspot, signed(JSON.stringify(events)), context(settings(overrides), [{ clientSecret: CLIENT_SECRET }]));
}

const OCCURRED_AT = new Date(OCCURRED_MS).toISOString();

describe('hubspot verify', () => {
  const body = JSON.stringify([hubspotEvent(1, 'contact.creation', 101)]);
  const ctx = context(settings(), [{ clientSecret: CLIENT_SECRET }]);

  it('accepts v3 signatures over method, decoded URI, body and timestamp', () => {
    expect(inbound.verify(signed(body), ctx)).toEqual({ ok: true });
    expect(inbound.verify(signed(body, { uri: URL }), ctx)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('refuses missing headers, a wrong secret and a tampered body', () => {
    expect(inbound.verify(request(body, {}, URL), ctx)).toMatchObject({ ok: false, reason: 'missing_signature' });
    expect(inbound.verify(signed(body, { secret: 'other' }), ctx)).toMatchObject({ ok: false, reason: 'bad_signature' });
    const tampered = { ...signed(body), rawBody: Buffer.from(body.replace('101', '102')) };
    expect(inbound.verify(tampered, ctx)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('refuses timestamps (milliseconds) more than 5 minutes old or ahead', () => {
    const minutes = (n: number) => n * 60_000;
    expect(inbound.verify(signed(body, { timestampMs: NOW_MS - minutes(5) - 1 }), ctx)).toMatchObject({ reason: 'stale_timestamp' });
    expect(inbound.verify(signed(body, { timestampMs: NOW_MS + minutes(5) + 1 }), ctx)).toMatchObject({ reason: 'future_timestamp' });
    expect(inbound.verify(signed(body, { timestampMs: NOW_MS - minutes(4) }), ctx)).toEqual({ ok: true });
  });

  it('accepts the previous client secret during its grace period', () => {
    const rotated = context(settings(), [{ clientSecret: CLIENT_SECRET }, { clientSecret: OLD_CLIENT_SECRET }]);
    expect(inbound.verify(signed(body, { secret: OLD_CLIENT_SECRET }), rotated)).toEqual({ ok: true });
    expect(inbound.verify(signed(body, { secret: OLD_CLIENT_SECRET }), ctx)).toMatchObject({ reason: 'bad_signature' });
  });
});

describe('hubspot parse', () => {
  const parse = (events: object[]) => inbound.parse(request(JSON.stringify(events), {}));

  it('splits the batch into events, one per distinct event, dropping an exact repeat', () => {
    const first = hubspotEvent(11, 'contact.creation', 101);
    const second = hubspotEvent(12, 'deal.creation', 201);
    const events = parse([first, second, first]);
    expect(events).toEqual([
      { dedupKey: expect.stringMatching(/^11-[0-9a-f]{16}$/), type: 'contact.creation', payload: first },
      { dedupKey: expect.stringMatching(/^12-[0-9a-f]{16}$/), type: 'deal.creation', payload: second },
    ]);
  });

  it('tells apart different events that share an eventId (HubSpot does not promise unique ones)', () => {
    const stage = hubspotEvent(40, 'deal.propertyChange', 201, { propertyName: 'dealstage', propertyValue: 'closedwon' });
    const variants = [
      stage,
      { ...stage, propertyName: 'amount', propertyValue: '10' },
      { ...stage, propertyValue: 'closedlost' },
      { ...stage, objectId: 202 },
      { ...stage, portalId: 999 },
      { ...stage, occurredAt: OCCURRED_MS + 1 },
      { ...stage, subscriptionType: 'contact.propertyChange' },
    ];
    const keys = parse(variants).map((event) => event.dedupKey);
    expect(new Set(keys).size).toBe(variants.length);
    expect(keys.every((key) => key.startsWith('40-'))).toBe(true);
  });

  it('gives a retry (only attemptNumber differs, keys in another order) the same key', () => {
    const original = hubspotEvent(41, 'deal.propertyChange', 201, { propertyName: 'amount', propertyValue: '99.5' });
    const reordered = Object.fromEntries(Object.entries({ ...original, attemptNumber: 3 }).reverse());
    const [first] = parse([original]);
    const [retry] = parse([reordered]);
    expect(retry.dedupKey).toBe(first.dedupKey);
    // Both copies in one batch are one event.
    expect(parse([original, reordered])).toHaveLength(1);
  });

  it('throws MalformedPayloadError for a body that is not an event array', () => {
    expect(() => inbound.parse(request(JSON.stringify(hubspotEvent(1, 'contact.creation', 1)), {}))).toThrow(MalformedPayloadError);
    expect(() => inbound.parse(request('[{', {}))).toThrow(MalformedPayloadError);
  });
});

describe('hubspot normalize', () => {
  it('records a new contact as a customer without name or email', () => {
    const { results } = receiveAll([hubspotEvent(1, 'contact.creation', 101)]);
    expect(effectsOf(results[0])).toEqual([{ kind: 'customer', customer: { externalId: 'contact:101', email: null, name: null } }]);
  });

  it('records a new deal as a "Deal created" lead by default, not a lifecycle stage', () => {
    const stage = hubspotEvent(3, 'contact.propertyChange', 101, { propertyName: 'lifecyclestage', propertyValue: 'marketingqualifiedlead' });
    const { results } = receiveAll([hubspotEvent(2, 'deal.creation', 201), stage]);
    expect(conversionOf(results[0])).toEqual({
      type: 'lead',
      eventName: 'Deal created',
      externalId: 'deal:201',
      customer: { externalId: 'deal:201' },
      occurredAt: OCCURRED_AT,
    });
    expect(results[1]).toEqual({ status: 'ignored', reason: 'leads are recorded on deal creation' });
  });

  it('records a lead when a contact reaches the configured lifecycle stage (case-insensitive)', () => {
    const reached = hubspotEvent(4, 'contact.propertyChange', 101, { propertyName: 'lifecyclestage', propertyValue: 'SalesQualifiedLead' });
    const other = hubspotEvent(5, 'contact.propertyChange', 102, { propertyName: 'lifecyclestage', propertyValue: 'subscriber' });
    const { results } = receiveAll([reached, other, hubspotEvent(6, 'deal.creation', 201)], {
      leadTriggerEvent: 'lifecycleStageReached',
      leadLifecycleStage: 'salesqualifiedlead',
    });
    expect(conversionOf(results[0])).toEqual({
      type: 'lead',
      eventName: 'Lifecycle stage reached: SalesQualifiedLead',
      externalId: 'contact:101',
      customer: { externalId: 'contact:101' },
      occurredAt: OCCURRED_AT,
    });
    expect(results[1]).toMatchObject({ status: 'ignored' });
    expect(results[2]).toEqual({ status: 'ignored', reason: 'leads are recorded on a lifecycle stage' });
  });

  const won = { propertyName: 'dealstage', propertyValue: 'closedwon' };
  const READ_AT = new Date(OCCURRED_MS + 500).toISOString();
  const deal = (id: string, extra: Partial<DealRecord> = {}): DealEnrichment => ({
    deal: { id, amount: '1500.50', currency: null, name: 'Acme renewal', updatedAt: READ_AT, contact: { id: '301', email: 'ada@example.com', name: 'Ada Lovelace' }, ...extra },
  });
  const enriched = (event: object, enrichment?: DealEnrichment) => ({ ...inbound.parse(request(JSON.stringify([event]), {}))[0], enrichment });
  const normalizeOne = (event: object, enrichment?: DealEnrichment, overrides: Partial<HubspotSettings> = {}) => inbound.normalize(enriched(event, enrichment), settings(overrides));

  it('records for each event type what the catalog says it does', () => {
    const stage = hubspotEvent(3, 'contact.propertyChange', 101, { propertyName: 'lifecyclestage', propertyValue: 'marketingqualifiedlead' });
    expectRecordsAsDeclared(hubspot, {
      'contact.creation': [normalizeOne(hubspotEvent(1, 'contact.creation', 101))],
      'contact.propertyChange': [normalizeOne(stage, undefined, { leadTriggerEvent: 'lifecycleStageReached' })],
      'deal.creation': [normalizeOne(hubspotEvent(2, 'deal.creation', 201))],
      'deal.propertyChange': [
        normalizeOne(hubspotEvent(7, 'deal.propertyChange', 201, won)),
        normalizeOne(hubspotEvent(8, 'deal.propertyChange', 201, { propertyName: 'amount', propertyValue: '99.50' })),
      ],
    });
  });

  it('records a closed-won deal as a sale of its contact, waiting for the amount the deal read reports', () => {
    const result = normalizeOne(hubspotEvent(7, 'deal.propertyChange', 201, won), deal('201'));
    const ada = { externalId: 'contact:301', email: 'ada@example.com', name: 'Ada Lovelace' };
    expect(effectsOf(result)).toEqual([
      {
        kind: 'conversion',
        conversion: {
          type: 'sale',
          eventName: 'Closed won',
          externalId: 'deal:201',
          customer: ada,
          occurredAt: OCCURRED_AT,
          amountPending: { code: 'not_set', reason: expect.any(String) },
          metadata: { dealId: '201', dealName: 'Acme renewal' },
        },
      },
      { kind: 'amount', amount: { externalId: 'deal:201', amountMinor: 150050, currency: 'USD', asOf: READ_AT, source: 'deal read', customer: ada } },
    ]);
  });

  it('takes the deal currency over the account currency, in its own exponent (JPY 0, KWD 3 decimals)', () => {
    const amountOf = (enrichment: DealEnrichment, overrides: Partial<HubspotSettings> = {}) =>
      effectsOf(normalizeOne(hubspotEvent(8, 'deal.propertyChange', 202, won), enrichment, overrides)).find((effect) => effect.kind === 'amount');
    expect(amountOf(deal('202', { amount: '5000', currency: 'JPY' }))).toMatchObject({ amount: { amountMinor: 5000, currency: 'JPY' } });
    expect(amountOf(deal('202', { amount: '12.345', currency: null }), { currency: 'kwd' })).toMatchObject({ amount: { amountMinor: 12345, currency: 'KWD' } });
    expect(amountOf(deal('202', { amount: '0.0005', currency: 'KWD' }))).toMatchObject({ amount: { amountMinor: 1, currency: 'KWD' } });
  });

  it('refuses a negative amount: a won deal with one waits for a valid one, an amount change to one is ignored', () => {
    const [sale] = effectsOf(normalizeOne(hubspotEvent(8, 'deal.propertyChange', 202, won), deal('202', { amount: '-250' })));
    expect(sale).toMatchObject({ kind: 'conversion', conversion: { type: 'sale', amountPending: { code: 'not_set', reason: 'deal 202 has a negative amount in HubSpot (-250); the sale waits for a valid one' } } });
    expect(sale).not.toHaveProperty('conversion.amountMinor');
    const change = hubspotEvent(11, 'deal.propertyChange', 202, { propertyName: 'amount', propertyValue: '-250' });
    expect(normalizeOne(change)).toEqual({ status: 'ignored', reason: expect.stringMatching(/^malformed payload: sale deal:202 amount -25000: never negative/) });
  });

  it('leaves a sale waiting, with the reason, when the deal could not be read or has no amount', () => {
    const pending = (enrichment?: DealEnrichment) => {
      const effects = effectsOf(normalizeOne(hubspotEvent(9, 'deal.propertyChange', 203, won), enrichment));
      expect(effects).toHaveLength(1);
      const [effect] = effects;
      if (effect.kind !== 'conversion') throw new Error('expected the sale');
      expect(effect.conversion).not.toHaveProperty('amountMinor');
      expect(effect.conversion).not.toHaveProperty('customer');
      return effect.conversion.amountPending;
    };
    expect(pending({ pending: { code: 'no_credentials', reason: 'no access token is stored' } })).toEqual({ code: 'no_credentials', reason: 'no access token is stored' });
    expect(pending(undefined)).toMatchObject({ code: 'not_read' });
    expect(pending(deal('203', { amount: null, contact: undefined }))).toMatchObject({ code: 'not_set' });
  });

  it('reports an amount change as of its time, in the deal currency when the deal was read', () => {
    const change = hubspotEvent(10, 'deal.propertyChange', 204, { propertyName: 'amount', propertyValue: '250.5' });
    expect(effectsOf(normalizeOne(change))).toEqual([
      { kind: 'amount', amount: { externalId: 'deal:204', amountMinor: 25050, currency: 'USD', asOf: OCCURRED_AT, source: 'amount change' } },
    ]);
    const read = effectsOf(normalizeOne(change, deal('204', { amount: '250.5', currency: 'JPY' })));
    expect(read.map((effect) => effect.kind === 'amount' && [effect.amount.source, effect.amount.amountMinor, effect.amount.currency, effect.amount.asOf])).toEqual([
      ['amount change', 251, 'JPY', OCCURRED_AT],
      ['deal read', 251, 'JPY', READ_AT],
    ]);
    expect(normalizeOne({ ...change, propertyValue: '' })).toEqual({ status: 'ignored', reason: expect.stringMatching(/cleared/) });
    expect(normalizeOne({ ...change, propertyValue: 'lots' })).toEqual({ status: 'ignored', reason: expect.stringMatching(/not a decimal/) });
  });

  it('takes a currency change from the deal read, and ignores it without one', () => {
    const change = hubspotEvent(11, 'deal.propertyChange', 205, { propertyName: 'deal_currency_code', propertyValue: 'EUR' });
    expect(effectsOf(normalizeOne(change, deal('205', { currency: 'EUR' })))).toEqual([
      { kind: 'amount', amount: expect.objectContaining({ externalId: 'deal:205', amountMinor: 150050, currency: 'EUR', source: 'deal read' }) },
    ]);
    expect(normalizeOne(change)).toMatchObject({ status: 'ignored' });
  });

  it('uses a custom closed-won stage and ignores other stages', () => {
    const custom = hubspotEvent(12, 'deal.propertyChange', 206, { propertyName: 'dealstage', propertyValue: '12345' });
    expect(conversionOf(normalizeOne(custom, undefined, { closedWonStageId: '12345' }))).toMatchObject({ type: 'sale', externalId: 'deal:206' });
    expect(normalizeOne(custom)).toEqual({ status: 'ignored', reason: 'deal stage 12345 is not closed won' });
  });

  it('ignores other portals, untracked properties and unhandled types', () => {
    const { results } = receiveAll(
      [
        hubspotEvent(20, 'contact.creation', 1, { portalId: 999 }),
        hubspotEvent(21, 'contact.propertyChange', 1, { propertyName: 'email', propertyValue: 'x@example.com' }),
        hubspotEvent(22, 'company.creation', 1),
      ],
      { portalId: '62515' },
    );
    expect(results).toEqual([
      { status: 'ignored', reason: 'event of HubSpot portal 999, not 62515' },
      { status: 'ignored', reason: 'contact property email is not tracked' },
      { status: 'ignored', reason: 'unhandled event type company.creation' },
    ]);
  });
});

describe('HubSpot credential and settings check', () => {
  it('reads the deal pipelines once for both the credentials and the closed-won stage', async () => {
    const api = await startFakeHubspotApi(['hs-token']);
    try {
      const check = (closedWonStageId: string) =>
        checkWithProvider(hubspot, settings({ closedWonStageId }), { clientSecret: CLIENT_SECRET, accessToken: 'hs-token' }, loadConfig({ HUBSPOT_API_URL: api.url }));
      expect(await check('closedwon')).toEqual({ credentials: 'ok', problems: [] });
      expect(api.calls(PIPELINES_PATH)).toHaveLength(1);

      const wrongStage = await check('won');
      expect(wrongStage.problems.map((problem) => problem.path)).toEqual(['settings.closedWonStageId']);
      expect(api.calls(PIPELINES_PATH)).toHaveLength(2);
    } finally {
      await api.close();
    }
  });
});

describe('HubSpot deal reads (official client against the local CRM API)', () => {
  const TOKEN = 'hs-read-token';
  const won = (eventId: number, dealId: number) => hubspotEvent(eventId, 'deal.propertyChange', dealId, { propertyName: 'dealstage', propertyValue: 'closedwon' });
  const parsed = (events: object[]) => inbound.parse(request(JSON.stringify(events), {}));
  const ctx = (apiUrl: string, secrets: Record<string, string> = { clientSecret: CLIENT_SECRET, accessToken: TOKEN }, timeoutMs = 2000) => ({ settings: settings(), secrets, apiUrl, timeoutMs });

  it('reads the deals of closed-won and amount events in one batch, with their first contact', async () => {
    const api = await startFakeHubspotApi([TOKEN]);
    try {
      api.deals.set('601', { amount: '1500.125', currency: 'KWD', name: 'Big one', contactIds: ['501', '502'] });
      api.contacts.set('501', { email: 'ada@example.com', firstname: 'Ada', lastname: 'Lovelace' });
      const events = parsed([won(1, 601), hubspotEvent(2, 'deal.propertyChange', 602, { propertyName: 'amount', propertyValue: '3' }), hubspotEvent(3, 'contact.creation', 501), won(4, 601)]);
      const out = await inbound.enrich!(events, ctx(api.url));
      expect(out.map((event) => event.enrichment)).toEqual([
        { deal: { id: '601', amount: '1500.125', currency: 'KWD', name: 'Big one', updatedAt: expect.any(String), contact: { id: '501', email: 'ada@example.com', name: 'Ada Lovelace' } } },
        { pending: { code: 'not_found', reason: expect.stringContaining('602') } },
        undefined,
        out[0].enrichment,
      ]);
      // One read of each kind for the whole batch; the authorization is the integration's token.
      expect([DEALS_READ_PATH, DEAL_CONTACTS_PATH, CONTACTS_READ_PATH].map((path) => api.calls(path).length)).toEqual([1, 1, 1]);
      expect(JSON.parse(api.calls(DEALS_READ_PATH)[0].body).inputs).toEqual([{ id: '601' }, { id: '602' }]);
      expect(api.calls(DEALS_READ_PATH)[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
      // A batch without deal value events asks nothing.
      await inbound.enrich!(parsed([hubspotEvent(5, 'contact.creation', 501)]), ctx(api.url));
      expect(api.requests).toHaveLength(3);
    } finally {
      await api.close();
    }
  });

  it('says why it could not read, without throwing: no token, refused, unreachable', async () => {
    const api = await startFakeHubspotApi([TOKEN]);
    try {
      const events = parsed([won(1, 601)]);
      const reason = async (context: ReturnType<typeof ctx>) => ((await inbound.enrich!(events, context))[0].enrichment as { pending: { code: string } }).pending.code;
      expect(await reason(ctx(api.url, { clientSecret: CLIENT_SECRET }))).toBe('no_credentials');
      expect(api.requests).toHaveLength(0);
      expect(await reason(ctx(api.url, { accessToken: 'revoked-token' }))).toBe('refused');
      api.down = true;
      expect(await reason(ctx(api.url))).toBe('unreachable');
      api.down = false;
      api.respond = () => 'hang';
      expect(await reason(ctx(api.url, undefined, 200))).toBe('unreachable');
    } finally {
      await api.close();
    }
  });

  it('reads pending sales again: amounts for the deals that have one, the reason for the others', async () => {
    const api = await startFakeHubspotApi([TOKEN]);
    try {
      api.deals.set('701', { amount: '99.99', contactIds: ['801'] });
      api.deals.set('702', { amount: null });
      const read = await inbound.readPendingAmounts!(['deal:701', 'deal:702', 'deal:703'], ctx(api.url));
      expect(read.amounts).toEqual([{ externalId: 'deal:701', amountMinor: 9999, currency: 'USD', asOf: expect.any(String), source: 'deal read', customer: { externalId: 'contact:801', email: null, name: null } }]);
      expect(read.stillPending.map((entry) => [entry.externalId, entry.pending.code])).toEqual([['deal:702', 'not_set'], ['deal:703', 'not_found']]);
    } finally {
      await api.close();
    }
  });
});
