import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { z } from 'zod';
import { getProvider, providers, readOnlySettings } from '../../../providers';
import { WORKSPACE_EVENT_TYPES } from '../../../contract/workspace-events';

/** The smallest settings each provider accepts; everything else has a default. */
const MINIMAL_SETTINGS: Record<string, unknown> = { shopify: { shopDomain: 'demo.myshopify.com' } };

describe('provider catalog', () => {
  it('lists each provider once, reachable by id', () => {
    const ids = providers.map((provider) => provider.id);
    expect(ids).toEqual(['stripe', 'hubspot', 'shopify', 'slack', 'segment', 'zapier', 'webhook']);
    for (const provider of providers) expect(getProvider(provider.id)).toBe(provider);
    expect(getProvider('nope')).toBeUndefined();
  });

  it('declares capabilities that match what the module implements', () => {
    const capabilities = Object.fromEntries(providers.map((p) => [p.id, p.capabilities]));
    expect(capabilities).toEqual({
      stripe: { inbound: true, outbound: false },
      hubspot: { inbound: true, outbound: false },
      shopify: { inbound: true, outbound: false },
      slack: { inbound: false, outbound: true },
      segment: { inbound: true, outbound: true },
      zapier: { inbound: true, outbound: true },
      webhook: { inbound: true, outbound: true },
    });
    for (const provider of providers) {
      expect(Boolean(provider.inbound)).toBe(provider.capabilities.inbound);
      if (!provider.capabilities.outbound) expect(provider.outboundTriggerEvents).toEqual([]);
      else expect(provider.outboundTriggerEvents.length).toBeGreaterThan(0);
      for (const type of provider.outboundTriggerEvents) expect(WORKSPACE_EVENT_TYPES).toContain(type);
    }
  });

  it.each(providers.map((p) => [p.id, p] as const))('%s settings and secrets have defaults and a JSON schema', (id, provider) => {
    expect(() => z.toJSONSchema(provider.settingsSchema)).not.toThrow();
    expect(() => z.toJSONSchema(provider.secretsSchema)).not.toThrow();
    expect(z.toJSONSchema(provider.settingsSchema, { io: 'input' })).toMatchObject({ type: 'object', additionalProperties: false });
    expect(provider.settingsSchema.safeParse(MINIMAL_SETTINGS[id] ?? {}).success).toBe(true);
    expect(provider.secretsSchema.parse({})).toEqual({});
    expect(provider.isAuthorized({})).toBe(false);
    expect(provider.settingsSchema.safeParse({ ...(MINIMAL_SETTINGS[id] as object), unknownSetting: 1 }).success).toBe(false);
  });

  it.each(providers.map((p) => [p.id, p] as const))('%s gives every setting and secret a title and a one-line description for its form', (_id, provider) => {
    for (const schema of [provider.settingsSchema, provider.secretsSchema]) {
      const properties = (z.toJSONSchema(schema, { io: 'input' }) as { properties: Record<string, { title?: string; description?: string }> }).properties;
      for (const [name, property] of Object.entries(properties)) {
        expect({ name, title: typeof property.title, description: property.description?.includes('\n') }).toEqual({ name, title: 'string', description: false });
        expect(property.description).toEqual(expect.any(String));
      }
    }
  });

  it('never has a form refuse settings the server accepts (the UI validates against the served JSON Schema first)', () => {
    const samples: Array<[string, Record<string, unknown>]> = [
      ['shopify', { shopDomain: ' Demo.MyShopify.com ' }],
      ['shopify', { shopDomain: 'demo.myshopify.com' }],
      ['shopify', { shopDomain: 'demo.example.com' }],
      ['stripe', { accountId: 'acct_1' }],
      ['stripe', { accountId: 'not-an-account' }],
      ['webhook', { targetUrl: 'https://example.com/hook', tokenHeader: ' X-Token ' }],
      ['slack', { channel: ' #sales ', routes: [{ events: ['sale.created'], channel: '#big', minAmountMinor: 10000 }] }],
      ['hubspot', { currency: 'EUR', leadTriggerEvent: 'lifecycleStageReached' }],
    ];
    // As @rjsf/validator-ajv8 sets up Ajv for the UI's forms (it loads as ESM only, so not here).
    const ajv = addFormats(new Ajv({ allErrors: true, strict: false }));
    const verdicts = samples.map(([id, settings]) => {
      const provider = getProvider(id)!;
      const schema = z.toJSONSchema(provider.settingsSchema, { io: 'input' });
      delete schema.$schema;
      return { id, settings, form: ajv.validate(schema, settings), server: provider.settingsSchema.safeParse(settings).success };
    });
    expect(verdicts.filter((verdict) => verdict.server && !verdict.form)).toEqual([]);
    // …and the form catches what the schema can say before a request is made.
    expect(verdicts.filter((verdict) => !verdict.form).map((verdict) => verdict.settings)).toEqual([{ shopDomain: 'demo.example.com' }, { accountId: 'not-an-account' }]);
  });

  it('fills in the documented defaults', () => {
    expect(getProvider('stripe')!.settingsSchema.parse({})).toEqual({
      mode: 'live',
      syncConversions: true,
      syncLifecycle: true,
      trackFreeTrials: true,
      trackSeats: false,
    });
    expect(getProvider('hubspot')!.settingsSchema.parse({})).toEqual({
      leadTriggerEvent: 'dealCreated',
      leadLifecycleStage: 'marketingqualifiedlead',
      closedWonStageId: 'closedwon',
      currency: 'USD',
    });
    expect(getProvider('shopify')!.settingsSchema.parse({ shopDomain: 'Demo.myshopify.com' })).toEqual({
      shopDomain: 'demo.myshopify.com',
      syncOrders: true,
      syncRefunds: true,
      syncCustomers: true,
    });
    expect(getProvider('shopify')!.settingsSchema.safeParse({}).success).toBe(false);
    expect(getProvider('slack')!.settingsSchema.parse({})).toMatchObject({ routes: [] });
    const mapping = { 'Order Completed': { type: 'sale' }, 'Signed Up': { type: 'lead' } };
    expect(getProvider('segment')!.settingsSchema.parse({})).toEqual({
      eventMapping: mapping,
      outboundEventNames: { 'sale.created': 'Order Completed', 'refund.created': 'Order Refunded', 'lead.created': 'Signed Up' },
      outboundEvents: ['lead.created', 'sale.created'],
    });
    for (const id of ['webhook', 'zapier']) {
      expect(getProvider(id)!.settingsSchema.parse({})).toEqual({
        triggerEvents: ['lead.created', 'sale.created'],
        inboundAuth: 'standard-webhooks',
        tokenHeader: 'authorization',
        eventMapping: mapping,
      });
    }
  });

  it('refuses settings outside the workspace event types and malformed secrets', () => {
    expect(getProvider('slack')!.settingsSchema.safeParse({ routes: [{ events: ['sale.made'], channel: '#sales' }] }).success).toBe(false);
    expect(getProvider('webhook')!.settingsSchema.safeParse({ targetUrl: 'ftp://example.com' }).success).toBe(false);
    expect(getProvider('stripe')!.secretsSchema.safeParse({ webhookSecret: 'secret' }).success).toBe(false);
    expect(getProvider('slack')!.secretsSchema.safeParse({ botToken: 'xoxp-user-token' }).success).toBe(false);
  });

  it('is authorized once the secrets it needs to work are present', () => {
    const authorized = (id: string, secrets: object) => getProvider(id)!.isAuthorized(secrets);
    expect(authorized('stripe', { webhookSecret: 'whsec_x' })).toBe(true);
    expect(authorized('stripe', { testWebhookSecret: 'whsec_x' })).toBe(true);
    expect(authorized('stripe', { apiKey: 'sk_test_x' })).toBe(false);
    expect(authorized('hubspot', { clientSecret: 's' })).toBe(true);
    expect(authorized('shopify', { webhookSecret: 's' })).toBe(true);
    expect(authorized('slack', { botToken: 'xoxb-1' })).toBe(true);
    expect(authorized('segment', { writeKey: 'wk' })).toBe(true);
    expect(authorized('webhook', { token: 't' })).toBe(true);
    expect(authorized('zapier', { signingSecret: 'whsec_x' })).toBe(true);
  });

  it('names the account it is installed on', () => {
    expect(getProvider('stripe')!.externalAccountId!({ accountId: 'acct_1' })).toBe('acct_1');
    expect(getProvider('shopify')!.externalAccountId!({ shopDomain: 'demo.myshopify.com' })).toBe('demo.myshopify.com');
    expect(getProvider('hubspot')!.externalAccountId!({ portalId: '62515' })).toBe('62515');
    expect(getProvider('slack')!.externalAccountId!({ teamId: 'T024BE7LD' })).toBe('T024BE7LD');
    expect(getProvider('hubspot')!.externalAccountId!({})).toBeNull();
  });

  it('marks read-only the settings only the install flow sets (Slack’s team), and serves them as readOnly', () => {
    expect(Object.fromEntries(providers.map((p) => [p.id, readOnlySettings(p)]))).toEqual({ stripe: [], hubspot: [], shopify: [], slack: ['teamId', 'teamName'], segment: [], zapier: [], webhook: [] });
    expect(z.toJSONSchema(getProvider('slack')!.settingsSchema, { io: 'input' })).toMatchObject({ properties: { teamId: { readOnly: true }, teamName: { readOnly: true } } });
  });

  it('generates the secrets we issue and leaves provider-issued ones to the caller', () => {
    const rotation = Object.fromEntries(providers.map((p) => [p.id, p.rotation]));
    for (const id of ['webhook', 'zapier']) {
      const secret = rotation[id]!.generate!();
      expect(secret).toMatch(/^whsec_/);
      expect(getProvider(id)!.secretsSchema.safeParse({ [rotation[id]!.field]: secret }).success).toBe(true);
    }
    const segmentSecret = rotation.segment!.generate!();
    expect(getProvider('segment')!.secretsSchema.parse({ sharedSecret: segmentSecret })).toEqual({ sharedSecret: segmentSecret });
    expect(rotation.stripe).toEqual({ field: 'webhookSecret' });
    expect(rotation.shopify).toEqual({ field: 'webhookSecret' });
    expect(rotation.hubspot).toEqual({ field: 'clientSecret' });
    expect(rotation.slack).toBeUndefined();
  });
});
