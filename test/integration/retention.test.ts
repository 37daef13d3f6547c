import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { sql } from 'kysely';
import { createDb, dropDatabase, ensureDatabase, migrateToLatest } from '../../db';
import type { DeliveryStatus, InboxStatus } from '../../contract/states';
import { loadConfig } from '../../lib/config';
import { type RunningWorker, runWorker } from '../../worker/run-worker';
import { ensureRetentionSchedule, RETENTION_SCHEDULE_ID } from '../../worker/retention-schedule';
import type { RetentionReport } from '../../contract/retention';
import { type Harness, startHarness, waitFor } from '../support/harness';
import { inboundHelpers } from '../support/inbound';
import { stripeHeaders } from '../support/signers';
import { stripeInvoicePaid } from '../support/stripe-events';
import { ownDatabaseUrl } from '../support/own-database';

const SECRET = 'whsec_retention_secret_value';
/** Windows of this test's service (none the default, so the schedule is seen to carry the configuration). */
const RETENTION_ENV = {
  RETENTION_INBOX_DAYS: '10',
  RETENTION_DELIVERY_ATTEMPTS_DAYS: '5',
  RETENTION_SIGNATURE_FAILURES_DAYS: '3',
  RETENTION_TRANSITIONS_DAYS: '20',
  RETENTION_BATCH_SIZE: '50',
  RETENTION_INTERVAL_MS: String(2 * 60 * 60 * 1000),
  // Seeded pending rows must stay pending: no sweep rings their integrations during the test.
  DOORBELL_SWEEP_MS: String(60 * 60 * 1000),
};
const POLICY = { inboxDays: 10, deliveryAttemptsDays: 5, signatureFailuresDays: 3, transitionsDays: 20, batchSize: 50 };
const HISTORIES_DIR = join(__dirname, '..', '..', '..', 'test', 'histories');

/** `days` ago by the database's clock (the one retention reads). */
const daysAgo = (days: number) => sql<Date>`now() - make_interval(days => ${days})`;

/**
 * Retention deletes across whole tables, so this file runs on a database of its own: the other test
 * files' rows (some with old timestamps on purpose) are out of its reach. The Schedule is the real one,
 * created by the worker's start (runWorker), and each run is started by triggering it.
 */
