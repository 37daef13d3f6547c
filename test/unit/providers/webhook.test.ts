import { Webhook } from 'standardwebhooks';
import type { InboundRequest, ProviderModule } from '../../../providers/types';
import { MalformedPayloadError } from '../../../providers/types';
import { canDeliver } from '../../../providers';
import { webhook } from '../../../providers/webhook';
import type { WebhookSecrets, WebhookSettings } from '../../../providers/webhook/schema';
import { zapier } from '../../../providers/zapier';
import { NOW_MS, context, conversionOf, expectRecordsAsDeclared, receive, request } from './support';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const OLD_SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
const TOKEN = 'tok_0123456789abcdef0123';

/** Signed with the official Standard Webhooks library, not our code. */
function signed(body: object, { secret = SECRET, id = 'msg_2Ke1', atMs = NOW_MS } = {}): InboundRequest {
  const payload = JSON.stringify(body);
  return request(payload, {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(atMs / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, new Date(atMs), payload),
  });
}

const purchase = {
  type: 'Order Completed',
  occurredAt: '2025-06-15T11:00:00+02:00',
  customer: { id: 'cust_7', email: 'ada@example.com', name: 'Ada Lovelace' },
  amount: 49.99,
  currency: 'usd',
  orderId: 'order_77',
  clickId: 'clk_hook',
  linkKey: 'spring',
  quantity: 1,
};

