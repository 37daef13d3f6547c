import type { Client } from '@temporalio/client';
import { emitWorkspaceEvent } from '../../db/queries/events';
import { dispatchOutbox } from '../../services/outbox-dispatch';
import { type FakeServer, scripted } from '../support/fakes/http-server';
import type { Receiver } from '../support/fakes/receiver';
import { type Harness, startHarness, waitFor } from '../support/harness';
import { newSigningSecret, outboundHelpers, saleEvent } from '../support/outbound';
import { standardWebhookHeaders } from '../support/signers';

describe('outbound webhooks: signed, retried, logged, never doubled', () => {
  let h: Harness;
  let key: string;
  let out: ReturnType<typeof outboundHelpers>;
  const receiver = (respond?: FakeServer['respond']) => out.receiver(respond);
  /** A destination that answers 200 and subscribes to `events`. */
  const destination = async (events = ['sale.created'], respond?: FakeServer['respond']) => {
    const target = await receiver(respond);
    const { id } = await out.installWebhook(`${target.url}/hook`, target.secret, events);
    return { id, target };
  };

  beforeAll(async () => {
    // A timeout long enough that a busy machine does not turn a slow 200 into a retry (attempt counts are asserted).
    h = await startHarness({ DELIVERY_RETRY_INITIAL_MS: '100', DELIVERY_RETRY_MAX_MS: '400', DELIVERY_TIMEOUT_MS: '2000', DISPATCH_SWEEP_MS: '300' });
    key = (await h.newWorkspace()).key;
    out = outboundHelpers(h, () => key);
  });
  afterAll(() => out.stop());

  it('retries a receiver that fails twice, then delivers once with the same signed webhook-id; redelivery keeps the id', async () => {
    const { id, target } = await destination(['sale.created'], scripted({ status: 500 }, { status: 500, body: 'x'.repeat(3000) }, { status: 200 }));
    const event = await out.emit(saleEvent());
    const delivered = await out.deliveryOf(id, event.id, (d) => d.status === 'succeeded');
    expect(delivered).toMatchObject({ attemptCount: 3, round: 1, lastStatusCode: 200, nextAttemptAt: null });

    expect(target.requests).toHaveLength(3);
    for (const request of target.requests) {
      expect(target.verify(request)).toEqual(event);
      expect(request.headers['webhook-id']).toBe(event.id);
    }
    expect([...target.delivered()]).toEqual([[event.id, 1]]);

    const log = await out.api('GET', `/v1/deliveries/${delivered.id}`, undefined, 200);
    expect(log.body.event).toEqual(event);
    expect(log.body.attempts.map((a: any) => [a.attempt, a.statusCode, a.outcome])).toEqual([
      [1, 500, 'retry'],
      [2, 500, 'retry'],
      [3, 200, 'success'],
    ]);
    const [first, second] = log.body.attempts;
    expect(first.requestHeaders).toMatchObject({ 'webhook-id': event.id, 'content-type': 'application/json' });
    expect(first.requestHeaders['webhook-signature']).not.toMatch(/v1,/);
    expect(log.text).not.toContain(String(target.requests[0].headers['webhook-signature']));
    expect(Buffer.byteLength(second.responseBody)).toBeLessThanOrEqual(1024);
    expect(second.responseBody).toMatch(/^x+$/);
    expect(first.latencyMs).toEqual(expect.any(Number));

    const again = await out.api('POST', `/v1/deliveries/${delivered.id}/redeliver`, undefined, 202);
    expect(again.body).toMatchObject({ status: 'pending', round: 2 });
    await out.deliveryOf(id, event.id, (d) => d.round === 2 && d.status === 'succeeded', 'the redelivery');
    expect(target.requests).toHaveLength(4);
    expect(target.verify(target.requests[3])).toEqual(event);
    expect(target.requests[3].headers['webhook-id']).toBe(event.id);
    const health = (await out.api('GET', `/v1/integrations/${id}/deliveries`, undefined, 200)).body.health;
    expect(health).toMatchObject({ consecutiveFailures: 0, failingSince: null, lastSuccessAt: expect.any(String) });
  });

  it('does not retry a 400, and logs the answer', async () => {
    const { id, target } = await destination(['sale.created'], () => ({ status: 400, body: { error: 'unknown field' } }));
    const event = await out.emit(saleEvent());
    const failed = await out.deliveryOf(id, event.id, (d) => d.status === 'failed');
    const row = await h.db.selectFrom('deliveries').select('workflow_id').where('id', '=', failed.id).executeTakeFirstOrThrow();
    await h.temporal.workflow.getHandle(row.workflow_id!).result();
    const log = await out.api('GET', `/v1/deliveries/${failed.id}`, undefined, 200);
    expect(log.body).toMatchObject({ status: 'failed', attemptCount: 1, lastStatusCode: 400, reason: 'HTTP 400' });
    expect(log.body.attempts[0].responseBody).toBe('{"error":"unknown field"}');
    expect(target.requests).toHaveLength(1);
  });

  it('disables a destination that answers 410: the delivery is disabled and the integration disconnected', async () => {
    const { id, target } = await destination(['sale.created'], () => ({ status: 410 }));
    const event = await out.emit(saleEvent());
    expect(await out.deliveryOf(id, event.id, (d) => d.status === 'disabled')).toMatchObject({ attemptCount: 1, lastStatusCode: 410 });
    await waitFor(async () => (await out.state(id)) === 'disconnected', 'the 410 destination to be disconnected');
    const transition = await h.db.selectFrom('integration_transitions').selectAll().where('integration_id', '=', id).where('action', '=', 'disconnect').executeTakeFirstOrThrow();
    expect(transition).toMatchObject({ actor: 'system:outbound', reason: 'the destination answered 410 Gone' });

    const witness = await destination();
    const later = await out.emit(saleEvent());
    await out.deliveryOf(witness.id, later.id, (d) => d.status === 'succeeded');
    expect((await out.deliveries(id)).map((d) => d.eventId)).toEqual([event.id]);
    expect(target.requests).toHaveLength(1);
  });

  it('subscribes Zapier REST hooks, delivers to them, and removes them on unsubscribe or a 410 from Zapier', async () => {
    const [live, gone] = [await receiver(), await receiver(() => ({ status: 410 }))];
    const subscribe = (target: Receiver) => out.api('POST', '/v1/hooks', { target_url: `${target.url}/zap`, event: 'sale.created' }, 201);
    const [liveHook, goneHook] = [(await subscribe(live)).body, (await subscribe(gone)).body];
    expect(liveHook).toEqual({ id: expect.stringMatching(/^int_/), event: 'sale.created', target_url: `${live.url}/zap` });
    expect((await out.api('POST', '/v1/hooks', { target_url: live.url, event: 'order.shipped' })).body.error.issues[0].path).toBe('event');

    const first = await out.emit(saleEvent());
    await out.deliveryOf(liveHook.id, first.id, (d) => d.status === 'succeeded');
    await waitFor(async () => (await out.state(goneHook.id)) === 'disconnected', 'Zapier 410 to remove the hook');
    expect(JSON.parse(live.requests[0].body)).toEqual(first);

    expect((await out.api('DELETE', `/v1/hooks/${liveHook.id}`)).status).toBe(204);
    expect(await out.state(liveHook.id)).toBe('disconnected');
    expect((await out.api('DELETE', `/v1/hooks/${liveHook.id}`)).status).toBe(204);
    const witness = await destination();
    const second = await out.emit(saleEvent());
    await out.deliveryOf(witness.id, second.id, (d) => d.status === 'succeeded');
    expect((await out.deliveries(liveHook.id)).map((d) => d.eventId)).toEqual([first.id]);
    expect(live.requests).toHaveLength(1);
    expect((await h.api('DELETE', `/v1/hooks/${liveHook.id}`, { key: (await h.newWorkspace('Other')).key })).status).toBe(404);
  });

  it('times out a receiver that never answers and keeps retrying it without holding back the others', async () => {
    const slow = await destination(['sale.created'], () => 'hang');
    const fast = await destination();
    const event = await out.emit(saleEvent());
    await out.deliveryOf(fast.id, event.id, (d) => d.status === 'succeeded');
    const retrying = await out.deliveryOf(slow.id, event.id, (d) => d.attemptCount >= 2 && d.status === 'delivering', 'two timed-out attempts');
    expect(retrying.lastError).toMatch(/timed out after 2000 ms/);
    expect(retrying.lastStatusCode).toBeNull();
    expect(retrying.nextAttemptAt).toEqual(expect.any(String));

    await out.api('POST', `/v1/integrations/${slow.id}/pause`, { reason: 'endpoint down' }, 200);
    expect(await out.deliveryOf(slow.id, event.id, (d) => d.status === 'skipped')).toMatchObject({ reason: 'paused' });
    const whilePaused = await out.emit(saleEvent());
    expect(await out.deliveryOf(slow.id, whilePaused.id, () => true)).toMatchObject({ status: 'skipped', reason: 'paused', attemptCount: 0 });
  });

  it('forwards the lifecycle and inbound events, never to the integration that produced them, and never test events', async () => {
    const { id, target } = await destination(['integration.paused', 'lead.created']);
    const inbound = await out.install('webhook', { eventMapping: { signup: { type: 'lead' } } }, { signingSecret: newSigningSecret() });
    // The destination's own pause is not sent to itself; the inbound one's, made while the destination is
    // active, is (made while it was paused, its dispatch could find the destination paused and skip it).
    await out.api('POST', `/v1/integrations/${id}/pause`, {}, 200);
    await out.api('POST', `/v1/integrations/${id}/resume`, undefined, 200);
    await out.api('POST', `/v1/integrations/${inbound.id}/pause`, {}, 200);
    await out.api('POST', `/v1/integrations/${inbound.id}/resume`, undefined, 200);

    const secret = (await h.db.selectFrom('integrations').select('secrets_sealed').where('id', '=', inbound.id).executeTakeFirstOrThrow()).secrets_sealed!;
    const payload = JSON.stringify({ type: 'signup', customer: { id: 'user_42', email: 'ada@example.com' } });
    const sent = await h.post(`/webhooks/webhook/${inbound.id}`, payload, standardWebhookHeaders(payload, h.box.open<{ signingSecret: string }>(secret).signingSecret, 'msg_signup_42'));
    expect(sent.status).toBe(200);

    await waitFor(() => target.delivered().size === 2 && target.requests, 'the paused and lead events');
    const types = target.requests.map((request) => (target.verify(request) as { type: string; data: any }));
    expect(types.map((event) => event.type).sort()).toEqual(['integration.paused', 'lead.created']);
    expect(types.find((event) => event.type === 'integration.paused')!.data).toMatchObject({ integrationId: inbound.id, to: 'paused' });
    expect(types.find((event) => event.type === 'lead.created')!.data.customer).toMatchObject({ externalId: 'user_42', email: 'ada@example.com' });

    const { workspaceId } = await h.db.selectFrom('integrations').select('workspace_id as workspaceId').where('id', '=', id).executeTakeFirstOrThrow();
    const test = await h.db.transaction().execute((trx) =>
      emitWorkspaceEvent(trx, { workspaceId, type: 'lead.created', data: saleEvent().data, isTest: true }),
    );
    await dispatchOutbox({ db: h.db, temporal: h.temporal, config: h.config });
    expect(await out.deliveryOf(id, test.id, () => true)).toMatchObject({ status: 'skipped', reason: 'test event', attemptCount: 0 });
    expect(target.requests).toHaveLength(2);
  });

  it('restarts a planned batch whose workflow never started (the process died between commit and start)', async () => {
    const { id, target } = await destination();
    const { workspaceId } = await h.db.selectFrom('integrations').select('workspace_id as workspaceId').where('id', '=', id).executeTakeFirstOrThrow();
    await h.stopWorker(); // and its sweep
    const event = await h.db.transaction().execute((trx) => emitWorkspaceEvent(trx, { workspaceId, ...saleEvent() }));
    const unreachable = { workflow: { start: () => Promise.reject(new Error('Temporal unreachable')) } } as unknown as Client;
    const queued = () => h.db.selectFrom('outbox').select('event_id').where('event_id', '=', event.id).execute();
    expect(await queued()).toHaveLength(1);
    expect(await dispatchOutbox({ db: h.db, temporal: unreachable, config: h.config })).toBeGreaterThanOrEqual(1);
    // Planned: the delivery row holds the work from here on, the outbox keeps nothing.
    expect(await queued()).toEqual([]);
    const planned = await h.db.selectFrom('deliveries').selectAll().where('integration_id', '=', id).where('event_id', '=', event.id).executeTakeFirstOrThrow();
    expect(planned).toMatchObject({ status: 'pending', workflow_id: expect.stringMatching(/^deliveries-/) });
    await expect(h.temporal.workflow.getHandle(planned.workflow_id!).describe()).rejects.toThrow(/not found/i);

    await h.startWorker();
    expect(await out.deliveryOf(id, event.id, (d) => d.status === 'succeeded')).toMatchObject({ attemptCount: 1 });
    // The sweep started it under the workflow id recorded at planning time.
    await h.temporal.workflow.getHandle(planned.workflow_id!).result();
    expect([...target.delivered()]).toEqual([[event.id, 1]]);
  });

  it('validates posted events, honours Idempotency-Key and keeps workspaces apart', async () => {
    const { id } = await destination();
    const missingAmount = saleEvent() as any;
    delete missingAmount.data.conversion.amountMinor;
    const refused = await out.api('POST', '/v1/events', missingAmount);
    expect(refused.status).toBe(400);
    expect(refused.body.error.issues.map((issue: { path: string }) => issue.path)).toContain('data.conversion.amountMinor');
    expect((await out.api('POST', '/v1/events', { type: 'integration.error', data: {} })).body.error.issues[0].path).toBe('type');

    const body = saleEvent();
    const first = await h.api('POST', '/v1/events', { key, body, headers: { 'idempotency-key': 'order-7-paid' } });
    const repeat = await h.api('POST', '/v1/events', { key, body, headers: { 'idempotency-key': 'order-7-paid' } });
    expect([first.status, repeat.status]).toEqual([201, 200]);
    expect(repeat.body.id).toBe(first.body.id);
    expect(first.body.id).toMatch(/^evt_/);
    const delivered = await out.deliveryOf(id, first.body.id, (d) => d.status === 'succeeded');
    expect((await out.deliveries(id)).filter((d) => d.eventId === first.body.id)).toHaveLength(1);

    // The same request with its fields in another order is the same request; another body under the key is a 422 naming it.
    const post = (event: object, idempotencyKey: string, as = key) => h.api('POST', '/v1/events', { key: as, body: event, headers: { 'idempotency-key': idempotencyKey } });
    const reordered = { data: { customer: body.data.customer, conversion: Object.fromEntries(Object.entries(body.data.conversion).reverse()) }, type: body.type };
    const again = await post(reordered, 'order-7-paid');
    expect([again.status, again.body.id]).toEqual([200, first.body.id]);
    const otherAmount = { ...body, data: { ...body.data, conversion: { ...body.data.conversion, amountMinor: 5999 } } };
    for (const different of [otherAmount, { ...body, type: 'refund.created' }, saleEvent()]) {
      const reused = await post(different, 'order-7-paid');
      expect([reused.status, reused.body.error]).toEqual([
        422,
        {
          code: 'idempotency_key_reused',
          message: expect.stringContaining(`Idempotency-Key "order-7-paid" was first used with a different type or data (event ${first.body.id})`),
          issues: [{ path: 'headers.idempotency-key', message: expect.stringContaining('order-7-paid') }],
        },
      ]);
    }
    const recorded = () => h.db.selectFrom('events').select('id').where('idempotency_key', '=', 'order-7-paid').execute();
    expect(await recorded()).toEqual([{ id: first.body.id }]);

    const other = await h.newWorkspace('Other');
    // Keys are per workspace: another workspace's first use of the key records its own event.
    expect((await post(otherAmount, 'order-7-paid', other.key)).status).toBe(201);
    expect(await recorded()).toHaveLength(2);
    for (const [method, path] of [
      ['GET', `/v1/deliveries/${delivered.id}`],
      ['POST', `/v1/deliveries/${delivered.id}/redeliver`],
      ['GET', `/v1/integrations/${id}/deliveries`],
    ] as const) {
      expect((await h.api(method, path, { key: other.key })).status).toBe(404);
    }
    expect((await out.api('POST', `/v1/deliveries/${delivered.id}/redeliver`)).status).toBe(202);
  });
});