describe('retention: the tables that grow with traffic stay bounded', () => {
  const databaseUrl = ownDatabaseUrl('retention');
  let h: Harness;
  let worker: RunningWorker;
  let key: string;
  let workspaceId: string;
  let io: ReturnType<typeof inboundHelpers>;
  let lastRun: { workflowId: string; runId: string } | undefined;

  const send = (integrationId: string, payload: string) => h.post(`/webhooks/stripe/${integrationId}`, payload, stripeHeaders(payload, SECRET));
  const installStripe = async () => (await io.install('stripe', {}, { webhookSecret: SECRET })).id;

  /** Triggers the Schedule and waits for the run it started. */
  const runRetention = async (): Promise<RetentionReport> => {
    const schedule = h.temporal.schedule.getHandle(RETENTION_SCHEDULE_ID);
    const before = (await schedule.describe()).info.numActionsTaken;
    await schedule.trigger();
    const started = await waitFor(async () => {
      const { info } = await schedule.describe();
      return info.numActionsTaken > before && [...info.recentActions].sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime())[0];
    }, 'the triggered retention run');
    lastRun = { workflowId: started.action.workflow.workflowId, runId: started.action.workflow.firstExecutionRunId };
    return h.temporal.workflow.getHandle(lastRun.workflowId, lastRun.runId).result();
  };

  /**
   * An integration row without a workflow (nothing drains its inbox): what retention sees of an
   * integration is its rows, and seeded pending rows stay pending.
   */
  const seedIntegration = async (state: 'active' | 'disconnected', stateChangedDaysAgo = 0) => {
    const id = `int_seeded_${randomBytes(4).toString('hex')}`;
    await h.db
      .insertInto('integrations')
      .values({ id, workspace_id: workspaceId, provider: 'stripe', state, settings: '{}', installed_by: 'test', state_changed_at: daysAgo(stateChangedDaysAgo), state_changed_by: 'test', updated_at: new Date() })
      .execute();
    return id;
  };

  let dedup = 0;
  const inboxRow = (integrationId: string, status: InboxStatus, receivedDaysAgo: number, more: Record<string, unknown> = {}) => ({
    integration_id: integrationId,
    workspace_id: workspaceId,
    provider: 'stripe',
    dedup_key: `evt_seeded_${++dedup}`,
    event_type: 'invoice.paid',
    payload: JSON.stringify({ id: `evt_seeded_${dedup}` }),
    status,
    reason: status === 'skipped' ? 'paused' : null,
    received_at: daysAgo(receivedDaysAgo),
    processed_at: status === 'pending' ? null : daysAgo(receivedDaysAgo),
    ...more,
  });
  const inboxKeys = async (integrationId: string) =>
    (await h.db.selectFrom('inbox').select('dedup_key').where('integration_id', '=', integrationId).orderBy('id').execute()).map((row) => row.dedup_key);

  /** A workspace event with a delivery to `destinationId` and its attempts, `daysAgo` each. */
  const delivery = async (destinationId: string, status: DeliveryStatus, attemptsDaysAgo: number[]) => {
    const suffix = randomBytes(4).toString('hex');
    await h.db.insertInto('events').values({ id: `evt_${suffix}`, workspace_id: workspaceId, type: 'sale.created', data: '{}' }).execute();
    await h.db
      .insertInto('deliveries')
      .values({ id: `dlv_${suffix}`, integration_id: destinationId, workspace_id: workspaceId, event_id: `evt_${suffix}`, event_type: 'sale.created', status, attempts: attemptsDaysAgo.length, updated_at: new Date() })
      .execute();
    await h.db
      .insertInto('delivery_attempts')
      .values(
        attemptsDaysAgo.map((days, index) => ({
          delivery_id: `dlv_${suffix}`, attempt: index + 1, round: 1, started_at: daysAgo(days), latency_ms: 12,
          request_headers: JSON.stringify({ 'webhook-id': `evt_${suffix}` }), status_code: 500, response_body: 'no', outcome: 'retryable',
        })),
      )
      .execute();
    return `dlv_${suffix}`;
  };
  const attemptsOf = async (deliveryId: string) =>
    (await h.db.selectFrom('delivery_attempts').select('attempt').where('delivery_id', '=', deliveryId).orderBy('attempt').execute()).map((row) => row.attempt);

  beforeAll(async () => {
    await ensureDatabase(databaseUrl);
    const setup = createDb(databaseUrl, 1);
    await migrateToLatest(setup);
    await setup.destroy();
    h = await startHarness({ DATABASE_URL: databaseUrl, ...RETENTION_ENV });
    // The worker as `node dist/worker/main.js` starts it: this is what creates the Schedule.
    worker = await runWorker(h.config.temporalAddress!, { db: h.db, box: h.box, config: h.config, temporal: h.temporal });
    ({ key, workspaceId } = await h.newWorkspace('Retention'));
    io = inboundHelpers(h, () => key);
  });
  afterAll(async () => {
    await h.temporal.schedule.getHandle(RETENTION_SCHEDULE_ID).delete();
    await worker.stop();
    await h.stop();
    await dropDatabase(databaseUrl);
  });

  it('the worker start creates the Schedule with the configured spec, visible through the client', async () => {
    const schedule = await h.temporal.schedule.getHandle(RETENTION_SCHEDULE_ID).describe();
    expect(schedule.spec.intervals).toMatchObject([{ every: 2 * 60 * 60 * 1000 }]);
    expect(schedule.policies.overlap).toBe('SKIP');
    expect(schedule.state.paused).toBe(false);
    expect(schedule.action).toMatchObject({ type: 'startWorkflow', workflowType: 'retentionWorkflow', workflowId: RETENTION_SCHEDULE_ID, taskQueue: h.config.taskQueue, args: [POLICY] });
    expect(schedule.info.nextActionTimes.length).toBeGreaterThan(0);
  });

  it('deletes what is past each window and keeps younger rows, pending inbox rows and deliveries in flight', async () => {
    const id = await seedIntegration('active');
    await h.db
      .insertInto('inbox')
      .values([
        inboxRow(id, 'processed', 11, { dedup_key: 'old_processed' }),
        inboxRow(id, 'failed', 11, { dedup_key: 'old_failed' }),
        inboxRow(id, 'ignored', 11, { dedup_key: 'old_ignored' }),
        inboxRow(id, 'skipped', 11, { dedup_key: 'old_skipped' }),
        inboxRow(id, 'pending', 11, { dedup_key: 'old_pending' }),
        // The provider sent it again yesterday: its dedup key still counts.
        inboxRow(id, 'processed', 11, { dedup_key: 'old_redelivered', last_duplicate_at: daysAgo(1), duplicate_count: 1 }),
        inboxRow(id, 'processed', 9, { dedup_key: 'young_processed' }),
      ])
      .execute();
    const finished = await delivery(id, 'succeeded', [6, 6, 4]);
    const inFlight = await delivery(id, 'delivering', [6]);
    await h.db
      .insertInto('signature_failures')
      .values([4, 2].map((days) => ({ integration_id: id, bucket: sql<Date>`date_trunc('minute', ${daysAgo(days)})`, count: 3, last_reason: 'bad signature' })))
      .execute();
    await h.db
      .insertInto('integration_transitions')
      .values([21, 19, 0].map((days) => ({ integration_id: id, workspace_id: workspaceId, action: 'pause', from_state: 'active', to_state: 'paused', actor: 'operator', reason: `${days} days ago`, occurred_at: daysAgo(days), request_id: `seeded-${days}` })))
      .execute();

    const report = await runRetention();

    expect(report).toMatchObject({
      inbox: { deleted: 4, complete: true },
      delivery_attempts: { deleted: 2, complete: true },
      signature_failures: { deleted: 1, complete: true },
      integration_transitions: { deleted: 1, complete: true },
    });
    expect(await inboxKeys(id)).toEqual(['old_pending', 'old_redelivered', 'young_processed']);
    expect(await h.db.selectFrom('inbox').select('status').where('dedup_key', '=', 'old_pending').executeTakeFirst()).toEqual({ status: 'pending' });
    // The finished delivery keeps its summary (status, attempt count) and its attempt inside the window.
    expect(await attemptsOf(finished)).toEqual([3]);
    expect(await h.db.selectFrom('deliveries').select(['status', 'attempts']).where('id', '=', finished).executeTakeFirst()).toEqual({ status: 'succeeded', attempts: 3 });
    expect(await attemptsOf(inFlight)).toEqual([1]);
    const buckets = await h.db.selectFrom('signature_failures').select(sql<number>`round(extract(epoch from now() - bucket) / 86400)::int`.as('days')).where('integration_id', '=', id).execute();
    expect(buckets).toEqual([{ days: 2 }]);
    const transitions = await h.api('GET', `/v1/integrations/${id}/transitions`, { key });
    expect(transitions.body.data.map((t: any) => t.reason)).toEqual(['0 days ago', '19 days ago']);

    // The run is deterministic against the current workflow code (a history is recorded with RECORD_HISTORIES=1).
    const history = await h.temporal.workflow.getHandle(lastRun!.workflowId, lastRun!.runId).fetchHistory();
    await expect(Worker.runReplayHistory({ workflowBundle: { codePath: process.env.LINQUID_TEST_WORKFLOW_BUNDLE! } }, history, lastRun!.workflowId)).resolves.toBeUndefined();
    if (process.env.RECORD_HISTORIES === '1') writeFileSync(join(HISTORIES_DIR, `retention-${new Date().toISOString().slice(0, 10)}.json`), historyToJSON(history));
  });

  it('deletes more expired rows than one batch holds, batch after batch, in one run', async () => {
    const id = await seedIntegration('active');
    await h.db.insertInto('inbox').values(Array.from({ length: 130 }, () => inboxRow(id, 'processed', 30))).execute();
    await h.db
      .insertInto('integration_transitions')
      .values(Array.from({ length: 175 }, (_, n) => ({ integration_id: id, workspace_id: workspaceId, action: 'updateSettings', from_state: 'active', to_state: 'active', actor: 'operator', reason: null, occurred_at: daysAgo(25), request_id: `bulk-${n}` })))
      .execute();

    const report = await runRetention();

    // Batches of 50 rows: at least 3 for the inbox, 4 for the transitions.
    expect(report.inbox).toEqual({ deleted: 130, batches: expect.any(Number), complete: true });
    expect(report.inbox!.batches).toBeGreaterThanOrEqual(3);
    expect(report.integration_transitions).toEqual({ deleted: 175, batches: expect.any(Number), complete: true });
    expect(report.integration_transitions!.batches).toBeGreaterThanOrEqual(4);
    expect(await inboxKeys(id)).toEqual([]);
    expect(await h.db.selectFrom('integration_transitions').select('id').where('integration_id', '=', id).execute()).toEqual([]);
  });

  it('conversions and customers outlive their inbox row; a redelivery after the window is new, and the business key keeps one sale', async () => {
    const id = await installStripe();
    const payload = stripeInvoicePaid('evt_kept_sale', 'in_kept_sale', 4200, 'usd');
    expect((await send(id, payload)).status).toBe(200);
    const [row] = await io.settled(id, 1);
    expect(row.status).toBe('processed');
    const [conversion] = await io.conversions(id);
    const [customer] = await io.customers(id);
    await h.db.updateTable('inbox').set({ received_at: daysAgo(11), processed_at: daysAgo(11) }).where('id', '=', row.id).execute();

    await runRetention();

    expect(await inboxKeys(id)).toEqual([]);
    const kept = await h.api('GET', `/v1/conversions/${conversion.id}`, { key });
    expect(kept.status).toBe(200);
    expect(kept.body).toMatchObject({ id: conversion.id, type: 'sale', amountMinor: 4200, currency: 'USD' });
    expect((await h.api('GET', `/v1/customers/${customer.id}`, { key })).status).toBe(200);

    // Stripe would not resend after 10 days; if anything does, it is stored as a new event…
    const again = await send(id, payload);
    expect(again.body).toMatchObject({ accepted: 1, duplicates: 0 });
    const [redelivered] = await io.settled(id, 1);
    expect(redelivered).toMatchObject({ dedup_key: 'evt_kept_sale', status: 'processed' });
    // …and applying it adds nothing: one sale per invoice.
    expect((await io.conversions(id)).map((c) => c.id)).toEqual([conversion.id]);
    const listed = await h.api('GET', `/v1/conversions?integrationId=${id}&includeTest=true`, { key });
    expect(listed.body.data.map((c: any) => c.id)).toEqual([conversion.id]);
  });

  it("purges a disconnected integration's inbox, pending rows included, and its delivery attempts one window after the disconnect", async () => {
    // Disconnected 11 days ago (past the 10-day inbox and 5-day attempts windows), and yesterday. Rows they had
    // when they were disconnected: nothing drains a disconnected integration's inbox.
    const longGone = await seedIntegration('disconnected', 11);
    const recentlyGone = await seedIntegration('disconnected', 1);
    for (const id of [longGone, recentlyGone]) {
      await h.db.insertInto('inbox').values([inboxRow(id, 'pending', 12, { dedup_key: `${id}_pending` }), inboxRow(id, 'processed', 12, { dedup_key: `${id}_processed` })]).execute();
    }
    const stranded = await delivery(longGone, 'pending', [7, 6]);
    const strandedRecent = await delivery(recentlyGone, 'pending', [7, 6]);

    await runRetention();

    expect(await inboxKeys(longGone)).toEqual([]);
    expect(await attemptsOf(stranded)).toEqual([]);
    // Disconnected yesterday: only what any integration loses goes; its pending row and stranded delivery stay.
    expect(await inboxKeys(recentlyGone)).toEqual([`${recentlyGone}_pending`]);
    expect(await attemptsOf(strandedRecent)).toEqual([1, 2]);
  });

  it('RETENTION_ENABLED=false leaves the Schedule paused with a note; enabling it again resumes it', async () => {
    const schedule = h.temporal.schedule.getHandle(RETENTION_SCHEDULE_ID);
    await ensureRetentionSchedule(h.temporal, loadConfig({ ...process.env, ...RETENTION_ENV, RETENTION_ENABLED: 'false', TEMPORAL_TASK_QUEUE: h.config.taskQueue }));
    expect((await schedule.describe()).state).toMatchObject({ paused: true, note: expect.stringContaining('RETENTION_ENABLED=false') });
    await ensureRetentionSchedule(h.temporal, h.config);
    expect((await schedule.describe()).state.paused).toBe(false);
  });

  it('refuses to start with an inbox window shorter than the dedup window', async () => {
    const child = spawn(process.execPath, [join(__dirname, '..', '..', 'worker', 'main.js')], {
      env: { ...process.env, DATABASE_URL: databaseUrl, RETENTION_INBOX_DAYS: '3' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const code = await new Promise<number | null>((exited) => child.once('exit', exited));
    expect(code).toBe(1);
    expect(output).toContain('RETENTION_INBOX_DAYS=3 is shorter than the inbox dedup window');
  });
});
