import Stripe from 'stripe';
import { Webhook } from 'standardwebhooks';
import { getProvider } from '../../../providers';
import type { NormalizeResult, ProviderModule } from '../../../providers/types';
import { context, effectsOf, NOW_MS, receive, request } from './support';

/** The sample's one conversion, with the amount its batch reports for it when the conversion itself carries none (HubSpot). */
function recorded(results: NormalizeResult[]) {
  const effects = results.flatMap(effectsOf);
  const conversions = effects.flatMap((effect) => (effect.kind === 'conversion' ? [effect.conversion] : []));
  expect(conversions).toHaveLength(1);
  const [conversion] = conversions;
  const reported = effects.flatMap((effect) => (effect.kind === 'amount' && effect.amount.externalId === conversion.externalId ? [effect.amount] : []));
  if (conversion.amountMinor !== undefined || reported.length === 0) return conversion;
  return { ...conversion, amountMinor: reported.at(-1)!.amountMinor, currency: reported.at(-1)!.currency };
}

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
    const { results } = receive(provider, request(sample.body, sample.headers, URL), context(settings, [secrets]));
    expect(recorded(results)).toMatchObject(sample.expected);
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

  it('hubspot: the stage change carries no amount, as HubSpot sends it; the amount change in the same batch does', () => {
    const provider = getProvider('hubspot') as ProviderModule;
    const sample = provider.sampleEvent!({ settings: provider.settingsSchema.parse({ currency: 'KWD' }), secrets: { clientSecret: 's' }, url: URL, nowMs: NOW_MS, runId: RUN });
    const [stage, amount] = JSON.parse(sample.body);
    expect(Object.keys(stage).sort()).toEqual(['appId', 'attemptNumber', 'changeSource', 'eventId', 'objectId', 'occurredAt', 'portalId', 'propertyName', 'propertyValue', 'subscriptionId', 'subscriptionType']);
    expect(stage).toMatchObject({ subscriptionType: 'deal.propertyChange', propertyName: 'dealstage', propertyValue: 'closedwon' });
    expect(amount).toMatchObject({ objectId: stage.objectId, propertyName: 'amount', propertyValue: '49.99' });
    expect(sample.expected).toEqual({ type: 'sale', eventName: 'Closed won', amountMinor: 49990, currency: 'KWD' });
  });

  it('says what is missing when it cannot sign', () => {
    const provider = getProvider('hubspot') as ProviderModule;
    expect(() => provider.sampleEvent!({ settings: provider.settingsSchema.parse({}), secrets: {}, url: URL, nowMs: NOW_MS, runId: RUN })).toThrow(/no signing secret/);
    const segment = getProvider('segment') as ProviderModule;
    expect(() => segment.sampleEvent!({ settings: segment.settingsSchema.parse({ eventMapping: {} }), secrets: { sharedSecret: 's' }, url: URL, nowMs: NOW_MS, runId: RUN })).toThrow(/eventMapping is empty/);
  });
});