describe.each([webhook, zapier] as Array<ProviderModule<WebhookSettings, WebhookSecrets>>)('$id inbound', (provider) => {
  const inbound = provider.inbound!;
  const settings = (overrides: Partial<WebhookSettings> = {}) => provider.settingsSchema.parse(overrides);
  const ctx = context(settings(), [{ signingSecret: SECRET }]);

  describe('standard webhooks verification', () => {
    it('accepts a signature made by the standardwebhooks library, refuses a wrong or missing one', () => {
      expect(inbound.verify(signed(purchase), ctx)).toEqual({ ok: true });
      expect(inbound.verify(signed(purchase, { secret: OLD_SECRET }), ctx)).toMatchObject({ ok: false, reason: 'bad_signature' });
      const unsigned = signed(purchase);
      delete unsigned.headers['webhook-signature'];
      expect(inbound.verify(unsigned, ctx)).toMatchObject({ ok: false, reason: 'missing_signature' });
      const tampered = { ...signed(purchase), rawBody: Buffer.from(JSON.stringify({ ...purchase, amount: 4999 })) };
      expect(inbound.verify(tampered, ctx)).toMatchObject({ ok: false, reason: 'bad_signature' });
    });

    it('refuses timestamps more than 5 minutes old or ahead', () => {
      expect(inbound.verify(signed(purchase, { atMs: NOW_MS - 301_000 }), ctx)).toMatchObject({ reason: 'stale_timestamp' });
      expect(inbound.verify(signed(purchase, { atMs: NOW_MS + 301_000 }), ctx)).toMatchObject({ reason: 'future_timestamp' });
      expect(inbound.verify(signed(purchase, { atMs: NOW_MS - 290_000 }), ctx)).toEqual({ ok: true });
    });

    it('accepts the previous secret during its grace period', () => {
      const rotated = context(settings(), [{ signingSecret: SECRET }, { signingSecret: OLD_SECRET }]);
      expect(inbound.verify(signed(purchase, { secret: OLD_SECRET }), rotated)).toEqual({ ok: true });
    });
  });

  describe('token verification', () => {
    const tokenCtx = context(settings({ inboundAuth: 'token' }), [{ token: TOKEN }]);
    const body = JSON.stringify(purchase);

    it('accepts "Bearer <token>" or the bare token, refuses anything else', () => {
      expect(inbound.verify(request(body, { authorization: `Bearer ${TOKEN}` }), tokenCtx)).toEqual({ ok: true });
      expect(inbound.verify(request(body, { authorization: TOKEN }), tokenCtx)).toEqual({ ok: true });
      expect(inbound.verify(request(body, { authorization: 'Bearer tok_wrong' }), tokenCtx)).toMatchObject({ reason: 'bad_signature' });
      expect(inbound.verify(request(body, {}), tokenCtx)).toMatchObject({ reason: 'missing_signature' });
    });

    it('reads the configured header', () => {
      const custom = context(settings({ inboundAuth: 'token', tokenHeader: 'X-Linquid-Token' }), [{ token: TOKEN }]);
      expect(inbound.verify(request(body, { 'x-linquid-token': TOKEN }), custom)).toEqual({ ok: true });
      expect(inbound.verify(request(body, { authorization: `Bearer ${TOKEN}` }), custom)).toMatchObject({ reason: 'missing_signature' });
    });
  });

  describe('parse', () => {
    it('keys by webhook-id, else Idempotency-Key, else the body id', () => {
      expect(inbound.parse(signed(purchase, { id: 'msg_1' }))).toEqual([{ dedupKey: 'msg_1', type: 'Order Completed', payload: purchase }]);
      const body = JSON.stringify({ ...purchase, id: 'body_1' });
      expect(inbound.parse(request(body, { 'idempotency-key': 'idem_1' }))[0].dedupKey).toBe('idem_1');
      expect(inbound.parse(request(body, {}))[0].dedupKey).toBe('body_1');
    });

    it('throws MalformedPayloadError without an event id or a type', () => {
      expect(() => inbound.parse(request(JSON.stringify(purchase), {}))).toThrow(
        new MalformedPayloadError('missing event id: send webhook-id or Idempotency-Key'),
      );
      expect(() => inbound.parse(request(JSON.stringify({ id: 'x' }), {}))).toThrow(MalformedPayloadError);
      expect(() => inbound.parse(signed({ ...purchase, currency: 'dollars' }))).toThrow(/currency/);
    });
  });

  describe('normalize', () => {
    const normalizeOne = (body: object, overrides: Partial<WebhookSettings> = {}) =>
      receive(provider, signed(body), context(settings(overrides), [{ signingSecret: SECRET }])).results[0];

    it('records for any type it is sent what the catalog says it does', () => {
      expectRecordsAsDeclared(provider, { '*': [normalizeOne(purchase), normalizeOne({ type: 'Signed Up', customer: { id: 'cust_7' }, occurredAt: purchase.occurredAt })] });
    });

    it('records a mapped sale from a major-unit amount', () => {
      expect(conversionOf(normalizeOne(purchase))).toEqual({
        type: 'sale',
        eventName: 'Order Completed',
        externalId: 'order_77',
        customer: { externalId: 'cust_7', email: 'ada@example.com', name: 'Ada Lovelace' },
        amountMinor: 4999,
        currency: 'USD',
        quantity: 1,
        occurredAt: '2025-06-15T09:00:00.000Z',
        clickId: 'clk_hook',
        linkKey: 'spring',
      });
    });

    it('takes amountMinor as is, in the currency given (JPY)', () => {
      const yen = { ...purchase, amount: undefined, amountMinor: 5000, currency: 'JPY' };
      expect(conversionOf(normalizeOne(yen))).toMatchObject({ amountMinor: 5000, currency: 'JPY' });
    });

    it('ignores a negative sale with the reason POST /v1/events refuses it for, whichever way the amount comes', () => {
      for (const negative of [{ amountMinor: -5000, amount: undefined }, { amount: '-50.00' }]) {
        const result = normalizeOne({ ...purchase, ...negative });
        expect(result).toEqual({ status: 'ignored', reason: expect.stringMatching(/^sale "Order Completed" amount -5000: never negative: a refund is a conversion of its own/) });
      }
      expect(conversionOf(normalizeOne({ ...purchase, amount: undefined, amountMinor: 0 }))).toMatchObject({ amountMinor: 0 });
    });

    it('records a mapped lead under the mapped event name, keyed by the delivery id', () => {
      const mapping = { signup: { type: 'lead' as const, eventName: 'Sign up' } };
      const lead = { type: 'signup', customer: { id: 42 }, occurredAt: '2025-06-15T10:00:00Z' };
      expect(conversionOf(normalizeOne(lead, { eventMapping: mapping }))).toEqual({
        type: 'lead',
        eventName: 'Sign up',
        externalId: 'msg_2Ke1',
        customer: { externalId: '42', email: null, name: null },
        occurredAt: '2025-06-15T10:00:00.000Z',
      });
      expect(normalizeOne({ type: 'signup' }, { eventMapping: mapping })).toMatchObject({ status: 'ignored' });
    });

    it('falls back to the time the request was received, and ignores events with no time at all', () => {
      const undated = { ...purchase, occurredAt: undefined };
      const [event] = inbound.parse(signed(undated));
      expect(conversionOf(inbound.normalize({ ...event, receivedAt: '2025-06-15T12:00:00.000Z' }, settings())).occurredAt).toBe(
        '2025-06-15T12:00:00.000Z',
      );
      expect(inbound.normalize(event, settings())).toEqual({ status: 'ignored', reason: 'event has no occurredAt' });
    });

    it('ignores unmapped types', () => {
      expect(normalizeOne({ ...purchase, type: 'Cart Viewed' })).toEqual({
        status: 'ignored',
        reason: 'no eventMapping entry for "Cart Viewed"',
      });
    });
  });
});

describe.each([webhook, zapier])('$id as a destination', (provider) => {
  it('can deliver only with a targetUrl (and its signing secret); installed without one it only receives', () => {
    const secrets = { signingSecret: SECRET };
    expect(canDeliver(provider, {}, secrets)).toBe(false);
    expect(canDeliver(provider, { targetUrl: 'https://hooks.example.com/linquid' }, secrets)).toBe(true);
    expect(canDeliver(provider, { targetUrl: 'https://hooks.example.com/linquid' }, { token: 'only-an-inbound-token-1' })).toBe(false);
  });
});
