import { createHmac } from 'node:crypto';
import { loadConfig } from '../../../lib/config';
import { checkWithProvider } from '../../../lib/provider-checks';
import { hubspot } from '../../../providers/hubspot';
import type { HubspotSettings } from '../../../providers/hubspot/schema';
import { MalformedPayloadError } from '../../../providers/types';
import { PIPELINES_PATH, startFakeHubspotApi } from '../../support/fakes/fake-hubspot-api';
import { NOW_MS, context, conversionOf, effectsOf, receive, request } from './support';

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
  it('splits the batch into events keyed by eventId, dropping a repeated id', () => {
    const first = hubspotEvent(11, 'contact.creation', 101);
    const second = hubspotEvent(12, 'deal.creation', 201);
    const events = inbound.parse(request(JSON.stringify([first, second, first]), {}));
    expect(events).toEqual([
      { dedupKey: '11', type: 'contact.creation', payload: first },
      { dedupKey: '12', type: 'deal.creation', payload: second },
    ]);
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

  it('records a closed-won deal as a sale, with the relayed amount or pending at 0', () => {
    const won = { propertyName: 'dealstage', propertyValue: 'closedwon' };
    const { results } = receiveAll([
      hubspotEvent(7, 'deal.propertyChange', 201, { ...won, amount: '1500.50' }),
      hubspotEvent(8, 'deal.propertyChange', 202, won),
      hubspotEvent(9, 'deal.propertyChange', 203, { propertyName: 'dealstage', propertyValue: 'appointmentscheduled' }),
    ]);
    expect(conversionOf(results[0])).toEqual({
      type: 'sale',
      eventName: 'Closed won',
      externalId: 'deal:201',
      customer: { externalId: 'deal:201' },
      amountMinor: 150050,
      currency: 'USD',
      occurredAt: OCCURRED_AT,
    });
    expect(conversionOf(results[1])).toMatchObject({ amountMinor: 0, metadata: { amountPending: true } });
    expect(results[2]).toEqual({ status: 'ignored', reason: 'deal stage appointmentscheduled is not closed won' });
  });

  it('uses the portal currency and a custom closed-won stage', () => {
    const { results } = receiveAll(
      [hubspotEvent(10, 'deal.propertyChange', 204, { propertyName: 'dealstage', propertyValue: '12345', amount: '12.345' })],
      { currency: 'kwd', closedWonStageId: '12345' },
    );
    expect(conversionOf(results[0])).toMatchObject({ amountMinor: 12345, currency: 'KWD' });
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
