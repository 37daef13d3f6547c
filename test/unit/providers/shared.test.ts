import { Webhook } from 'standardwebhooks';
import { attributionFrom } from '../../../providers/shared/attribution';
import { constantTimeEqual as safeEqual } from '../../../lib/crypto';
import { randomSecret } from '../../../providers/shared/crypto';
import { signStandardWebhook, verifyStandardWebhook } from '../../../providers/shared/standard-webhooks';
import { checkTimestamp, secretValues } from '../../../providers/shared/verify';
import { NOW_MS, request } from './support';

describe('safeEqual', () => {
  it('compares by value and treats unequal lengths as unequal without throwing', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', 'a')).toBe(false);
  });
});

describe('checkTimestamp', () => {
  it('allows the tolerance both ways and names the side it was exceeded on', () => {
    expect(checkTimestamp(NOW_MS - 1000, NOW_MS, 1000)).toEqual({ ok: true });
    expect(checkTimestamp(NOW_MS + 1000, NOW_MS, 1000)).toEqual({ ok: true });
    expect(checkTimestamp(NOW_MS - 1001, NOW_MS, 1000)).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(checkTimestamp(NOW_MS + 1001, NOW_MS, 1000)).toEqual({ ok: false, reason: 'future_timestamp' });
  });
});

describe('secretValues', () => {
  it('lists the configured values of the fields, current secrets first', () => {
    const secrets = [{ a: 'new', b: '' }, { a: 'old', b: 'old-b' }, {}] as Array<{ a?: string; b?: string }>;
    expect(secretValues(secrets, 'a', 'b')).toEqual(['new', 'old', 'old-b']);
  });
});

describe('standard webhooks', () => {
  const secret = randomSecret('whsec_');
  const body = JSON.stringify({ type: 'sale.created', data: { amountMinor: 4999 } });

  it('issues whsec_ secrets of 24 random bytes', () => {
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(randomSecret('whsec_')).not.toBe(secret);
  });

  it('signs exactly as the official library', () => {
    const at = new Date(NOW_MS);
    expect(signStandardWebhook(secret, 'msg_1', NOW_MS / 1000, body)).toBe(new Webhook(secret).sign('msg_1', at, body));
  });

  it('produces signatures the official library verifies', () => {
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      'webhook-id': 'msg_2',
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signStandardWebhook(secret, 'msg_2', timestamp, body),
    };
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('verifies any of several space-separated signatures and ignores unknown versions', () => {
    const official = new Webhook(secret).sign('msg_3', new Date(NOW_MS), body);
    const headers = {
      'webhook-id': 'msg_3',
      'webhook-timestamp': String(NOW_MS / 1000),
      'webhook-signature': `v1a,ignored v1,bm90LWl0 ${official}`,
    };
    expect(verifyStandardWebhook(request(body, headers), [secret], NOW_MS)).toEqual({ ok: true });
    const garbled = { ...headers, 'webhook-timestamp': 'yesterday' };
    expect(verifyStandardWebhook(request(body, garbled), [secret], NOW_MS)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });
});

describe('attributionFrom', () => {
  it('finds click ids and link keys under their known names, earlier sources first', () => {
    expect(attributionFrom({ dub_id: 'clk_1', link_key: 'promo' })).toEqual({ clickId: 'clk_1', linkKey: 'promo' });
    expect(attributionFrom(null, { click_id: '  ' }, { clickId: 'clk_2' }, { clickId: 'clk_3', linkKey: 'k' })).toEqual({
      clickId: 'clk_2',
      linkKey: 'k',
    });
    expect(attributionFrom({ clickId: 42, other: 'x' })).toEqual({});
  });
});
