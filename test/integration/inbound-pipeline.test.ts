import { integrationWorkflowId } from '../../contract/search-attributes';
import { type Harness, startHarness, waitFor } from '../support/harness';
import { inboundHelpers, refuseConversion } from '../support/inbound';
import { stripeHeaders } from '../support/signers';
import { stripeInvoicePaid } from '../support/stripe-events';

const SECRET = 'whsec_pipeline_secret';

describe('inbound pipeline: dedup, bursts, bad input, pause and crashes', () => {
  let h: Harness;
  let key: string;
  let io: ReturnType<typeof inboundHelpers>;
  const send = (integrationId: string, payload: string, headers = stripeHeaders(payload, SECRET)) => h.post(`/webhooks/stripe/${integrationId}`, payload, headers);
  const installStripe = async () => (await io.install('stripe', {}, { webhookSecret: SECRET })).id;
  const signalsReceived = async (integrationId: string) => {
    let signals = 0;
    for await (const run of h.temporal.workflow.list({ query: `WorkflowId = "${integrationWorkflowId(integrationId)}"` })) {
      const history = await h.temporal.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
      signals += history.events!.filter((event) => event.workflowExecutionSignaledEventAttributes).length;
    }
    return signals;
  };

  beforeAll(async () => {
    h = await startHarness({ INBOX_BATCH_SIZE: '100' });
    key = (await h.newWorkspace()).key;
    io = inboundHelpers(h, () => key);
  });
  afterAll(() => h.stop());

  it('applies the same event delivered 5 times concurrently once', async () => {
    const id = await installStripe();
    const payload = stripeInvoicePaid('evt_same', 'in_same');
    const responses = await Promise.all(Array.from({ length: 5 }, () => send(id, payload)));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(responses.reduce((sum, r) => sum + r.body.duplicates, 0)).toBe(4);
    const [row] = await io.settled(id, 1);
    expect(row.duplicate_count).toBe(4);
    expect(await io.conversions(id)).toHaveLength(1);
    // A redelivery after processing is still only acknowledged.
    expect((await send(id, payload)).body).toMatchObject({ duplicates: 1, accepted: 0 });
    expect(await io.conversions(id)).toHaveLength(1);
  });

  it('processes a burst of 2,000 events across 3 integrations exactly once, with few signals', async () => {
    const ids = [await installStripe(), await installStripe(), await installStripe()];
    const payloads = Array.from({ length: 2000 }, (_, i) => ({ id: ids[i % 3], payload: stripeInvoicePaid(`evt_burst_${i}`, `in_burst_${i}`, 100 + i) }));
    for (let start = 0; start < payloads.length; start += 50) {
      const statuses = await Promise.all(payloads.slice(start, start + 50).map(({ id, payload }) => send(id, payload).then((r) => r.status)));
      expect(statuses.every((status) => status === 200)).toBe(true);
    }
    for (const id of ids) await io.settled(id, ids.indexOf(id) === 0 ? 667 : 666);
    const sales = await h.db.selectFrom('conversions').select(['external_id', 'amount_minor']).where('integration_id', 'in', ids).execute();
    expect(sales).toHaveLength(2000);
    expect(new Set(sales.map((s) => s.external_id)).size).toBe(2000);
    expect(sales.reduce((sum, s) => sum + Number(s.amount_minor), 0)).toBe(2000 * 100 + (1999 * 2000) / 2);
    const statuses = await h.db.selectFrom('inbox').select('status').distinct().where('integration_id', 'in', ids).execute();
    expect(statuses.map((s) => s.status)).toEqual(['processed']);
    let signals = 0;
    for (const id of ids) signals += await signalsReceived(id);
    expect(signals).toBeLessThan(2000 / 10);
  });

  it('fails a poison event alone: the rest of its batch is applied', async () => {
    const id = await installStripe();
    const allow = await refuseConversion(h.db, 'refuse_poison', 'in_poison', 'poison invoice refused');
    try {
      await h.stopWorker();
      for (const invoice of ['in_before', 'in_poison', 'in_after']) await send(id, stripeInvoicePaid(`evt_${invoice}`, invoice));
      await h.startWorker();
      const rows = await io.settled(id, 3);
      expect(rows.map((row) => [row.dedup_key, row.status])).toEqual([['evt_in_before', 'processed'], ['evt_in_poison', 'failed'], ['evt_in_after', 'processed']]);
      expect(rows[1].reason).toContain('poison invoice refused');
      expect((await io.conversions(id)).map((c) => c.external_id).sort()).toEqual(['in_after', 'in_before']);
    } finally {
      await allow();
    }
  });

  it('answers bad input with the right status and stores nothing', async () => {
    const id = await installStripe();
    const payload = stripeInvoicePaid('evt_bad', 'in_bad');
    expect((await h.post(`/webhooks/paypal/${id}`, payload, stripeHeaders(payload, SECRET))).status).toBe(404);
    expect((await send('int_does_not_exist', payload)).status).toBe(404);
    expect((await send(id, payload, {} as never)).status).toBe(401);
    expect((await send(id, payload, stripeHeaders(payload, 'whsec_wrong'))).status).toBe(401);
    expect((await send(id, payload, stripeHeaders(payload, SECRET, Math.floor(Date.now() / 1000) - 600))).body.error.message).toContain('stale_timestamp');
    expect((await send(id, payload, stripeHeaders(payload, SECRET, Math.floor(Date.now() / 1000) + 600))).body.error.message).toContain('future_timestamp');
    const tampered = payload.replace('1000', '9000');
    expect((await send(id, tampered, stripeHeaders(payload, SECRET))).status).toBe(401);
    const malformed = '{"id": "evt_x", ';
    expect((await send(id, malformed, stripeHeaders(malformed, SECRET))).status).toBe(400);
    const huge = JSON.stringify({ id: 'evt_huge', padding: 'x'.repeat(1024 * 1024 + 1) });
    expect((await send(id, huge, stripeHeaders(huge, SECRET))).status).toBe(413);
    const encoded = await h.post(`/webhooks/stripe/${id}`, payload, { ...stripeHeaders(payload, SECRET), 'content-encoding': 'x-unknown' });
    expect([encoded.status, encoded.body.error.code]).toEqual([415, 'unsupported_encoding']);
    expect(await io.inbox(id)).toEqual([]);
    const failures = await h.db.selectFrom('signature_failures').select(['count']).where('integration_id', '=', id).execute();
    expect(failures.reduce((sum, f) => sum + f.count, 0)).toBe(5);
  });

  it('skips events while paused, applies them again after resume, answers 410 once disconnected', async () => {
    const id = await installStripe();
    expect((await h.api('POST', `/v1/integrations/${id}/pause`, { key })).body.state).toBe('paused');
    const whilePaused = await send(id, stripeInvoicePaid('evt_paused', 'in_paused'));
    expect(whilePaused.status).toBe(200);
    expect(whilePaused.body).toMatchObject({ skipped: 1, accepted: 0 });
    expect(await io.inbox(id)).toMatchObject([{ status: 'skipped', reason: 'paused' }]);
    await h.api('POST', `/v1/integrations/${id}/resume`, { key });
    await send(id, stripeInvoicePaid('evt_resumed', 'in_resumed'));
    await io.settled(id, 2);
    expect((await io.conversions(id)).map((c) => c.external_id)).toEqual(['in_resumed']);
    await h.api('POST', `/v1/integrations/${id}/disconnect`, { key });
    const gone = await send(id, stripeInvoicePaid('evt_gone', 'in_gone'));
    expect(gone.status).toBe(410);
    expect(await io.inbox(id)).toHaveLength(2);
  });

  it('stops a running drain for a lifecycle request, and drains the rest after it', async () => {
    const id = await installStripe();
    // Webhooks keep coming, so the drain would go on for its whole budget unless interrupted.
    let sending = true;
    let sent = 0;
    const sender = (async () => {
      while (sending) await send(id, stripeInvoicePaid(`evt_stream_${sent}`, `in_stream_${sent++}`));
    })();
    await waitFor(async () => (await io.conversions(id)).length > 0, 'the drain to be running');
    const paused = await h.api('POST', `/v1/integrations/${id}/pause`, { key });
    sending = false;
    await sender;
    expect(paused.body.state).toBe('paused');
    const history = await h.temporal.workflow.getHandle(integrationWorkflowId(id)).fetchHistory();
    expect(history.events!.some((event) => event.activityTaskCancelRequestedEventAttributes)).toBe(true);

    await h.api('POST', `/v1/integrations/${id}/resume`, { key });
    const rows = await io.settled(id, sent);
    const accepted = rows.filter((row) => row.status !== 'skipped');
    expect(accepted.every((row) => row.status === 'processed')).toBe(true);
    expect((await io.conversions(id)).length).toBe(accepted.length);
  });

  it('loses and doubles nothing when the worker is killed in the middle of a drain', async () => {
    await h.stopWorker();
    // Batches of two: the drain takes hundreds of transactions, so the kill lands in the middle of it.
    const worker = await h.forkWorker({ INBOX_BATCH_SIZE: '2' });
    const id = await installStripe();
    const payloads = Array.from({ length: 600 }, (_, i) => stripeInvoicePaid(`evt_kill_${i}`, `in_kill_${i}`));
    for (let start = 0; start < payloads.length; start += 50) {
      await Promise.all(payloads.slice(start, start + 50).map((payload) => send(id, payload)));
    }
    await waitFor(async () => (await io.inbox(id)).some((row) => row.status === 'processed'), 'the first batch to commit');
    await worker.kill();
    const afterKill = (await io.inbox(id)).filter((row) => row.status === 'processed').length;
    expect(afterKill).toBeLessThan(600);
    await h.startWorker();
    await io.settled(id, 600);
    const conversions = await io.conversions(id);
    expect(conversions).toHaveLength(600);
    expect(new Set(conversions.map((c) => c.external_id)).size).toBe(600);
    const events = await h.db.selectFrom('events').select('id').where('integration_id', '=', id).where('type', '=', 'sale.created').execute();
    expect(events).toHaveLength(600);
  });
});
