import { sql } from 'kysely';
import { genericEvent, newWebhookSecret, sendGeneric } from '../support/generic-webhook';
import { type Harness, startHarness, waitFor } from '../support/harness';
import { inboundHelpers, refuseConversion } from '../support/inbound';
import { stripeHeaders } from '../support/signers';
import { stripeInvoicePaid } from '../support/stripe-events';

const SECRET = 'whsec_replay_secret_value';

describe('replaying the inbox: events skipped while paused, failed or ignored ones', () => {
  let h: Harness;
  let key: string;
  let io: ReturnType<typeof inboundHelpers>;
  /** Signed anew each time, as Stripe does on every retry and resend (new timestamp, same event id). */
  const send = (integrationId: string, payload: string) => h.post(`/webhooks/stripe/${integrationId}`, payload, stripeHeaders(payload, SECRET));
  const installStripe = async () => (await io.install('stripe', {}, { webhookSecret: SECRET })).id;
  const lifecycle = async (id: string, action: 'pause' | 'resume' | 'disconnect') => {
    const response = await h.api('POST', `/v1/integrations/${id}/${action}`, { key });
    expect(response.status).toBe(200);
  };
  const replay = (id: string, body: Record<string, unknown> = {}, apiKey = key) => h.api('POST', `/v1/integrations/${id}/webhook-events/replay`, { key: apiKey, body });
  const salesOf = async (id: string) => (await io.conversions(id)).map((c) => [c.external_id, Number(c.amount_minor), c.currency]);
  /** Waits until every row is settled and `status` holds for each event id. */
  const settledAs = (id: string, expected: Record<string, string>) =>
    waitFor(async () => {
      const rows = await io.inbox(id);
      const now = Object.fromEntries(rows.map((row) => [row.dedup_key, row.status]));
      return Object.entries(expected).every(([eventId, status]) => now[eventId] === status) && rows.every((row) => row.status !== 'pending') && rows;
    }, `inbox of ${id} to settle as ${JSON.stringify(expected)}`);

  beforeAll(async () => {
    h = await startHarness();
    key = (await h.newWorkspace('Replay')).key;
    io = inboundHelpers(h, () => key);
  });
  afterAll(() => h.stop());

  it('applies what arrived while paused once it is replayed after the resume, exactly once', async () => {
    const id = await installStripe();
    await lifecycle(id, 'pause');
    // One currency per ISO exponent (2, 0, 3): the replayed amounts keep theirs.
    for (const [eventId, invoice, amount, currency] of [['evt_p1', 'in_p1', 1200, 'eur'], ['evt_p2', 'in_p2', 3400, 'jpy'], ['evt_p3', 'in_p3', 12345, 'kwd']] as const) {
      const accepted = await send(id, stripeInvoicePaid(eventId, invoice, amount, currency));
      expect(accepted.status).toBe(200);
      expect(accepted.body).toMatchObject({ accepted: 0, skipped: 1 });
    }
    expect((await io.inbox(id)).map((row) => [row.dedup_key, row.status, row.reason])).toEqual([
      ['evt_p1', 'skipped', 'paused'],
      ['evt_p2', 'skipped', 'paused'],
      ['evt_p3', 'skipped', 'paused'],
    ]);

    // Paused syncs nothing: a replay now is refused and changes nothing.
    const refused = await replay(id);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'replay_refused', message: expect.stringContaining(`POST /v1/integrations/${id}/resume`) });
    expect((await io.inbox(id)).every((row) => row.status === 'skipped')).toBe(true);

    await lifecycle(id, 'resume');
    // Resuming alone applies nothing that was skipped.
    expect(await salesOf(id)).toEqual([]);
    const replayed = await replay(id);
    expect(replayed.status).toBe(200);
    expect(replayed.body).toMatchObject({ requeued: 3, more: false });
    expect(replayed.body.data.map((row: any) => [row.eventId, row.type, row.status, row.reason, row.outcome])).toEqual([
      ['evt_p1', 'invoice.paid', 'skipped', 'paused', 'requeued'],
      ['evt_p2', 'invoice.paid', 'skipped', 'paused', 'requeued'],
      ['evt_p3', 'invoice.paid', 'skipped', 'paused', 'requeued'],
    ]);
    const rows = await settledAs(id, { evt_p1: 'processed', evt_p2: 'processed', evt_p3: 'processed' });
    expect(rows.every((row) => row.reason === null && row.requeued_at !== null && row.result!.conversionIds.length === 1)).toBe(true);
    expect(await salesOf(id)).toEqual(expect.arrayContaining([['in_p1', 1200, 'EUR'], ['in_p2', 3400, 'JPY'], ['in_p3', 12345, 'KWD']]));
    expect(await io.conversions(id)).toHaveLength(3);

    // Again: nothing left to replay. Naming the processed rows reports each one, unchanged.
    expect((await replay(id)).body).toEqual({ requeued: 0, more: false, data: [] });
    const ids = rows.map((row) => String(row.id));
    const again = await replay(id, { ids: [...ids, '999999999'] });
    expect(again.status).toBe(200);
    expect(again.body.requeued).toBe(0);
    expect(again.body.data).toEqual([
      ...rows.map((row) => expect.objectContaining({ id: String(row.id), eventId: row.dedup_key, status: 'processed', outcome: 'unchanged', detail: expect.stringContaining('processed') })),
      { id: '999999999', outcome: 'not_found' },
    ]);
    expect(await io.conversions(id)).toHaveLength(3);
    const events = await h.db.selectFrom('events').select('type').where('integration_id', '=', id).where('type', '=', 'sale.created').execute();
    expect(events).toHaveLength(3);

    // The log shows when each row was queued again.
    const log = await h.api('GET', `/v1/integrations/${id}/webhook-events`, { key });
    expect(log.body.data.every((row: any) => row.status === 'processed' && typeof row.requeuedAt === 'string')).toBe(true);
  });

  it('applies a provider redelivery of a skipped event after the resume; a processed one stays a duplicate', async () => {
    const id = await installStripe();
    const payload = stripeInvoicePaid('evt_resent', 'in_resent', 4200, 'eur');
    await lifecycle(id, 'pause');
    expect((await send(id, payload)).body).toMatchObject({ skipped: 1, accepted: 0 });
    // Redelivered while still paused: counted, still skipped.
    expect((await send(id, payload)).body).toMatchObject({ skipped: 0, accepted: 0, duplicates: 1 });
    expect(await io.inbox(id)).toMatchObject([{ dedup_key: 'evt_resent', status: 'skipped', reason: 'paused', duplicate_count: 1 }]);

    await lifecycle(id, 'resume');
    // Stripe's "Resend" (or its own retries, here several at once) after the resume: same event id,
    // queued again by exactly one of them; the others are duplicates of the queued row.
    const resent = await Promise.all(Array.from({ length: 4 }, () => send(id, payload)));
    expect(resent.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    expect(resent.map((answer) => answer.body.accepted).sort()).toEqual([0, 0, 0, 1]);
    expect(resent.reduce((sum, answer) => sum + answer.body.duplicates, 0)).toBe(3);
    const [row] = await settledAs(id, { evt_resent: 'processed' });
    expect(row).toMatchObject({ duplicate_count: 5, reason: null });
    expect(await salesOf(id)).toEqual([['in_resent', 4200, 'EUR']]);

    // Once processed, a redelivery is a duplicate again.
    expect((await send(id, payload)).body).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await io.conversions(id)).toHaveLength(1);
    expect((await io.inbox(id))[0]).toMatchObject({ status: 'processed', duplicate_count: 6 });
  });

  it('replays a bounded number of rows per call, oldest first, within a time range', async () => {
    const id = await installStripe();
    await lifecycle(id, 'pause');
    for (let i = 1; i <= 5; i++) await send(id, stripeInvoicePaid(`evt_b${i}`, `in_b${i}`, 100 * i, 'eur'));
    // Spread over five days, so a range can pick some of them.
    await sql`UPDATE inbox SET received_at = '2024-03-01T00:00:00Z'::timestamptz + (substring(dedup_key from 6)::int - 1) * interval '1 day'
      WHERE integration_id = ${id}`.execute(h.db);
    await lifecycle(id, 'resume');
    await h.stopWorker();
    try {
      const ranged = await replay(id, { status: ['skipped'], receivedFrom: '2024-03-02', receivedTo: '2024-03-04T00:00:00Z', limit: 1 });
      expect(ranged.body).toMatchObject({ requeued: 1, more: true, data: [{ eventId: 'evt_b2', outcome: 'requeued' }] });
      const rest = await replay(id, { receivedFrom: '2024-03-02', receivedTo: '2024-03-04T00:00:00Z' });
      expect(rest.body).toMatchObject({ requeued: 1, more: false, data: [{ eventId: 'evt_b3', receivedAt: '2024-03-03T00:00:00.000Z' }] });

      // A replayed row waits from its re-queue: days-old arrivals are not an old backlog.
      const health = (await h.api('GET', `/v1/integrations/${id}`, { key })).body.health;
      expect(health.inbound.pendingEvents).toBe(2);
      expect(health.inbound.oldestPendingAgeSeconds).toBeLessThan(24 * 3600);
      // Rows already queued are not queued twice: the next pages are the other three.
      const firstPage = await replay(id, { limit: 2 });
      expect(firstPage.body).toMatchObject({ requeued: 2, more: true });
      expect(firstPage.body.data.map((row: any) => row.eventId)).toEqual(['evt_b1', 'evt_b4']);
      expect((await replay(id, { limit: 2 })).body).toMatchObject({ requeued: 1, more: false, data: [{ eventId: 'evt_b5' }] });
      expect((await replay(id, { limit: 2 })).body).toMatchObject({ requeued: 0, more: false });
    } finally {
      await h.startWorker();
    }
    await settledAs(id, { evt_b1: 'processed', evt_b2: 'processed', evt_b3: 'processed', evt_b4: 'processed', evt_b5: 'processed' });
    expect((await salesOf(id)).map(([invoice]) => invoice).sort()).toEqual(['in_b1', 'in_b2', 'in_b3', 'in_b4', 'in_b5']);
  });

  it('queues each row once when replays race', async () => {
    const id = await installStripe();
    await lifecycle(id, 'pause');
    for (let i = 0; i < 20; i++) await send(id, stripeInvoicePaid(`evt_race_${i}`, `in_race_${i}`));
    await lifecycle(id, 'resume');
    const answers = await Promise.all(Array.from({ length: 4 }, () => replay(id)));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    const queued = answers.flatMap((answer) => answer.body.data.filter((row: any) => row.outcome === 'requeued').map((row: any) => row.eventId));
    expect(queued).toHaveLength(20);
    expect(new Set(queued).size).toBe(20);
    await io.settled(id, 20);
    expect(await io.conversions(id)).toHaveLength(20);
  });

  it('re-runs a failed event: one still failing fails again with its reason, a fixed one is applied', async () => {
    const id = await installStripe();
    const fix = await refuseConversion(h.db, 'refuse_replay_poison', 'in_replay_poison', 'replay poison refused');
    try {
      await send(id, stripeInvoicePaid('evt_poison', 'in_replay_poison', 700, 'eur'));
      await send(id, stripeInvoicePaid('evt_fine', 'in_replay_fine', 800, 'eur'));
      const [poison] = await settledAs(id, { evt_poison: 'failed', evt_fine: 'processed' });
      expect(poison.reason).toContain('replay poison refused');

      const stillFailing = await replay(id, { status: ['failed'] });
      expect(stillFailing.body).toMatchObject({ requeued: 1, data: [{ eventId: 'evt_poison', status: 'failed', reason: expect.stringContaining('replay poison refused'), outcome: 'requeued' }] });
      await waitFor(async () => (await io.inbox(id)).find((row) => row.dedup_key === 'evt_poison' && row.status === 'failed' && row.requeued_at !== null), 'the replayed row to fail again');
      const failedAgain = await h.api('GET', `/v1/integrations/${id}/webhook-events?status=failed`, { key });
      expect(failedAgain.body.data).toEqual([expect.objectContaining({ eventId: 'evt_poison', reason: expect.stringContaining('replay poison refused') })]);
    } finally {
      await fix();
    }
    expect((await replay(id, { status: ['failed'] })).body).toMatchObject({ requeued: 1 });
    await settledAs(id, { evt_poison: 'processed', evt_fine: 'processed' });
    expect((await salesOf(id)).sort()).toEqual([['in_replay_fine', 800, 'EUR'], ['in_replay_poison', 700, 'EUR']]);
  });

  it('re-runs ignored events with the settings fixed meanwhile', async () => {
    const secret = newWebhookSecret();
    const { id } = await io.install('webhook', {}, { signingSecret: secret });
    const trial = { ...genericEvent({ type: 'Trial Started', customerId: 'u_trial' }), amountMinor: undefined };
    expect((await sendGeneric(h, id, secret, trial, 'msg_trial')).status).toBe(200);
    const [ignored] = await settledAs(id, { msg_trial: 'ignored' });
    expect(ignored.reason).toContain('no eventMapping entry for "Trial Started"');
    // Ignored rows are replayed only when asked for.
    expect((await replay(id)).body.requeued).toBe(0);

    const patched = await h.api('PATCH', `/v1/integrations/${id}`, { key, body: { settings: { eventMapping: { 'Trial Started': { type: 'lead', eventName: 'trial' } } } } });
    expect(patched.status).toBe(200);
    expect((await replay(id, { status: ['ignored'] })).body).toMatchObject({ requeued: 1, data: [{ eventId: 'msg_trial', status: 'ignored', outcome: 'requeued' }] });
    await settledAs(id, { msg_trial: 'processed' });
    expect((await io.conversions(id)).map((c) => [c.type, c.event_name])).toEqual([['lead', 'trial']]);
  });

  it('refuses a replay of a disconnected integration, bad bodies with the field, another workspace with 404', async () => {
    const id = await installStripe();
    for (const [body, path] of [
      [{ status: ['processed'] }, 'status.0'],
      [{ status: [] }, 'status'],
      [{ ids: ['12'], limit: 5 }, 'ids'],
      [{ ids: ['not-an-id'] }, 'ids.0'],
      [{ receivedFrom: '2024-03-02', receivedTo: '2024-03-01' }, 'receivedTo'],
      [{ receivedFrom: 'yesterday' }, 'receivedFrom'],
      [{ limit: 1001 }, 'limit'],
      [{ statuses: ['skipped'] }, '(body)'],
    ] as const) {
      const answer = await replay(id, body);
      expect(answer.status).toBe(400);
      expect(answer.body.error.issues.map((issue: { path: string }) => issue.path)).toContain(path);
    }
    const other = await h.newWorkspace('Someone else');
    expect((await replay(id, {}, other.key)).status).toBe(404);

    await lifecycle(id, 'disconnect');
    const refused = await replay(id);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'replay_refused', message: expect.stringContaining('disconnected') });
  });
});