describe('outbound webhooks: a delivery whose retry window runs out', () => {
  let h: Harness;
  let out: ReturnType<typeof outboundHelpers>;
  // Retries 3 s apart (the dev server fires timers up to a second late) in a 7 s window: 3 or 4 attempts. The
  // destination may reach `error` for failing a whole window with the last of them, but no retry can start after
  // that (it would need the 1.5 s the first one waited to be over 3 s), so the delivery is failed, never held.
  beforeAll(async () => {
    h = await startHarness({ DELIVERY_RETRY_INITIAL_MS: '1500', DELIVERY_RETRY_MAX_MS: '3000', DELIVERY_RETRY_WINDOW_MS: '7000', DELIVERY_TIMEOUT_MS: '2000' });
    const { key } = await h.newWorkspace();
    out = outboundHelpers(h, () => key);
  });
  afterAll(() => out.stop());

  it("says it gave up after the retry window, how many attempts the round made and the last attempt's own reason", async () => {
    const target = await out.receiver(() => ({ status: 500 }));
    const { id } = await out.installWebhook(`${target.url}/hook`, target.secret);
    const event = await out.emit(saleEvent());
    const failed = await out.deliveryOf(id, event.id, (d) => d.status === 'failed');
    const { attempts } = (await out.api('GET', `/v1/deliveries/${failed.id}`, undefined, 200)).body;
    expect(attempts.length).toBeGreaterThan(1);
    expect(attempts.map((attempt: any) => [attempt.round, attempt.statusCode, attempt.outcome])).toEqual(attempts.map(() => [1, 500, 'retry']));
    expect(failed).toMatchObject({ attemptCount: attempts.length, lastStatusCode: 500, reason: `gave up after 7 s of retries (${attempts.length} attempts); last: HTTP 500` });
  });
});
