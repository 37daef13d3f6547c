import { sql } from 'kysely';
import type { FakeProviderApi } from '../support/fakes/fake-provider-api';
import { type FakeHubspotApi, startFakeHubspotApi } from '../support/fakes/fake-hubspot-api';
import { startReceiver, type Receiver } from '../support/fakes/receiver';
import { startFakeStripeApi } from '../support/fakes/fake-stripe-api';
import { genericEvent, newWebhookSecret, sendGeneric } from '../support/generic-webhook';
import { type Harness, startHarness, waitFor } from '../support/harness';
import { inboundHelpers } from '../support/inbound';
import { outboundHelpers, saleEvent } from '../support/outbound';

const STRIPE_KEY = 'sk_test_diagnostics_key_0001';
const HUBSPOT_TOKEN = 'hubspot-diagnostics-token';

interface Finding {
  scenario: string;
  likelyCause: string;
  firstAction: string;
  /** The first action as a code the admin UI acts on. */
  action: { code: string; [field: string]: unknown } | null;
  evidence: Record<string, any>;
}

/** Each known failure scenario, produced on purpose, then found by `GET /v1/integrations/:id/diagnostics`. */
describe('failure diagnosis', () => {
  let h: Harness;
  let key: string;
  let io: ReturnType<typeof inboundHelpers>;
  let out: ReturnType<typeof outboundHelpers>;
  let stripe: FakeProviderApi;
  let hubspot: FakeHubspotApi;
  let receiver: Receiver;

  const findings = async (id: string): Promise<Finding[]> => {
    const response = await h.api('GET', `/v1/integrations/${id}/diagnostics`, { key });
    expect(response.status).toBe(200);
    return response.body.findings;
  };
  const scenarios = async (id: string) => (await findings(id)).map((finding) => finding.scenario);
  const finding = async (id: string, scenario: string) => {
    const found = (await findings(id)).find((entry) => entry.scenario === scenario);
    if (!found) throw new Error(`no ${scenario} finding for ${id}`);
    return found;
  };
  const generic = async (settings: Record<string, unknown> = {}) => {
    const secret = newWebhookSecret();
    const { id } = await io.install('webhook', settings, { signingSecret: secret });
    return { id, secret };
  };
  const inError = (id: string) =>
    waitFor(async () => (await h.db.selectFrom('integrations').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state === 'error', `${id} in error`);

  beforeAll(async () => {
    [stripe, hubspot, receiver] = await Promise.all([startFakeStripeApi([STRIPE_KEY]), startFakeHubspotApi([HUBSPOT_TOKEN]), startReceiver(newWebhookSecret(), () => ({ status: 500 }))]);
    h = await startHarness({
      CREDENTIAL_CHECK_INTERVAL_MS: '300',
      STRIPE_API_URL: stripe.url,
      HUBSPOT_API_URL: hubspot.url,
      DELIVERY_RETRY_INITIAL_MS: '100',
      DELIVERY_RETRY_MAX_MS: '200',
      DELIVERY_FAILURE_THRESHOLD: '1000',
    });
    key = (await h.newWorkspace('Diagnostics')).key;
    io = inboundHelpers(h, () => key);
    out = outboundHelpers(h, () => key);
  });
  afterAll(async () => {
    await h.stop();
    await Promise.all([stripe.close(), hubspot.close(), receiver.close()]);
  });

  it('finds nothing wrong with a healthy integration', async () => {
    const { id, secret } = await generic();
    expect((await sendGeneric(h, id, secret, genericEvent())).status).toBe(200);
    await io.settled(id, 1);
    expect(await findings(id)).toEqual([]);
  });

  it('stuck in error with expired credentials → re-authorize', async () => {
    const { id } = await io.install('stripe', { mode: 'test' }, { webhookSecret: 'whsec_diag', apiKey: STRIPE_KEY });
    stripe.tokens.delete(STRIPE_KEY);
    await inError(id);
    const found = await finding(id, 'stuck_in_error');
    expect(found.likelyCause).toMatch(/expired or revoked credentials/);
    expect(found.firstAction).toContain(`/v1/integrations/${id}/reauthorize`);
    expect(found.action).toEqual({ code: 'reauthorize' });
    expect(found.evidence).toMatchObject({ state: 'error', reason: expect.stringMatching(/^credentials_expired/), changedBy: 'system:credential-check' });
  });

  it('stuck in error with an invalid mapping → fix and validate the setting', async () => {
    const { id } = await io.install('hubspot', { closedWonStageId: 'closedwon' }, { clientSecret: 'hubspot-secret', accessToken: HUBSPOT_TOKEN });
    hubspot.stages = ['appointmentscheduled', 'won'];
    await inError(id);
    const found = await finding(id, 'stuck_in_error');
    expect(found.likelyCause).toMatch(/invalid mapping/);
    expect(found.firstAction).toContain(`PATCH /v1/integrations/${id}`);
    expect(found.action).toEqual({ code: 'edit_settings' });
    expect(found.evidence.reason).toMatch(/^invalid_mapping: settings\.closedWonStageId/);
  });

  it('wrong values: sales recorded without a value → re-check the field mapping', async () => {
    const { id, secret } = await generic();
    expect((await sendGeneric(h, id, secret, genericEvent({ amountMinor: 0 }))).status).toBe(200);
    await io.settled(id, 1);
    const found = await finding(id, 'wrong_values');
    expect(found.likelyCause).toMatch(/field mapping mismatch/);
    expect(found.firstAction).toMatch(/field mapping/);
    expect(found.action).toEqual({ code: 'edit_settings' });
    expect(found.evidence.salesWithoutValue).toBe(1);
    expect(found.evidence.salesWithoutValueExamples[0]).toMatchObject({ amountMinor: 0, currency: 'USD' });
  });

  it('wrong values: most events ignored for their mapping → re-check the field mapping', async () => {
    const { id, secret } = await generic();
    for (const type of ['order.paid', 'order.paid', 'checkout.done']) expect((await sendGeneric(h, id, secret, genericEvent({ type }))).status).toBe(200);
    await io.settled(id, 3);
    const found = await finding(id, 'wrong_values');
    expect(found.evidence).toMatchObject({ ignoredEvents: 3, handledEvents: 3, salesWithoutValue: 0 });
    expect(found.evidence.topIgnoredReasons).toEqual([
      { reason: 'no eventMapping entry for "order.paid"', count: 2 },
      { reason: 'no eventMapping entry for "checkout.done"', count: 1 },
    ]);
  });

  it('duplicate conversions under different ids → enforce stable ids', async () => {
    const { id, secret } = await generic();
    // A sender that mints a new event id and order id when it retries the same purchase.
    for (const orderId of ['order_first_try', 'order_retry']) {
      expect((await sendGeneric(h, id, secret, genericEvent({ customerId: 'user_dup', amountMinor: 4200, orderId }))).status).toBe(200);
    }
    await io.settled(id, 2);
    const found = await finding(id, 'duplicate_conversions');
    expect(found.likelyCause).toMatch(/missing idempotency key/);
    expect(found.firstAction).toMatch(/stable ids/);
    expect(found.action).toBeNull();
    expect(found.evidence.pairs).toHaveLength(1);
    expect(found.evidence.pairs[0]).toMatchObject({ amountMinor: 4200, currency: 'USD', eventName: 'Order Completed' });
    expect([...found.evidence.pairs[0].externalIds].sort()).toEqual(['order_first_try', 'order_retry']);
  });

  it('the same event delivered again and again → stable ids absorbed it; check the sender', async () => {
    const { id, secret } = await generic();
    const event = genericEvent();
    for (let i = 0; i < 6; i += 1) expect((await sendGeneric(h, id, secret, event, 'msg_redelivered')).status).toBe(200);
    await io.settled(id, 1);
    // A redelivery that met the row while the drain held it is counted once the drain commits (off the accept).
    const found = await waitFor(async () => {
      const candidate = (await findings(id)).find((entry) => entry.scenario === 'redelivered_events');
      return candidate?.evidence.redeliveries === 5 && candidate;
    }, 'the five redeliveries counted');
    expect(found.evidence).toMatchObject({ redeliveries: 5, topEvents: [{ eventId: 'msg_redelivered', duplicates: 5 }] });
    expect(await io.conversions(id)).toHaveLength(1);
  });

  it('signature failures in the last hour → wrong secret', async () => {
    const { id } = await generic();
    for (let i = 0; i < 2; i += 1) expect((await sendGeneric(h, id, newWebhookSecret(), genericEvent())).status).toBe(401);
    const found = await finding(id, 'signature_failures');
    expect(found.likelyCause).toMatch(/wrong secret/);
    expect(found.firstAction).toContain(`/v1/integrations/${id}/secrets/rotate`);
    expect(found.action).toEqual({ code: 'rotate_secret' });
    expect(found.evidence).toMatchObject({ failuresLastHour: 2, lastReason: 'bad_signature' });
  });

  it('events skipped because the integration was paused → resume, then replay them (which works)', async () => {
    const { id, secret } = await generic();
    expect((await h.api('POST', `/v1/integrations/${id}/pause`, { key })).status).toBe(200);
    expect((await sendGeneric(h, id, secret, genericEvent())).body.skipped).toBe(1);
    const found = await finding(id, 'skipped_while_paused');
    expect(found.firstAction).toMatch(/^Resume/);
    expect(found.action).toEqual({ code: 'resume' });
    expect(found.firstAction).toContain(`POST /v1/integrations/${id}/webhook-events/replay with {"status":["skipped"]}`);
    expect(found.evidence).toMatchObject({ skippedEvents: 1, state: 'paused' });
    expect(await scenarios(id)).toEqual(['skipped_while_paused']);

    // Following it: resume, then the replay it names applies the event, and the finding is gone.
    expect((await h.api('POST', `/v1/integrations/${id}/resume`, { key })).status).toBe(200);
    expect(await finding(id, 'skipped_while_paused')).toMatchObject({ firstAction: expect.stringMatching(/^To sync them now, replay the skipped events: POST /), action: { code: 'replay', status: 'skipped' } });
    expect((await h.api('POST', `/v1/integrations/${id}/webhook-events/replay`, { key, body: { status: ['skipped'] } })).body.requeued).toBe(1);
    await io.settled(id, 1);
    expect(await io.conversions(id)).toHaveLength(1);
    expect(await scenarios(id)).not.toContain('skipped_while_paused');

    // Disconnected, nothing replays: the finding says where the events can still go.
    const gone = await generic();
    await h.api('POST', `/v1/integrations/${gone.id}/pause`, { key });
    expect((await sendGeneric(h, gone.id, gone.secret, genericEvent())).body.skipped).toBe(1);
    expect((await h.api('POST', `/v1/integrations/${gone.id}/disconnect`, { key })).status).toBe(200);
    expect(await finding(gone.id, 'skipped_while_paused')).toMatchObject({ firstAction: expect.stringMatching(/^The integration is disconnected/), action: null });
  });

  it('a growing inbox backlog → check the worker and the workflow', async () => {
    const { id, secret } = await generic();
    await h.stopWorker();
    try {
      expect((await sendGeneric(h, id, secret, genericEvent())).status).toBe(200);
      expect(await scenarios(id)).not.toContain('inbox_backlog');
      // Ten minutes go by without a worker.
      await h.db.updateTable('inbox').set({ received_at: sql<Date>`now() - interval '10 minutes'` }).where('integration_id', '=', id).execute();
      const found = await finding(id, 'inbox_backlog');
      expect(found.likelyCause).toMatch(/not processed/);
      expect(found.firstAction).toContain(`integration-${id}`);
      expect(found.action).toEqual({ code: 'open_workflow', url: expect.stringContaining(`/workflows/integration-${id}`) });
      expect(found.evidence).toMatchObject({ pendingEvents: 1 });
      expect(found.evidence.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(600);
      // Hours later the health check says hours, not hundreds of minutes.
      await h.db.updateTable('inbox').set({ received_at: sql<Date>`now() - interval '3 hours 10 minutes'` }).where('integration_id', '=', id).execute();
      const { body } = await h.api('GET', `/v1/integrations/${id}`, { key });
      expect(body.health).toMatchObject({ status: 'failing', reasons: expect.arrayContaining(['an inbound event has waited 3 h to be processed']) });
    } finally {
      await h.startWorker();
    }
    await io.settled(id, 1);
    expect(await scenarios(id)).not.toContain('inbox_backlog');
  });

  it('events the pipeline could not apply → read their reasons', async () => {
    const { id } = await generic();
    const row = await h.db.selectFrom('integrations').select('workspace_id').where('id', '=', id).executeTakeFirstOrThrow();
    // As the drain records a poison event: rolled back to its savepoint and marked failed with the error.
    await h.db
      .insertInto('inbox')
      .values({ integration_id: id, workspace_id: row.workspace_id, provider: 'webhook', dedup_key: 'msg_poison', event_type: 'Order Completed', payload: '{}', status: 'failed', reason: 'a lead needs a customer', processed_at: new Date() })
      .execute();
    const found = await finding(id, 'failed_events');
    expect(found.evidence).toEqual({ failedEvents: 1, topReasons: [{ reason: 'a lead needs a customer', count: 1 }] });
    expect(found.firstAction).toContain(`/v1/integrations/${id}/webhook-events?status=failed`);
    expect(found.firstAction).toContain(`POST /v1/integrations/${id}/webhook-events/replay with {"status":["failed"]}`);
    expect(found.action).toEqual({ code: 'replay', status: 'failed' });
  });

  it('a destination that gets no deliveries → the trigger is disabled', async () => {
    const { key: otherKey } = await h.newWorkspace('Quiet destination');
    const other = outboundHelpers(h, () => otherKey);
    const destination = await other.installWebhook(receiver.url, receiver.secret, ['link.clicked']);
    await other.emit(saleEvent());
    await other.emit(saleEvent());
    const response = await h.api('GET', `/v1/integrations/${destination.id}/diagnostics`, { key: otherKey });
    const found = (response.body.findings as Finding[]).find((entry) => entry.scenario === 'no_outbound_deliveries');
    expect(found?.likelyCause).toMatch(/trigger disabled/);
    expect(found?.firstAction).toMatch(/trigger configuration/);
    expect(found?.action).toEqual({ code: 'edit_settings' });
    expect(found?.evidence).toMatchObject({ deliveries: 0, workspaceEvents: { 'sale.created': 2 }, subscribedTypes: [] });
  });

  it('a destination whose deliveries fail → read the delivery log', async () => {
    const destination = await out.installWebhook(receiver.url, receiver.secret, ['sale.created']);
    await out.emit(saleEvent());
    await waitFor(async () => (await scenarios(destination.id)).includes('delivery_failures'), 'the delivery failures finding');
    const found = await finding(destination.id, 'delivery_failures');
    expect(found.likelyCause).toMatch(/destination failures/);
    expect(found.firstAction).toContain(`/v1/integrations/${destination.id}/deliveries`);
    expect(found.evidence.consecutiveFailures).toBeGreaterThanOrEqual(1);
    expect(found.evidence.lastFailures[0]).toMatchObject({ eventType: 'sale.created', statusCode: 500, outcome: 'retry' });
    expect(found.action).toEqual({ code: 'open_delivery', deliveryId: found.evidence.lastFailures[0].deliveryId });
  });
});
