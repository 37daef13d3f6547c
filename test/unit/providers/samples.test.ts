import Stripe from 'stripe';
import { Webhook } from 'standardwebhooks';
import { getProvider } from '../../../providers';
import type { ProviderModule } from '../../../providers/types';
import { context, conversionOf, NOW_MS, receive, request } from './support';

const URL = 'https://hooks.linquid.test/webhooks/x/int_1';
const RUN = '0123456789abcdef';

/** Each provider's test-run sample must pass its own verification and normalize into what it promises. */
describe('sample events for POST /v1/integrations/:id/test', () => {
  const cases: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
    ['stripe', { mode: 'test' }, { testWebhookSecret: 'whsec_sample' }],
    ['stripe', { mode: 'live', accountId: 'acct_1Sample' }, { webhookSecret: 'whsec_live_sample' }],
    ['hubspot', { portalId: '99', currency: 'JPY' }, { clientSecret: 'hubspot-secret' }],
    ['shopify', { shopDomain: 'acme.myshopify.com' }, { webhookSecret: 'shopify-secret' }],
    ['segment', { eventMapping: { 'Trial Started': { type: 'lead' } } }, { sharedSecret: 'segment-secret' }],
    ['webhook', {}, { signingSecret: 'whsec_c2FtcGxlLXNpZ25pbmc=' }],
    ['zapier', { inboundAuth: 'token' }, { token: 'zapier-token-0123456789' }],
  ];

  it.each(cases)('%s: verified, parsed and normalized into the expected conversion', (id, rawSettings, secrets) => {
    const provider = getProvider(id) as ProviderModule;
    const settings = provider.settingsSchema.parse(rawSettings);
    const sample = provider.sampleEvent!({ settings, secrets, url: URL, nowMs: NOW_MS, runId: RUN });
    const { events, results } = receive(provider, request(sample.body, sample.headers, URL), context(settings, [secrets]));
    expect(events).toHaveLength(1);
    expect(conversionOf(results[0])).toMatchObject(sample.expected);
  });

  it('stripe: signed the way the official library verifies', () => {
    const provider = getProvider('stripe') as ProviderModule;
    const sample = provider.sampleEvent!({ settings: provider.settingsSchema.parse({ mode: 'test' }), secrets: { webhookSecret: 'whsec_official' }, url: URL, nowMs: Date.now(), runId: RUN });
    const event = new Stripe('sk_test_unused').webhooks.constructEvent(sample.body, sample.headers['stripe-signature'], 'whsec_official');
    expect(event).toMatchObject({ id: `evt_test_${RUN}`, type: 'checkout.session.completed', livemode: false });
  });

  it('webhook: signed the way the Standard Webhooks library verifies', () => {
    const provider = getProvider('webhook') as ProviderModule;
    const secret = 'whsec_c2FtcGxlLXNpZ25pbmc=';
    const sample = provider.sampleEvent!({ settings: provider.settingsSchema.parse({}), secrets: { signingSecret: secret }, url: URL, nowMs: Date.now(), runId: RUN });
    expect(new Webhook(secret).verify(sample.body, sample.headers)).toMatchObject({ type: 'Order Completed' });
  });

  it('says what is missing when it cannot sign', () => {
    const provider = getProvider('hubspot') as ProviderModule;
    expect(() => provider.sampleEvent!({ settings: provider.settingsSchema.parse({}), secrets: {}, url: URL, nowMs: NOW_MS, runId: RUN })).toThrow(/no signing secret/);
    const segment = getProvider('segment') as ProviderModule;
    expect(() => segment.sampleEvent!({ settings: segment.settingsSchema.parse({ eventMapping: {} }), secrets: { sharedSecret: 's' }, url: URL, nowMs: NOW_MS, runId: RUN })).toThrow(/eventMapping is empty/);
  });
});
