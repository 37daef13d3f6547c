import { randomBytes } from 'node:crypto';
import { genericEvent, newWebhookSecret, sendGeneric } from '../support/generic-webhook';
import { startReceiver, type Receiver } from '../support/fakes/receiver';
import { type Harness, startHarness, waitFor } from '../support/harness';
import { inboundHelpers, refuseDrains } from '../support/inbound';
import { scrape } from '../support/metrics';
import { outboundHelpers, saleEvent } from '../support/outbound';

/** The health summary of `GET /v1/integrations/:id`, `/metrics` and the probes, driven by real traffic. */
describe('integration health summary, metrics and probes', () => {
  let h: Harness;
  let key: string;
  let io: ReturnType<typeof inboundHelpers>;
  let out: ReturnType<typeof outboundHelpers>;
  let receiver: Receiver;
  let receiverStatus = 200;
  const health = async (id: string) => (await h.api('GET', `/v1/integrations/${id}`, { key })).body.health;

  beforeAll(async () => {
    receiver = await startReceiver(newWebhookSecret(), () => ({ status: receiverStatus }));
    // A workflow is stuck here from its first failed attempt (10 in a row by default).
    h = await startHarness({ DELIVERY_RETRY_INITIAL_MS: '100', DELIVERY_RETRY_MAX_MS: '200', DELIVERY_FAILURE_THRESHOLD: '1000', STUCK_WORKFLOW_FAILURES: '1' });
    key = (await h.newWorkspace('Health')).key;
    io = inboundHelpers(h, () => key);
    out = outboundHelpers(h, () => key);
  });
  afterAll(async () => {
    await h.stop();
    await receiver.close();
  });

  it('answers /healthz and /readyz', async () => {
    expect(await h.api('GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await h.api('GET', '/readyz')).toMatchObject({ status: 200, body: { status: 'ready', database: 'ok', temporal: 'ok' } });
  });

  it('summarises inbound health: last events, backlog, lag percentiles, then degrades on refused signatures', async () => {
    const secret = newWebhookSecret();
    const { id } = await io.install('webhook', {}, { signingSecret: secret });
    const fresh = await health(id);
    expect(fresh).toMatchObject({ status: 'healthy', reasons: [], outbound: expect.any(Object) });
    expect(fresh.inbound).toMatchObject({ lastEventReceivedAt: null, lastEventProcessedAt: null, pendingEvents: 0, processingLagSeconds: { sampleSize: 0, p50: null, p95: null } });

    for (let i = 0; i < 4; i += 1) expect((await sendGeneric(h, id, secret, genericEvent())).status).toBe(200);
    const rows = await io.settled(id, 4);
    const summary = await health(id);
    expect(summary.status).toBe('healthy');
    expect(summary.inbound.pendingEvents).toBe(0);
    expect(summary.inbound.oldestPendingAgeSeconds).toBeNull();
    expect(summary.inbound.lastEventReceivedAt).toBe(new Date(Math.max(...rows.map((row) => row.received_at.getTime()))).toISOString());
    expect(summary.inbound.lastEventProcessedAt).toBe(new Date(Math.max(...rows.map((row) => row.processed_at!.getTime()))).toISOString());
    expect(summary.inbound.processingLagSeconds.sampleSize).toBe(4);
    expect(summary.inbound.processingLagSeconds.p50).toBeGreaterThanOrEqual(0);
    expect(summary.inbound.processingLagSeconds.p95).toBeGreaterThanOrEqual(summary.inbound.processingLagSeconds.p50);

    const body = JSON.stringify(genericEvent());
    expect((await h.post(`/webhooks/webhook/${id}`, body, { 'webhook-id': 'msg_forged', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,Zm9yZ2Vk' })).status).toBe(401);
    const degraded = await health(id);
    expect(degraded.status).toBe('degraded');
    expect(degraded.inbound.signatureFailuresLastHour).toBe(1);
    expect(degraded.reasons).toEqual(['1 webhook(s) refused for their signature in the last hour']);
  });

  it('counts a waiting event as backlog while no worker runs', async () => {
    const secret = newWebhookSecret();
    const { id } = await io.install('webhook', {}, { signingSecret: secret });
    await h.stopWorker();
    try {
      expect((await sendGeneric(h, id, secret, genericEvent())).status).toBe(200);
      const waiting = await health(id);
      expect(waiting.inbound.pendingEvents).toBe(1);
      expect(waiting.inbound.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(0);
      expect((await scrape(h))('linquid_inbox_backlog')).toBeGreaterThanOrEqual(1);
    } finally {
      await h.startWorker();
    }
    await io.settled(id, 1);
    expect((await health(id)).inbound.pendingEvents).toBe(0);
  });

  it('summarises destination health: a failure streak is failing, a success after it is degraded', async () => {
    const destination = await out.installWebhook(receiver.url, receiver.secret, ['sale.created']);
    receiverStatus = 500;
    await out.emit(saleEvent());
    const failing = await waitFor(async () => {
      const current = await health(destination.id);
      return current.outbound.consecutiveFailures >= 3 && current;
    }, 'three failed attempts in a row');
    expect(failing.status).toBe('failing');
    expect(failing.inbound).toBeTruthy();
    expect(failing.outbound.lastFailureAt).not.toBeNull();
    expect(failing.outbound.failingSince).not.toBeNull();
    expect(failing.outbound.failuresLast24h).toBeGreaterThanOrEqual(3);
    expect(failing.reasons[0]).toMatch(/delivery attempts failed/);

    receiverStatus = 200;
    const recovered = await waitFor(async () => {
      const current = await health(destination.id);
      return current.outbound.lastSuccessAt !== null && current;
    }, 'a successful delivery');
    expect(recovered.outbound.consecutiveFailures).toBe(0);
    expect(recovered.outbound.failingSince).toBeNull();
    expect(recovered.status).toBe('degraded');
    expect(recovered.reasons).toEqual([`${recovered.outbound.failuresLast24h} failed delivery attempt(s) in the last 24 h`]);
  });

  it('moves a destination failing for its whole retry window to error, saying for how long in days', async () => {
    const broken = await startReceiver(newWebhookSecret(), () => ({ status: 500 }));
    try {
      const destination = await out.installWebhook(broken.url, broken.secret, ['sale.created']);
      await out.emit(saleEvent());
      await waitFor(async () => (await health(destination.id)).outbound.consecutiveFailures >= 1, 'a failed attempt');
      // As if the streak had lasted the 3-day retry window and 5 hours more: the next failed attempt raises the alert.
      const since = new Date(Date.now() - (3 * 24 + 5) * 3_600_000);
      await h.db.updateTable('integrations').set({ failing_since: since }).where('id', '=', destination.id).execute();
      await waitFor(async () => (await out.state(destination.id)) === 'error', 'the destination in error');
      const fail = await h.db.selectFrom('integration_transitions').selectAll().where('integration_id', '=', destination.id).where('action', '=', 'fail').executeTakeFirstOrThrow();
      expect(fail).toMatchObject({ actor: 'system:outbound', to_state: 'error', reason_code: 'delivery_failures', reason: 'deliveries failing for 3 days (last: HTTP 500)' });
    } finally {
      await broken.close();
    }
  });

  it('moves the /metrics counters with the traffic it sends', async () => {
    const secret = newWebhookSecret();
    const before = await scrape(h);
    const { id } = await io.install('webhook', {}, { signingSecret: secret });
    const event = genericEvent({ amountMinor: 1234 });
    const msgId = `msg_metrics_${randomBytes(4).toString('hex')}`;
    expect((await sendGeneric(h, id, secret, event, msgId)).status).toBe(200);
    expect((await sendGeneric(h, id, secret, event, msgId)).body.duplicates).toBe(1);
    expect((await sendGeneric(h, id, 'whsec_d3Jvbmctc2VjcmV0', event)).status).toBe(401);
    await io.settled(id, 1);
    receiverStatus = 200;
    const destination = await out.installWebhook(receiver.url, receiver.secret, ['sale.created']);
    const sale = await out.emit(saleEvent());
    await out.deliveryOf(destination.id, sale.id, (delivery) => delivery.status === 'succeeded');

    const after = await scrape(h);
    const moved = (name: string, labels?: Record<string, string>) => after(name, labels) - before(name, labels);
    expect(moved('linquid_webhooks_received_total', { provider: 'webhook', outcome: 'accepted' })).toBe(1);
    expect(moved('linquid_webhooks_received_total', { provider: 'webhook', outcome: 'duplicate' })).toBe(1);
    expect(moved('linquid_webhooks_received_total', { provider: 'webhook', outcome: 'rejected' })).toBe(1);
    expect(moved('linquid_webhook_signature_failures_total', { provider: 'webhook', reason: 'bad_signature' })).toBe(1);
    expect(moved('linquid_inbound_events_processed_total', { provider: 'webhook', status: 'processed' })).toBe(1);
    expect(moved('linquid_conversions_applied_total', { provider: 'webhook' })).toBe(1);
    expect(moved('linquid_inbound_processing_lag_seconds_count', { provider: 'webhook' })).toBe(1);
    expect(moved('linquid_inbox_batch_size_count')).toBeGreaterThanOrEqual(1);
    expect(moved('linquid_integration_transitions_total', { action: 'connect', to: 'active' })).toBe(2);
    expect(moved('linquid_deliveries_total', { provider: 'webhook', outcome: 'success' })).toBeGreaterThanOrEqual(1);
    expect(moved('linquid_delivery_latency_seconds_count', { provider: 'webhook' })).toBeGreaterThanOrEqual(1);
  });

  describe('every open diagnostics finding is in health', () => {
    const generic = async () => {
      const secret = newWebhookSecret();
      const { id } = await io.install('webhook', {}, { signingSecret: secret });
      return { id, secret };
    };
    const diagnostics = async (id: string, workspaceKey = key) => (await h.api('GET', `/v1/integrations/${id}/diagnostics`, { key: workspaceKey })).body.findings as Array<{ scenario: string; severity: string; likelyCause: string; firstAction: string; action: unknown; evidence: any }>;

    it('wrong values: a sale recorded without a value makes health degraded, with the scenario as its reason', async () => {
      const { id, secret } = await generic();
      expect((await sendGeneric(h, id, secret, genericEvent({ amountMinor: 0 }))).status).toBe(200);
      await io.settled(id, 1);
      const summary = await health(id);
      expect(summary).toMatchObject({ status: 'degraded', findings: ['wrong_values'] });
      expect(summary.reasons).toEqual([expect.stringMatching(/^wrong_values: field mapping mismatch/)]);
      expect((await diagnostics(id)).map((finding) => [finding.scenario, finding.severity])).toEqual([['wrong_values', 'degraded']]);
    });

    it('duplicate conversions: the same sale under two ids makes health degraded', async () => {
      const { id, secret } = await generic();
      for (const orderId of ['order_health_first', 'order_health_retry']) {
        expect((await sendGeneric(h, id, secret, genericEvent({ customerId: 'user_health_dup', amountMinor: 990, currency: 'EUR', orderId }))).status).toBe(200);
      }
      await io.settled(id, 2);
      const summary = await health(id);
      expect(summary).toMatchObject({ status: 'degraded', findings: ['duplicate_conversions'] });
      expect(summary.reasons).toEqual([expect.stringMatching(/^duplicate_conversions: missing idempotency key/)]);
    });

    it('no outbound deliveries: a destination that subscribes to none of the workspace events is degraded', async () => {
      const { key: quietKey } = await h.newWorkspace('Health quiet destination');
      const quiet = outboundHelpers(h, () => quietKey);
      const destination = await quiet.installWebhook(receiver.url, receiver.secret, ['link.clicked']);
      const before = (await h.api('GET', `/v1/integrations/${destination.id}`, { key: quietKey })).body.health;
      expect(before).toMatchObject({ status: 'healthy', reasons: [], findings: [] });
      await quiet.emit(saleEvent());
      const summary = (await h.api('GET', `/v1/integrations/${destination.id}`, { key: quietKey })).body.health;
      expect(summary).toMatchObject({ status: 'degraded', findings: ['no_outbound_deliveries'] });
      expect(summary.reasons).toEqual([expect.stringMatching(/^no_outbound_deliveries: trigger disabled/)]);
    });

    it('a drain that keeps failing is a stuck workflow: health is failing, the finding links the workflow, secrets stay out', async () => {
      const { id, secret } = await generic();
      // The database refuses the drain on every attempt, with an error that happens to echo the signing secret.
      const allow = await refuseDrains(h.db, 'refuse_health_drain', id, `disk full near ${secret}`);
      try {
        expect((await sendGeneric(h, id, secret, genericEvent())).status).toBe(200);
        const stuck = await waitFor(async () => {
          const current = await health(id);
          return current.findings.includes('stuck_workflow') && current;
        }, 'the stuck_workflow finding in health');
        expect(stuck.status).toBe('failing');
        expect(stuck.reasons[0]).toMatch(/^stuck_workflow: the drainInbox activity of the integration's workflow failed \d+ times in a row and is being retried; last failure: .*disk full near \[redacted\]/);

        const found = (await diagnostics(id)).find((finding) => finding.scenario === 'stuck_workflow')!;
        const link = `${h.config.temporalUiUrl}/namespaces/${h.config.temporalNamespace}/workflows/integration-${id}`;
        expect(found).toMatchObject({ severity: 'failing', evidence: { workflowId: `integration-${id}`, runStatus: 'RUNNING', link } });
        expect(found.firstAction).toContain(link);
        expect(found.evidence.activities[0]).toMatchObject({ activityType: 'drainInbox', lastFailure: expect.stringContaining('disk full near [redacted]') });
        expect(found.evidence.activities[0].attempt).toBeGreaterThan(1);
        expect(JSON.stringify([stuck, found])).not.toContain(secret);
      } finally {
        await allow();
      }
      // Fixed: the retried drain goes through and the finding is gone.
      await io.settled(id, 1);
      await waitFor(async () => !(await health(id)).findings.includes('stuck_workflow'), 'the stuck_workflow finding to clear');
      expect(await health(id)).toMatchObject({ status: 'healthy', reasons: [], findings: [] });
    });

    it('a workflow run that ended while the integration is active is a stuck workflow too', async () => {
      const { id } = await generic();
      await h.temporal.workflow.getHandle(`integration-${id}`).terminate('operator mistake');
      const summary = await health(id);
      expect(summary).toMatchObject({ status: 'failing', findings: ['stuck_workflow'] });
      expect(summary.reasons).toEqual([expect.stringMatching(/^stuck_workflow: the integration's workflow is terminated although the integration is active/)]);
      const [found] = await diagnostics(id);
      expect(found).toMatchObject({ scenario: 'stuck_workflow', severity: 'failing', evidence: { runStatus: 'TERMINATED', activities: [] } });
      expect(found.firstAction).toContain(found.evidence.link);
      expect(found.action).toEqual({ code: 'open_workflow', url: found.evidence.link });
    });
  });
});
