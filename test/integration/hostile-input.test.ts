import { WorkflowUpdateFailedError } from '@temporalio/client';
import { issueOAuthState } from '../../db/queries/oauth-states';
import { SLACK_STATE_PURPOSE } from '../../api/routes/slack-install';
import { lifecycleSignals, transitionUpdate } from '../../contract/definitions';
import { integrationWorkflowId } from '../../contract/search-attributes';
import { type FakeSlack, newSlackCode, startFakeSlack } from '../support/fakes/slack';
import { type Harness, startHarness, waitFor } from '../support/harness';
import { appRoutes, type BaseRequest, dbFingerprint, namesField, ownDatabase, type Probe, probesOf, quiescent, type Route, routeKey } from '../support/hostile';
import { inboundHelpers } from '../support/inbound';
import { newSigningSecret, outboundHelpers } from '../support/outbound';
import { stripeHeaders } from '../support/signers';

const STRIPE_SECRET = 'whsec_hostile_input_secret';
let events = 0;

/** A paid Checkout Session as Stripe sends it (`checkout.session.completed`): a sale. */
function checkoutEvent() {
  events += 1;
  return {
    id: `evt_hostile_${events}`,
    object: 'event',
    type: 'checkout.session.completed',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    data: {
      object: {
        id: `cs_hostile_${events}`, object: 'checkout.session', mode: 'payment', status: 'complete', payment_status: 'paid', amount_total: 1999, currency: 'eur',
        customer: `cus_hostile_${events}`, customer_details: { email: `buyer${events}@example.com`, name: 'Ada Buyer' }, payment_intent: `pi_hostile_${events}`, invoice: null,
        metadata: { link_key: 'spring' },
      },
    },
  };
}

