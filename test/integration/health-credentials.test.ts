import { integrationWorkflowId } from '../../contract/search-attributes';
import { bearer, type FakeProviderApi } from '../support/fakes/fake-provider-api';
import { type FakeHubspotApi, PIPELINES_PATH, startFakeHubspotApi } from '../support/fakes/fake-hubspot-api';
import { SHOP_PATH, startFakeShopifyApi } from '../support/fakes/fake-shopify-api';
import { withAuthTest } from '../support/fakes/fake-slack-auth';
import { startFakeStripeApi } from '../support/fakes/fake-stripe-api';
import { type FakeSlack, SLACK_BOT_TOKEN, startFakeSlack } from '../support/fakes/slack';
import { type Harness, startHarness, waitFor } from '../support/harness';
import { scrape } from '../support/metrics';

const STRIPE_KEY = 'sk_test_health_first_key_0001';
const STRIPE_NEW_KEY = 'sk_test_health_second_key_0002';
const HUBSPOT_TOKEN = 'hubspot-health-token-0001';
const SHOPIFY_TOKEN = 'shpat_health_token_0001';

/** Periodic credential checks (every 300 ms here), re-authorization and settings validation against local provider APIs. */
describe('integration health: credential and settings checks against the provider', () => {
  let h: Harness;
  let key: string;
  let stripe: FakeProviderApi;
  let hubspot: FakeHubspotApi;
  let shopify: FakeProviderApi;
  let slack: FakeSlack;
  const slackTokens = new Set([SLACK_BOT_TOKEN]);

  const api = (method: string, path: string, body?: unknown) => h.api(method, path, { key, body });
  const integration = async (id: string) => (await api('GET', `/v1/integrations/${id}`)).body;
  const install = async (provider: string, settings: Record<string, unknown>, secrets: Record<string, unknown>) => {
    const response = await api('POST', '/v1/integrations', { provider, settings, secrets });
    expect(response.status).toBe(201);
    expect(response.body.state).toBe('active');
    return response.body.id as string;
  };
  const storedSecrets = async (id: string) => {
    const row = await h.db.selectFrom('integrations').select('secrets_sealed').where('id', '=', id).executeTakeFirstOrThrow();
    return h.box.open<Record<string, string>>(row.secrets_sealed!);
  };
  const failTransitions = (id: string) =>
    h.db.selectFrom('integration_transitions').selectAll().where('integration_id', '=', id).where('action', '=', 'fail').execute();

  beforeAll(async () => {
    [stripe, hubspot, shopify, slack] = await Promise.all([
      startFakeStripeApi([STRIPE_KEY]),
      startFakeHubspotApi([HUBSPOT_TOKEN]),
      startFakeShopifyApi([SHOPIFY_TOKEN]),
      startFakeSlack(),
    ]);
    withAuthTest(slack, slackTokens);
    h = await startHarness({
      CREDENTIAL_CHECK_INTERVAL_MS: '300',
      STRIPE_API_URL: stripe.url,
      HUBSPOT_API_URL: hubspot.url,
      SHOPIFY_API_URL: shopify.url,
      SLACK_API_URL: slack.apiUrl,
    });
    key = (await h.newWorkspace('Health checks')).key;
  });
  afterAll(async () => {
    await h.stop();
    await Promise.all([stripe, hubspot, shopify, slack].map((fake) => fake.close()));
  });

  const revocations: Array<[string, () => Promise<string>, () => number, () => void]> = [
    [
      'Stripe (accounts.retrieve)',
      () => install('stripe', { mode: 'test', accountId: 'acct_1Revoked' }, { webhookSecret: 'whsec_health_stripe', apiKey: STRIPE_KEY }),
      () => stripe.calls('/v1/accounts/acct_1Revoked').length,
      () => stripe.tokens.delete(STRIPE_KEY),
    ],
    [
      'HubSpot (deal pipelines read)',
      () => install('hubspot', {}, { clientSecret: 'hubspot-client-secret', accessToken: HUBSPOT_TOKEN }),
      () => hubspot.calls(PIPELINES_PATH).length,
      () => hubspot.tokens.delete(HUBSPOT_TOKEN),
    ],
    [
      'Shopify (shop read)',
      () => install('shopify', { shopDomain: 'acme.myshopify.com' }, { webhookSecret: 'shopify-app-secret', accessToken: SHOPIFY_TOKEN }),
      () => shopify.calls(SHOP_PATH).length,
      () => shopify.tokens.delete(SHOPIFY_TOKEN),
    ],
    [
      'Slack (auth.test)',
      () => install('slack', { channel: '#sales' }, { botToken: SLACK_BOT_TOKEN }),
      () => slack.requests.filter((request) => request.path.startsWith('/api/auth.test')).length,
      () => slackTokens.delete(SLACK_BOT_TOKEN),
    ],
  ];

  let stripeId: string;
  it.each(revocations)('moves an active %s integration to error with credentials_expired once its API answers 401', async (_name, installIt, checks, revoke) => {
    const id = await installIt();
    // Checks run and pass while the token works: the integration stays active through several of them.
    await waitFor(() => checks() >= 2, 'two passing credential checks');
    expect((await integration(id)).state).toBe('active');

    revoke();
    const failed = await waitFor(async () => {
      const current = await integration(id);
      return current.state === 'error' && current;
    }, 'the integration in error');
    expect(failed.lastStateChange.reason).toMatch(/^credentials_expired: /);
    expect(failed.lastStateChange.by).toBe('system:credential-check');
    expect(failed.health.status).toBe('failing');
    expect(failed.health.reasons[0]).toMatch(/credentials_expired/);
    expect(await failTransitions(id)).toHaveLength(1);
    expect((await failTransitions(id))[0].reason_code).toBe('credentials_expired');
    if (_name.startsWith('Stripe')) stripeId = id;
  });

  it('re-authorizes only with credentials the provider accepts: 422 keeps the old state and secrets', async () => {
    const refused = await api('POST', `/v1/integrations/${stripeId}/reauthorize`, { secrets: { apiKey: 'sk_test_never_issued_0003' } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('credentials_rejected');
    const after = await integration(stripeId);
    expect(after.state).toBe('error');
    expect(after.lastStateChange.reason).toMatch(/^credentials_expired/);
    expect((await storedSecrets(stripeId)).apiKey).toBe(STRIPE_KEY);

    stripe.tokens.add(STRIPE_NEW_KEY);
    const accepted = await api('POST', `/v1/integrations/${stripeId}/reauthorize`, { secrets: { apiKey: STRIPE_NEW_KEY } });
    expect(accepted.status).toBe(200);
    expect(accepted.body.state).toBe('active');
    expect((await storedSecrets(stripeId)).apiKey).toBe(STRIPE_NEW_KEY);
    // The periodic check goes on with the new key, and it passes.
    const before = stripe.requests.length;
    await waitFor(() => stripe.requests.slice(before).some((request) => bearer(request) === STRIPE_NEW_KEY && request.status === 200), 'a check with the new key');
    expect((await integration(stripeId)).state).toBe('active');
  });

  it('leaves the integration as it is when the provider cannot be reached: retried, counted, re-authorization refused with 502', async () => {
    const unreachable = { provider: 'stripe', result: 'unreachable' };
    const before = (await scrape(h))('linquid_credential_checks_total', unreachable);
    stripe.down = true;
    try {
      // One check is three attempts (the activity's retry policy), each counted.
      await waitFor(async () => (await scrape(h))('linquid_credential_checks_total', unreachable) >= before + 3, 'three unreachable attempts counted');
      const refused = await api('POST', `/v1/integrations/${stripeId}/reauthorize`, { secrets: { apiKey: STRIPE_KEY } });
      expect(refused.status).toBe(502);
      expect(refused.body.error.code).toBe('provider_unreachable');
      expect((await storedSecrets(stripeId)).apiKey).toBe(STRIPE_NEW_KEY);
      expect((await integration(stripeId)).state).toBe('active');
      expect(await failTransitions(stripeId)).toHaveLength(1);
    } finally {
      stripe.down = false;
    }
  });

  it('validates settings against the account: 422 with the allowed values, and invalid_mapping when the account changes', async () => {
    const token = 'hubspot-mapping-token-0002';
    hubspot.tokens.add(token);
    const id = await install('hubspot', { closedWonStageId: 'closedwon' }, { clientSecret: 'hubspot-client-secret', accessToken: token });

    const patched = await api('PATCH', `/v1/integrations/${id}`, { settings: { closedWonStageId: 'closed_won_typo' } });
    expect(patched.status).toBe(422);
    expect(patched.body.error.issues).toEqual([
      { path: 'settings.closedWonStageId', message: expect.stringContaining('closed_won_typo'), allowed: ['appointmentscheduled', 'closedwon', 'closedlost'] },
    ]);
    expect((await integration(id)).settings.closedWonStageId).toBe('closedwon');

    // The account's pipeline is reconfigured under the integration: the periodic check finds the mapping invalid.
    hubspot.stages = ['appointmentscheduled', 'won_enterprise', 'closedlost'];
    const failed = await waitFor(async () => {
      const current = await integration(id);
      return current.state === 'error' && current;
    }, 'the integration in error');
    expect(failed.lastStateChange.reason).toMatch(/^invalid_mapping: settings\.closedWonStageId/);

    // Resuming with the stale mapping is refused; fixing it (validated) and resuming works.
    const stale = await api('POST', `/v1/integrations/${id}/resume`);
    expect(stale.status).toBe(422);
    expect(stale.body.error.issues[0].allowed).toEqual(['appointmentscheduled', 'won_enterprise', 'closedlost']);
    expect((await api('PATCH', `/v1/integrations/${id}`, { settings: { closedWonStageId: 'won_enterprise' } })).status).toBe(200);
    expect((await api('POST', `/v1/integrations/${id}/resume`)).body.state).toBe('active');
  });

  it('keeps checking across continue-as-new: the next check time is carried into the new run', async () => {
    const token = 'shpat_continue_as_new_0002';
    shopify.tokens.add(token);
    const id = await install('shopify', { shopDomain: 'acme.myshopify.com' }, { webhookSecret: 'shopify-app-secret', accessToken: token });
    const handle = h.temporal.workflow.getHandle(integrationWorkflowId(id));
    const firstRun = (await handle.describe()).runId;
    // Each check adds history events; the test server suggests continue-as-new after 150.
    await waitFor(async () => (await handle.describe()).runId !== firstRun, 'a new run of the workflow');
    const seen = shopify.requests.filter((request) => request.headers['x-shopify-access-token'] === token).length;
    await waitFor(() => shopify.requests.filter((request) => request.headers['x-shopify-access-token'] === token).length >= seen + 2, 'checks in the new run');
    shopify.tokens.delete(token);
    await waitFor(async () => (await integration(id)).state === 'error', 'the integration in error after continue-as-new');
  });
});
