import { createHmac } from 'node:crypto';
import { segment } from '../../../providers/segment';
import type { SegmentSettings } from '../../../providers/segment/schema';
import { MalformedPayloadError } from '../../../providers/types';
import { context, conversionOf, effectsOf, expectRecordsAsDeclared, receive, request } from './support';

const SHARED_SECRET = 'segment-shared-secret-current';
const OLD_SHARED_SECRET = 'segment-shared-secret-previous';
const inbound = segment.inbound!;

function settings(overrides: Partial<SegmentSettings> = {}): SegmentSettings {
  return segment.settingsSchema.parse(overrides);
}

/** Signed as Segment's webhook destination does (hex HMAC-SHA1 of the body), independently of our code. */
function signed(message: object, secret = SHARED_SECRET) {
  const body = JSON.stringify(message);
  return request(body, { 'x-signature': createHmac('sha1', secret).update(body).digest('hex') });
}

function normalizeOne(message: object, overrides: Partial<SegmentSettings> = {}) {
  const { results } = receive(segment, signed(message), context(settings(overrides), [{ sharedSecret: SHARED_SECRET }]));
  return results[0];
}

const orderCompleted = {
  type: 'track',
  event: 'Order Completed',
  messageId: 'ajs-next-1718450000000-abc',
  userId: 'user_42',
  anonymousId: 'anon_9',
  timestamp: '2025-06-15T11:59:58.000Z',
  receivedAt: '2025-06-15T12:00:00.000Z',
  context: { traits: { email: 'ada@example.com' }, library: { name: 'analytics.js' } },
  properties: { order_id: 'ord_1001', total: 27.5, revenue: 25, currency: 'eur', click_id: 'clk_seg', quantity: 2 },
};

describe('segment verify', () => {
  const ctx = context(settings(), [{ sharedSecret: SHARED_SECRET }]);

  it('accepts the HMAC-SHA1 of the body and refuses a wrong or missing one', () => {
    expect(inbound.verify(signed(orderCompleted), ctx)).toEqual({ ok: true });
    expect(inbound.verify(signed(orderCompleted, 'other'), ctx)).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(inbound.verify(request('{}', {}), ctx)).toMatchObject({ ok: false, reason: 'missing_signature' });
  });

  it('accepts the previous secret during its grace period', () => {
    const rotated = context(settings(), [{ sharedSecret: SHARED_SECRET }, { sharedSecret: OLD_SHARED_SECRET }]);
    expect(inbound.verify(signed(orderCompleted, OLD_SHARED_SECRET), rotated)).toEqual({ ok: true });
  });
});

describe('segment parse', () => {
  it('keys by messageId, typed by the call type', () => {
    expect(inbound.parse(signed(orderCompleted))).toEqual([
      { dedupKey: orderCompleted.messageId, type: 'track', payload: orderCompleted },
    ]);
  });

  it('checks only the envelope, so a message with odd properties is still accepted', () => {
    const odd = { ...orderCompleted, properties: { currency: 'dollars', revenue: 'lots' } };
    expect(inbound.parse(signed(odd))).toHaveLength(1);
    const result = normalizeOne(odd);
    expect(result.status === 'ignored' && result.reason).toMatch(/^malformed payload: .*properties\.(revenue|currency)/);
  });

  it('throws MalformedPayloadError for a body without messageId or type', () => {
    expect(() => inbound.parse(request(JSON.stringify({ type: 'track' }), {}))).toThrow(MalformedPayloadError);
    expect(() => inbound.parse(request('nope', {}))).toThrow(MalformedPayloadError);
  });
});

describe('segment normalize', () => {
  it('records for each call type what the catalog says it does', () => {
    const signedUp = { ...orderCompleted, event: 'Signed Up', messageId: 'msg-signed-up', properties: {} };
    expectRecordsAsDeclared(segment, {
      track: [normalizeOne(orderCompleted), normalizeOne(signedUp)],
      identify: [normalizeOne({ type: 'identify', messageId: 'msg-identify-0', userId: 'user_42', timestamp: orderCompleted.timestamp })],
    });
  });

  it('records a mapped track call as a sale of its revenue, keyed by order_id', () => {
    expect(conversionOf(normalizeOne(orderCompleted))).toEqual({
      type: 'sale',
      eventName: 'Order Completed',
      externalId: 'ord_1001',
      customer: { externalId: 'user_42', email: 'ada@example.com' },
      amountMinor: 2500,
      currency: 'EUR',
      quantity: 2,
      occurredAt: '2025-06-15T11:59:58.000Z',
      clickId: 'clk_seg',
    });
  });

  it('falls back to total, USD and the messageId; KWD keeps three decimals', () => {
    const bare = { ...orderCompleted, properties: { total: '12.345', currency: 'KWD' } };
    expect(conversionOf(normalizeOne(bare))).toMatchObject({
      externalId: orderCompleted.messageId,
      amountMinor: 12345,
      currency: 'KWD',
    });
    const dollars = { ...orderCompleted, properties: { revenue: 19.99 } };
    expect(conversionOf(normalizeOne(dollars))).toMatchObject({ amountMinor: 1999, currency: 'USD' });
    expect(normalizeOne({ ...orderCompleted, properties: {} })).toEqual({ status: 'ignored', reason: 'sale "Order Completed" has no amount' });
    // A refund sent as a negative "Order Completed" is not a sale (Segment's spec has "Order Refunded" for it).
    expect(normalizeOne({ ...orderCompleted, properties: { revenue: -25, currency: 'EUR' } })).toMatchObject({ status: 'ignored', reason: expect.stringContaining('never negative') });
  });

  it('records a lead under a custom mapping and event name, for the anonymous id when there is no user', () => {
    const signup = { ...orderCompleted, event: 'Account Created', userId: null, properties: { email: 'bob@example.com' }, context: {} };
    const mapping = { 'Account Created': { type: 'lead' as const, eventName: 'Sign up' } };
    expect(conversionOf(normalizeOne(signup, { eventMapping: mapping }))).toEqual({
      type: 'lead',
      eventName: 'Sign up',
      externalId: orderCompleted.messageId,
      customer: { externalId: 'anon_9', email: 'bob@example.com' },
      occurredAt: '2025-06-15T11:59:58.000Z',
    });
  });

  it('records identify calls as customers', () => {
    const identify = {
      type: 'identify',
      messageId: 'msg-identify-1',
      userId: 'user_42',
      traits: { email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' },
      timestamp: '2025-06-15T11:59:58.000Z',
    };
    expect(effectsOf(normalizeOne(identify))).toEqual([
      { kind: 'customer', customer: { externalId: 'user_42', email: 'ada@example.com', name: 'Ada Lovelace' } },
    ]);
  });

  it('ignores unmapped events and other call types', () => {
    expect(normalizeOne({ ...orderCompleted, event: 'Product Viewed' })).toEqual({
      status: 'ignored',
      reason: 'no eventMapping entry for "Product Viewed"',
    });
    expect(normalizeOne({ ...orderCompleted, event: 'constructor' })).toMatchObject({ status: 'ignored' });
    expect(normalizeOne({ type: 'page', messageId: 'msg-page', userId: 'u' })).toEqual({
      status: 'ignored',
      reason: 'unhandled event type page',
    });
  });
});