describe('hostile input on every route', () => {
  let h: Harness;
  let slack: FakeSlack;
  let key: string;
  let workspaceId: string;
  let io: ReturnType<typeof inboundHelpers>;
  let out: ReturnType<typeof outboundHelpers>;
  let bases: Record<string, BaseRequest>;
  let database: Awaited<ReturnType<typeof ownDatabase>>;
  const ids: Record<string, string> = {};

  const sendStripe = async (integrationId: string, event: object) => {
    const body = JSON.stringify(event);
    return h.post(`/webhooks/stripe/${integrationId}`, body, stripeHeaders(body, STRIPE_SECRET));
  };
  const stripe = async (settings: Record<string, unknown> = { mode: 'test' }) => (await io.install('stripe', settings, { webhookSecret: STRIPE_SECRET })).id;
  const waitState = (id: string, state: string) => waitFor(async () => (await io.state(id)) === state, `${id} ${state}`);

  beforeAll(async () => {
    slack = await startFakeSlack();
    database = await ownDatabase();
    h = await startHarness({
      DATABASE_URL: database.url,
      SLACK_API_URL: slack.apiUrl,
      SLACK_CLIENT_ID: 'client-hostile',
      SLACK_CLIENT_SECRET: 'secret-hostile',
      CREDENTIAL_CHECK_INTERVAL_MS: '0',
    });
    ({ key, workspaceId } = await h.newWorkspace());
    io = inboundHelpers(h, () => key);
    out = outboundHelpers(h, () => key);

    // One integration per route that changes state, each in the state its base request starts from.
    for (const name of ['main', 'patch', 'pause', 'resume', 'disconnect', 'reauthorize']) ids[name] = await stripe();
    await out.api('POST', `/v1/integrations/${ids.resume}/pause`, {}, 200);
    ids.connect = (await io.install('webhook', {}, { signingSecret: newSigningSecret() })).id;
    await h.temporal.workflow.getHandle(integrationWorkflowId(ids.connect)).signal(lifecycleSignals.fail, { reason: 'invalid_mapping: set up to be connected again' });
    await waitState(ids.connect, 'error');
    ids.rotate = (await io.install('webhook', {}, { signingSecret: newSigningSecret() })).id;

    // A finished delivery on an active destination, and a Zapier hook to unsubscribe.
    const receiver = await out.receiver();
    ids.destination = (await out.installWebhook(receiver.url, receiver.secret, ['lead.created'])).id;
    const lead = await out.emit({ type: 'lead.created', data: { conversion: { id: 'cnv_hostile', eventName: 'Sign up' }, customer: { externalId: 'user_hostile' } } });
    ids.delivery = (await out.deliveryOf(ids.destination, lead.id, (delivery) => delivery.status === 'succeeded')).id;
    ids.hook = (await out.api('POST', '/v1/hooks', { target_url: receiver.url, event: 'lead.created' }, 201)).body.id;

    // Rows to fetch by id: a sale brought in by a signed webhook.
    expect((await sendStripe(ids.main, checkoutEvent())).status).toBe(200);
    await io.settled(ids.main, 1);
    ids.conversion = (await io.conversions(ids.main))[0].id;
    ids.customer = (await io.customers(ids.main))[0].id;
    ids.event = (await h.db.selectFrom('events').select('id').where('integration_id', '=', ids.main).executeTakeFirstOrThrow()).id;
    ids.inboxEvent = String((await h.db.selectFrom('inbox').select('id').where('integration_id', '=', ids.main).executeTakeFirstOrThrow()).id);

    const auth = { authorization: `Bearer ${key}` };
    const listing = { query: { limit: '5', from: '2020-01-01', to: '2100-01-01', includeTest: 'true' }, fuzzQuery: ['cursor', 'integrationId'] };
    const signedCheckout = checkoutEvent();
    bases = {
      'GET /healthz': { params: {}, status: 200, hostile: 'ignored' },
      'GET /readyz': { params: {}, status: 200, hostile: 'ignored' },
      'GET /metrics': { params: {}, status: 200, hostile: 'ignored' },
      'GET /v1/openapi.json': { params: {}, status: 200, hostile: 'ignored' },
      'GET /docs': { params: {}, status: 200, hostile: 'ignored' },
      'GET /docs/init.js': { params: {}, status: 200, hostile: 'ignored' },
      'GET /docs/swagger-ui.css': { params: {}, status: 200, hostile: 'ignored' },
      'GET /docs/swagger-ui-bundle.js': { params: {}, status: 200, hostile: 'ignored' },
      'POST /webhooks/:provider/:integrationId': {
        params: { provider: 'stripe', integrationId: ids.main },
        body: signedCheckout,
        fuzzBody: ['id', 'type', 'data.object.id', 'data.object.customer_details', 'data.object.customer_details.email', 'data.object.metadata.link_key'],
        sign: (body) => stripeHeaders(body, STRIPE_SECRET),
        status: 200,
        hostile: 'stored',
      },
      'GET /oauth/slack/callback': {
        params: {},
        // A state is single-use: the probes after the base request get the readable "used state" page.
        query: { state: await issueOAuthState(h.db, SLACK_STATE_PURPOSE, { workspaceId, actor: 'test', payload: { channel: 'C0HOSTILE' } }, 3_600_000), code: newSlackCode() },
        fuzzQuery: ['error'],
        // Success redirects to the integration's page in the admin UI.
        status: 303,
      },
      'POST /v1/workspaces': { params: {}, body: { name: 'Hostile Inc' }, headers: { authorization: `Bearer ${h.adminToken}` }, status: 201 },
      'GET /v1/integrations/slack/install': { params: {}, query: { channel: 'C0SALES' }, headers: auth, status: 302 },
      'POST /v1/hooks': { params: {}, body: { target_url: receiver.url, event: 'lead.created' }, headers: auth, status: 201 },
      'DELETE /v1/hooks/:id': { params: { id: ids.hook }, headers: auth, status: 204 },
      'GET /v1/providers': { params: {}, headers: auth, status: 200 },
      'GET /v1/providers/:providerId': { params: { providerId: 'stripe' }, headers: auth, status: 200 },
      'GET /v1/integrations/:id/deliveries': { params: { id: ids.destination }, query: { status: 'succeeded', limit: '5' }, fuzzQuery: ['cursor'], headers: auth, status: 200 },
      'POST /v1/integrations/:id/secrets/rotate': { params: { id: ids.rotate }, body: { gracePeriodSeconds: 60 }, headers: auth, status: 200 },
      'GET /v1/integrations/:id/webhook-events': { params: { id: ids.main }, query: { status: 'processed', limit: '5' }, fuzzQuery: ['cursor'], headers: auth, status: 200 },
      'GET /v1/integrations/:id/webhook-events/:eventId': { params: { id: ids.main, eventId: ids.inboxEvent }, headers: auth, status: 200 },
      'POST /v1/integrations/:id/webhook-events/replay': {
        params: { id: ids.main },
        body: { status: ['failed', 'ignored'], receivedFrom: '2020-01-01T00:00:00Z', receivedTo: '2100-01-01', limit: 10 },
        headers: auth,
        status: 200,
      },
      'GET /v1/integrations/:id/transitions': { params: { id: ids.main }, query: { limit: '5' }, fuzzQuery: ['cursor'], headers: auth, status: 200 },
      'POST /v1/integrations/:id/test': { params: { id: ids.main }, headers: auth, status: 200 },
      'GET /v1/integrations/:id/diagnostics': { params: { id: ids.main }, headers: auth, status: 200 },
      'POST /v1/integrations': { params: {}, body: { provider: 'stripe', settings: { mode: 'test' }, secrets: { webhookSecret: 'whsec_installed' } }, headers: auth, status: 201 },
      'GET /v1/integrations': { params: {}, query: { provider: 'stripe', state: 'active' }, headers: auth, status: 200 },
      'GET /v1/integrations/:id': { params: { id: ids.main }, headers: auth, status: 200 },
      'PATCH /v1/integrations/:id': { params: { id: ids.patch }, body: { settings: { trackSeats: true } }, headers: auth, status: 200 },
      'POST /v1/integrations/:id/connect': { params: { id: ids.connect }, body: { reason: 'fixed' }, headers: auth, status: 200 },
      'POST /v1/integrations/:id/pause': { params: { id: ids.pause }, body: { reason: 'holiday' }, headers: auth, status: 200 },
      'POST /v1/integrations/:id/resume': { params: { id: ids.resume }, body: { reason: 'back' }, headers: auth, status: 200 },
      'POST /v1/integrations/:id/disconnect': { params: { id: ids.disconnect }, body: { reason: 'done' }, headers: auth, status: 200 },
      'POST /v1/integrations/:id/reauthorize': { params: { id: ids.reauthorize }, body: { secrets: { webhookSecret: 'whsec_reauthorized' }, reason: 'rotated' }, headers: auth, status: 200 },
      'GET /v1/conversions': { params: {}, ...listing, query: { ...listing.query, type: 'sale' }, fuzzQuery: [...listing.fuzzQuery, 'customerId'], headers: auth, status: 200 },
      'GET /v1/conversions/:id': { params: { id: ids.conversion }, headers: auth, status: 200 },
      'GET /v1/customers': { params: {}, ...listing, headers: auth, status: 200 },
      'GET /v1/customers/:id': { params: { id: ids.customer }, headers: auth, status: 200 },
      'GET /v1/events': { params: {}, ...listing, query: { ...listing.query, type: 'sale.created' }, fuzzQuery: [...listing.fuzzQuery, 'customerId'], headers: auth, status: 200 },
      'GET /v1/events/:id': { params: { id: ids.event }, headers: auth, status: 200 },
      'POST /v1/events': {
        params: {},
        body: {
          type: 'sale.created',
          data: {
            conversion: { id: 'cnv_posted', eventName: 'Purchase', amountMinor: 4999, currency: 'USD', externalId: 'order_posted', linkKey: 'spring' },
            customer: { externalId: 'user_posted', email: 'posted@example.com', name: 'Posted Buyer' },
            context: { campaign: 'spring' },
          },
        },
        headers: auth,
        status: 201,
      },
      'GET /v1/deliveries/:id': { params: { id: ids.delivery }, headers: auth, status: 200 },
      'POST /v1/deliveries/:id/redeliver': { params: { id: ids.delivery }, headers: auth, status: 202 },
      'GET /v1/analytics/conversions': { params: {}, query: { interval: 'day', from: '2024-01-01', to: '2024-02-01' }, fuzzQuery: ['integrationId'], headers: auth, status: 200 },
    };
  });
  afterAll(async () => {
    await out.stop();
    await slack.close();
    await database.drop();
  });

  it('has a base request for every route the app serves', () => {
    expect(appRoutes(h.app).map(routeKey).sort()).toEqual(Object.keys(bases).sort());
  });

  /** A request that gets no answer is the wedge this test exists for (a workflow retrying forever): it fails, it does not hang. */
  const ANSWER_WITHIN_MS = 30_000;
  const send = (route: Route, base: BaseRequest, probe: Pick<Probe, 'path' | 'query' | 'body'>) =>
    fetch(`${h.url}${probe.path}${probe.query ? `?${probe.query}` : ''}`, {
      method: route.method,
      body: probe.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
      headers: { ...base.headers, ...(probe.body === undefined ? {} : { 'content-type': 'application/json', ...base.sign?.(probe.body) }) },
    });

  it('answers every probe without a 5xx, names the field it refuses and writes nothing when it refuses', async () => {
    const failures: string[] = [];
    let sent = 0;
    let fingerprint = await dbFingerprint(h.db);
    /** After an accepted request: its effects (drains, deliveries) finish before the next one is judged. */
    const settle = async () => {
      fingerprint = await waitFor(async () => {
        if (!(await quiescent(h.db))) return undefined;
        const first = await dbFingerprint(h.db);
        return JSON.stringify(first) === JSON.stringify(await dbFingerprint(h.db)) && first;
      }, 'the database to settle');
    };

    for (const route of appRoutes(h.app)) {
      const base = bases[routeKey(route)];
      const plain = { path: route.path.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(base.params[name])), query: new URLSearchParams(base.query ?? {}).toString(), body: base.body === undefined ? undefined : JSON.stringify(base.body) };
      const answered = await send(route, base, plain);
      if (answered.status !== base.status) failures.push(`${routeKey(route)} base request: ${answered.status} ${await answered.text()}`);
      await settle();

      for (const probe of probesOf(route, base)) {
        sent += 1;
        const response = await send(route, base, probe).catch(() => undefined);
        if (!response) {
          // The rest of this route would wait on the same wedged workflow.
          failures.push(`${routeKey(route)} ${probe.field} = ${probe.what}: no answer within ${ANSWER_WITHIN_MS / 1000} s`);
          break;
        }
        const text = await response.text();
        const label = `${routeKey(route)} ${probe.field} = ${probe.what}: ${response.status} ${text.slice(0, 200)}`;
        const error = response.status >= 400 && response.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as { error: { code: string; issues?: Array<{ path: string }> } }).error : undefined;
        const hostile = base.hostile ?? 'refused';
        const inPath = probe.field.startsWith('path.');
        if (response.status >= 500) failures.push(label);
        else if (probe.guarded && inPath && (response.status !== 400 || error?.code !== 'invalid_path')) failures.push(`${label} (expected 400 invalid_path)`);
        else if (probe.guarded && !inPath && hostile === 'refused' && (response.status !== 400 || !namesField(error?.issues, probe.field))) failures.push(`${label} (expected a 400 naming ${probe.field})`);
        else if (probe.sameShape && hostile === 'stored' && response.status !== 200) failures.push(`${label} (a signed webhook must be stored)`);

        if (response.status < 400) await settle();
        else {
          const after = await dbFingerprint(h.db);
          const changed = Object.keys(after).filter((table) => after[table] !== fingerprint[table]);
          if (changed.length > 0) failures.push(`${label} (refused, yet ${changed.join(', ')} changed)`);
          fingerprint = after;
        }
      }
    }
    expect(failures).toEqual([]);
    // Bounded: a few thousand requests at most.
    expect(sent).toBeGreaterThan(500);
    expect(sent).toBeLessThan(4000);
  }, 20 * 60_000);

  it('leaves every integration operable: workflows running, nothing pending, pause and resume answer, webhooks are processed', async () => {
    const rows = await h.db.selectFrom('integrations').select(['id', 'state']).where('workspace_id', '=', workspaceId).execute();
    for (const row of rows.filter((r) => r.state !== 'disconnected')) {
      expect((await h.temporal.workflow.getHandle(integrationWorkflowId(row.id)).describe()).status.name).toBe('RUNNING');
    }
    expect(await quiescent(h.db)).toBe(true);
    expect((await out.api('POST', `/v1/integrations/${ids.main}/pause`, { reason: 'after the storm' })).body.state).toBe('paused');
    expect((await out.api('POST', `/v1/integrations/${ids.main}/resume`, {})).body.state).toBe('active');
    const event = checkoutEvent();
    expect((await sendStripe(ids.main, event)).status).toBe(200);
    await waitFor(async () => (await io.inbox(ids.main)).find((row) => row.dedup_key === event.id && row.status === 'processed'), 'the webhook processed');
  });

  it('a lifecycle request the database refuses fails alone, with its reason, and the workflow keeps serving', async () => {
    const id = await stripe();
    const handle = h.temporal.workflow.getHandle(integrationWorkflowId(id));
    // What an operator could send with the CLI, past the API's validation.
    await handle.signal(lifecycleSignals.pause, { actor: 'operator', reason: 'operator\u0000pause' });
    const refused = await handle.executeUpdate(transitionUpdate, { args: [{ action: 'pause', actor: 'operator', reason: 'nul\u0000here' }] }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((refused as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'RequestRejected', message: expect.stringContaining('0x00') });
    await handle.signal(lifecycleSignals.updateSettings, { actor: 'operator', settings: { mode: 'test', note: 'a\u0000b' } });

    expect((await out.api('POST', `/v1/integrations/${id}/pause`, { reason: 'after the refusals' })).body).toMatchObject({ state: 'paused', lastStateChange: { reason: 'after the refusals' } });
    expect((await out.api('PATCH', `/v1/integrations/${id}`, { settings: { trackSeats: true } })).status).toBe(200);
    expect((await out.api('POST', `/v1/integrations/${id}/resume`, {})).body.state).toBe('active');
    const audit = await h.db.selectFrom('integration_transitions').select(['action', 'reason']).where('integration_id', '=', id).orderBy('id').execute();
    expect(audit.map((row) => row.action)).toEqual(['install', 'connect', 'pause', 'updateSettings', 'resume']);
    const event = checkoutEvent();
    expect((await sendStripe(id, event)).status).toBe(200);
    await waitFor(async () => (await io.inbox(id)).find((row) => row.dedup_key === event.id && row.status === 'processed'), 'the webhook processed');
  }, 60_000);
});
