import { canDeliver } from '../../../providers';
import { segment } from '../../../providers/segment';
import { segmentCall } from '../../../providers/segment/deliver';
import { segmentSettingsSchema } from '../../../providers/segment/schema';
import { channelFor, formatMoney, slackMessage } from '../../../providers/slack/message';
import { slackSettingsSchema } from '../../../providers/slack/schema';
import type { OutboundEnvelope } from '../../../contract/workspace-events';

const sale = (amountMinor: number, currency: string, name = 'Ada Buyer'): OutboundEnvelope => ({
  id: 'evt_1',
  type: 'sale.created',
  createdAt: '2026-03-01T10:00:00.000Z',
  workspaceId: 'ws_1',
  data: { conversion: { eventName: 'Purchase', amountMinor, currency, externalId: 'order_9', linkKey: 'spring' }, customer: { externalId: 'user_9', email: 'ada@example.com', name } },
});

describe('Slack messages', () => {
  it('formats amounts with the currency exponent', () => {
    expect(formatMoney(123450, 'USD')).toBe('$1,234.50');
    expect(formatMoney(5000, 'JPY')).toBe('¥5,000');
    expect(formatMoney(1250, 'KWD')).toBe('KWD\u00a01.250');
    expect(formatMoney(99, 'EUR')).toBe('€0.99');
  });

  it('routes by event type and amount, else to the default channel for its default events', () => {
    const settings = slackSettingsSchema.parse({
      channel: 'C0ALL',
      routes: [
        { events: ['sale.created'], channel: 'C0BIG', minAmountMinor: 100000, currency: 'USD' },
        { events: ['integration.paused'], channel: 'C0OPS' },
      ],
    });
    expect(channelFor(sale(150000, 'USD'), settings)).toBe('C0BIG');
    expect(channelFor(sale(150000, 'EUR'), settings)).toBe('C0ALL');
    expect(channelFor(sale(500, 'USD'), settings)).toBe('C0ALL');
    expect(channelFor({ type: 'integration.paused', data: {} }, settings)).toBe('C0OPS');
    expect(channelFor({ type: 'customer.created', data: {} }, settings)).toBeUndefined();
    expect(channelFor(sale(500, 'USD'), slackSettingsSchema.parse({}))).toBeUndefined();
  });

  it('escapes what customers typed', () => {
    const message = slackMessage(sale(100, 'USD', '<!channel> & co'));
    expect(JSON.stringify(message.blocks)).toContain('&lt;!channel&gt; &amp; co');
    expect(JSON.stringify(message.blocks)).not.toContain('<!channel>');
    expect(message.text).toBe(':moneybag: New sale $1.00');
  });

  it('says what a sale was before its amount changed', () => {
    const updated: OutboundEnvelope = { ...sale(650000, 'JPY'), type: 'sale.updated' };
    updated.data = { ...updated.data, previous: { amountMinor: 500000, currency: 'JPY' } };
    expect(slackMessage(updated).text).toBe(':pencil2: Sale updated ¥650,000 (was ¥500,000)');
    expect(slackMessage({ ...updated, data: { conversion: { amountMinor: 1250, currency: 'KWD' } } }).text).toBe(':pencil2: Sale updated KWD\u00a01.250');
  });
});

describe('Segment calls', () => {
  const settings = segmentSettingsSchema.parse({});

  it('tracks a sale as "Order Completed" with revenue in major units and our event id as messageId', () => {
    expect(segmentCall(sale(4999, 'USD'), settings)).toEqual({
      method: 'track',
      body: expect.objectContaining({
        event: 'Order Completed',
        userId: 'user_9',
        messageId: 'evt_1',
        timestamp: '2026-03-01T10:00:00.000Z',
        properties: { revenue: 49.99, currency: 'USD', order_id: 'order_9', event_name: 'Purchase', link_key: 'spring' },
      }),
    });
  });

  it('tracks a refund as the spec’s "Order Refunded": the refunded order’s id and `total`, never `revenue`', () => {
    const refund: OutboundEnvelope = {
      ...sale(1999, 'USD'),
      id: 'evt_2',
      type: 'refund.created',
      data: { conversion: { eventName: 'Refund', amountMinor: 1999, currency: 'USD', externalId: 'refund_3', refundsExternalId: 'order_9', provider: 'shopify' }, customer: null },
    };
    const call = segmentCall(refund, settings);
    expect(call).toMatchObject({ method: 'track', body: { event: 'Order Refunded', messageId: 'evt_2', properties: { order_id: 'order_9', total: 19.99, currency: 'USD', source: 'shopify' } } });
    expect(call.body.properties).not.toHaveProperty('revenue');
    // Stored settings from before refunds had a spec name still get it; an explicit name wins.
    const older = segmentSettingsSchema.parse({ outboundEventNames: { 'sale.created': 'Order Completed' } });
    expect(segmentCall(refund, older).body.event).toBe('Order Refunded');
    expect(segmentCall(refund, segmentSettingsSchema.parse({ outboundEventNames: { 'refund.created': 'Refund Issued' } })).body.event).toBe('Refund Issued');
  });

  it('is a destination only with a write key (a shared secret alone only receives)', () => {
    expect(canDeliver(segment, {}, { sharedSecret: 's' })).toBe(false);
    expect(canDeliver(segment, {}, { sharedSecret: 's', writeKey: 'w' })).toBe(true);
  });

  it('identifies new customers and falls back to an anonymous id without one', () => {
    const customer: OutboundEnvelope = { ...sale(0, 'USD'), type: 'customer.created', data: { customer: { externalId: 'u1', email: 'u1@example.com', name: 'U One' } } };
    expect(segmentCall(customer, settings)).toMatchObject({ method: 'identify', body: { userId: 'u1', traits: { email: 'u1@example.com', name: 'U One' } } });
    const click: OutboundEnvelope = { ...sale(0, 'USD'), type: 'link.clicked', data: { click: { id: 'clk_1', url: 'https://lnq.sh/x' } } };
    expect(segmentCall(click, settings).body).toMatchObject({ anonymousId: 'clk_1', event: 'link.clicked', properties: { click_id: 'clk_1', url: 'https://lnq.sh/x' } });
  });
});
