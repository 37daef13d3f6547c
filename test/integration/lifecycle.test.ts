import { statusQuery } from '../../contract/definitions';
import { integrationWorkflowId } from '../../contract/search-attributes';
import type { FakeProviderApi } from '../support/fakes/fake-provider-api';
import { startFakeStripeApi } from '../support/fakes/fake-stripe-api';
import { type Harness, startHarness, waitFor } from '../support/harness';

const STRIPE_SECRET = 'whsec_lifecycle_secret_value_123456';
const STRIPE_KEY = 'sk_test_lifecycle_key_987654321';

describe('integration lifecycle through the HTTP API', () => {
  let h: Harness;
  let key: string;
  /** Every response body seen, to prove no secret ever leaves the service. */
  const seen: string[] = [];
  const api = async (method: string, path: string, body?: unknown, apiKey = key) => {
    const response = await h.api(method, path, { key: apiKey, body });
    seen.push(response.text);
    return response;
  };
  const audit = (id: string) =>
    h.db.selectFrom('integration_transitions').selectAll().where('integration_id', '=', id).orderBy('id').execute();
  const queried = (id: string) => h.temporal.workflow.getHandle(integrationWorkflowId(id)).query(statusQuery);
  const installStripe = async (secrets: Record<string, string> = {}) => {
    const response = await api('POST', '/v1/integrations', { provider: 'stripe', settings: { mode: 'test' }, secrets });
    expect(response.status).toBe(201);
    return response.body as { id: string; state: string };
  };

  // Credentials with an API key are checked with Stripe before they are saved.
  let stripeApi: FakeProviderApi;
  beforeAll(async () => {
    stripeApi = await startFakeStripeApi([STRIPE_KEY]);
    h = await startHarness({ STRIPE_API_URL: stripeApi.url });
    key = (await h.newWorkspace()).key;
  });
  afterAll(async () => {
    for (const text of seen) {
      expect(text).not.toContain(STRIPE_SECRET);
      expect(text).not.toContain(STRIPE_KEY);
    }
    await h.stop();
    await stripeApi.close();
  });

  it('walks pending → active ⇄ paused → disconnected, agreeing in the API, the workflow and the audit table', async () => {
    const installed = await installStripe();
    expect(installed.state).toBe('pending');
    expect((installed as any).installation.inboundWebhookUrl).toBe(`${h.url}/webhooks/stripe/${installed.id}`);
    expect(await queried(installed.id)).toMatchObject({ state: 'pending' });

    const connected = await api('POST', `/v1/integrations/${installed.id}/reauthorize`, { secrets: { webhookSecret: STRIPE_SECRET, apiKey: STRIPE_KEY } });
    expect(connected.status).toBe(200);
    expect(connected.body).toMatchObject({ state: 'active', secrets: { webhookSecret: expect.any(String), apiKey: expect.any(String) } });

    expect((await api('POST', `/v1/integrations/${installed.id}/pause`, { reason: 'holiday' })).body).toMatchObject({
      state: 'paused',
      lastStateChange: { reason: 'holiday' },
    });
    expect((await api('POST', `/v1/integrations/${installed.id}/resume`)).body.state).toBe('active');
    const patched = await api('PATCH', `/v1/integrations/${installed.id}`, { settings: { trackSeats: true } });
    expect(patched.status).toBe(200);
    expect(patched.body.settings).toMatchObject({ mode: 'test', trackSeats: true });
    expect(await queried(installed.id)).toMatchObject({ state: 'active' });

    const disconnected = await api('POST', `/v1/integrations/${installed.id}/disconnect`, { reason: 'no longer used' });
    expect(disconnected.body).toMatchObject({ state: 'disconnected', secrets: {} });
    const row = await h.db.selectFrom('integrations').selectAll().where('id', '=', installed.id).executeTakeFirstOrThrow();
    expect(row.secrets_sealed).toBeNull();
    const result = await h.temporal.workflow.getHandle(integrationWorkflowId(installed.id)).result();
    expect(result.state).toBe('disconnected');

    expect((await audit(installed.id)).map((t) => [t.action, t.from_state, t.to_state])).toEqual([
      ['install', 'none', 'pending'],
      ['reauthorize', 'pending', 'active'],
      ['pause', 'active', 'paused'],
      ['resume', 'paused', 'active'],
      ['updateSettings', 'active', 'active'],
      ['disconnect', 'active', 'disconnected'],
    ]);
    const transitions = await audit(installed.id);
    expect(transitions.every((t) => t.actor.startsWith('api:'))).toBe(true);
    expect(transitions.find((t) => t.action === 'pause')?.reason).toBe('holiday');
  });

  it('lists the audit trail newest first, paginated, settings changes and re-authorizations included', async () => {
    const { id } = await installStripe();
    expect((await api('POST', `/v1/integrations/${id}/reauthorize`, { secrets: { webhookSecret: STRIPE_SECRET, apiKey: STRIPE_KEY } })).status).toBe(200);
    await api('POST', `/v1/integrations/${id}/pause`, { reason: 'end of quarter' });
    await api('POST', `/v1/integrations/${id}/resume`);
    expect((await api('PATCH', `/v1/integrations/${id}`, { settings: { trackSeats: true, mode: 'test' } })).status).toBe(200);
    expect((await api('POST', `/v1/integrations/${id}/reauthorize`, { secrets: { webhookSecret: `${STRIPE_SECRET}_new` }, reason: 'signing secret rolled' })).status).toBe(200);

    const listed = await api('GET', `/v1/integrations/${id}/transitions`);
    expect(listed.status).toBe(200);
    expect(listed.body.nextCursor).toBeNull();
    expect(listed.body.data.map((t: any) => [t.action, t.from, t.to, t.reason])).toEqual([
      ['reauthorize', 'active', 'active', 'signing secret rolled'],
      ['updateSettings', 'active', 'active', 'settings changed: trackSeats'],
      ['resume', 'paused', 'active', null],
      ['pause', 'active', 'paused', 'end of quarter'],
      ['reauthorize', 'pending', 'active', 'credentials replaced'],
      ['install', 'none', 'pending', null],
    ]);
    const stored = await audit(id);
    expect(listed.body.data).toEqual(
      stored.reverse().map((t) => ({ id: String(t.id), occurredAt: t.occurred_at.toISOString(), action: t.action, from: t.from_state, to: t.to_state, actor: t.actor, reason: t.reason })),
    );
    expect(listed.body.data.every((t: any) => t.actor.startsWith('api:'))).toBe(true);

    // Pages of two: every entry once, in the same order, the last page without a cursor.
    const paged: any[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await api('GET', `/v1/integrations/${id}/transitions?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.data).toHaveLength(2);
      paged.push(...page.body.data);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(paged).toEqual(listed.body.data);

    expect((await api('GET', `/v1/integrations/${id}/transitions?cursor=nope`)).body.error.issues[0].path).toBe('query.cursor');
    expect((await api('GET', `/v1/integrations/${id}/transitions?limit=0`)).body.error.issues[0].path).toBe('query.limit');
    expect((await api('GET', `/v1/integrations/${id}/transitions?action=pause`)).status).toBe(400);
    const other = await h.newWorkspace('Other auditor');
    expect((await api('GET', `/v1/integrations/${id}/transitions`, undefined, other.key)).status).toBe(404);
  });

  it('refuses every illegal transition with 409 and changes nothing', async () => {
    const { id } = await installStripe({ webhookSecret: STRIPE_SECRET });
    expect((await api('GET', `/v1/integrations/${id}`)).body.state).toBe('active');
    const before = await audit(id);
    for (const action of ['connect', 'resume']) {
      const refused = await api('POST', `/v1/integrations/${id}/${action}`);
      expect(refused.status).toBe(409);
      expect(refused.body.error.message).toContain(`cannot ${action} an integration that is active`);
    }
    await api('POST', `/v1/integrations/${id}/pause`);
    expect((await api('POST', `/v1/integrations/${id}/pause`)).status).toBe(409);
    await api('POST', `/v1/integrations/${id}/disconnect`);
    const afterDisconnect = await audit(id);
    for (const action of ['connect', 'pause', 'resume', 'disconnect']) {
      expect((await api('POST', `/v1/integrations/${id}/${action}`)).status).toBe(409);
    }
    expect((await api('POST', `/v1/integrations/${id}/reauthorize`, { secrets: { webhookSecret: STRIPE_SECRET } })).status).toBe(409);
    expect((await api('PATCH', `/v1/integrations/${id}`, { settings: { trackSeats: true } })).status).toBe(409);
    expect(await audit(id)).toEqual(afterDisconnect);
    expect(afterDisconnect.length).toBe(before.length + 2);
    expect((await api('GET', `/v1/integrations/${id}`)).body.settings.trackSeats).toBe(false);
  });

  it('answers 400 with the field path for bad bodies, 401 without a valid key, 404 across workspaces', async () => {
    const unknownProvider = await api('POST', '/v1/integrations', { provider: 'paypal' });
    expect(unknownProvider.status).toBe(400);
    expect(unknownProvider.body.error.issues[0].path).toBe('provider');
    const badSetting = await api('POST', '/v1/integrations', { provider: 'stripe', settings: { mode: 'sandbox' } });
    expect(badSetting.status).toBe(400);
    expect(badSetting.body.error.issues.map((i: { path: string }) => i.path)).toContain('settings.mode');
    const malformed = await h.post('/v1/integrations', '{"provider":', { authorization: `Bearer ${key}` });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('malformed_json');
    const listFilter = await api('GET', '/v1/integrations?state=sleeping');
    expect(listFilter.status).toBe(400);
    expect(listFilter.body.error.issues[0].path).toBe('query.state');

    expect((await h.api('GET', '/v1/integrations')).status).toBe(401);
    expect((await h.api('GET', '/v1/integrations', { key: 'lq_not_a_real_key' })).status).toBe(401);
    expect((await h.api('POST', '/v1/workspaces', { key, body: { name: 'x' } })).status).toBe(401);

    const { id } = await installStripe({ webhookSecret: STRIPE_SECRET });
    const other = await h.newWorkspace('Other');
    for (const [method, path, body] of [
      ['GET', `/v1/integrations/${id}`, undefined],
      ['POST', `/v1/integrations/${id}/pause`, {}],
      ['PATCH', `/v1/integrations/${id}`, { settings: {} }],
    ] as const) {
      expect((await api(method, path, body, other.key)).status).toBe(404);
    }
    expect((await api('GET', '/v1/integrations', undefined, other.key)).body.data).toEqual([]);
    expect((await api('GET', `/v1/integrations/${id}`)).body.state).toBe('active');
    const listed = await api('GET', '/v1/integrations?provider=stripe&state=active');
    expect(listed.body.data.map((i: { id: string }) => i.id)).toContain(id);
  });

  it('creates workspaces with the admin token and hands out a working key once', async () => {
    const created = await h.api('POST', '/v1/workspaces', { key: h.adminToken, body: { name: 'Acme' } });
    expect(created.status).toBe(201);
    const stored = await h.db.selectFrom('api_keys').selectAll().where('id', '=', created.body.apiKey.id).executeTakeFirstOrThrow();
    expect(stored.key_hash).not.toContain(created.body.apiKey.key);
    expect((await h.api('GET', '/v1/providers', { key: created.body.apiKey.key })).status).toBe(200);
    expect((await h.api('POST', '/v1/workspaces', { key: h.adminToken, body: {} })).body.error.issues[0].path).toBe('name');
  });

  it('loses no transition when the worker is killed mid-lifecycle', async () => {
    await h.stopWorker();
    let worker = await h.forkWorker();
    const { id } = await installStripe({ webhookSecret: STRIPE_SECRET });
    expect((await api('POST', `/v1/integrations/${id}/pause`)).body.state).toBe('paused');
    // Killed while the resume is in flight (before, during or after its activity): it is applied exactly once.
    const resumed = api('POST', `/v1/integrations/${id}/resume`, { reason: 'resumed across a crash' });
    await worker.kill();
    worker = await h.forkWorker();
    expect((await resumed).body).toMatchObject({ state: 'active', lastStateChange: { reason: 'resumed across a crash' } });
    await worker.kill();
    // Signals sent while no worker runs wait in history for the next one.
    const handle = h.temporal.workflow.getHandle(integrationWorkflowId(id));
    // An operator's signal may carry any JSON: a reason code it invents is not stored, its words are.
    await handle.signal('pause', { reason: 'operator pause while no worker runs', reasonCode: 'made_up' });
    await h.startWorker();
    await waitFor(async () => (await audit(id)).length === 5, 'every transition to be recorded');
    expect((await audit(id)).map((t) => [t.action, t.to_state])).toEqual([
      ['install', 'pending'],
      ['connect', 'active'],
      ['pause', 'paused'],
      ['resume', 'active'],
      ['pause', 'paused'],
    ]);
    expect((await audit(id)).at(-1)).toMatchObject({ reason: 'operator pause while no worker runs', reason_code: null });
    // The audit row commits inside the activity; the workflow's own state moves when it takes the activity's result.
    const status = await waitFor(async () => {
      const answered = await queried(id);
      return answered.state === 'paused' && answered;
    }, 'the workflow to answer paused');
    expect(status).toMatchObject({ state: 'paused', reason: 'operator pause while no worker runs' });
    expect((await api('GET', `/v1/integrations/${id}`)).body.state).toBe('paused');
  });

  it('continues as new before its history grows large, keeping its state', async () => {
    const { id } = await installStripe({ webhookSecret: STRIPE_SECRET });
    const handle = h.temporal.workflow.getHandle(integrationWorkflowId(id));
    const firstRunId = (await handle.describe()).runId;
    for (let i = 0; i < 25; i++) {
      await api('POST', `/v1/integrations/${id}/pause`);
      await api('POST', `/v1/integrations/${id}/resume`);
    }
    await api('POST', `/v1/integrations/${id}/pause`, { reason: 'final' });
    const latest = await handle.describe();
    expect(latest.runId).not.toBe(firstRunId);
    expect(latest.status.name).toBe('RUNNING');
    expect(await queried(id)).toMatchObject({ state: 'paused', reason: 'final' });
    expect((await audit(id)).length).toBe(2 + 51);
    expect((await api('POST', `/v1/integrations/${id}/resume`)).body.state).toBe('active');
  });

});
