import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { createDb, type Db } from '../../db';
import { createWorkspace } from '../../db/queries/workspaces';
import { freePort } from '../../lib/temporal-server';
import type { ReceivedRequest } from '../support/fakes/http-server';
import { type Receiver, startReceiver } from '../support/fakes/receiver';
import { waitFor } from '../support/harness';
import { newSigningSecret, saleEvent } from '../support/outbound';
import { installThrough, type ServiceProcess, startServiceProcess } from '../support/service-process';
import { stripeHeaders } from '../support/signers';
import { stripeInvoicePaid } from '../support/stripe-events';

const SECRET = 'whsec_multi_process_secret';
const WEBHOOKS = 200;
const EVENTS = 100;
/** Every how many webhooks / events one is also sent to the other API (a provider's retry landing elsewhere). */
const RESENT_EVERY = 4;

/** Runs `task` over `items`, `width` at a time. */
async function inParallel<T>(items: T[], width: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await task(items[next++]);
  }));
}

/**
 * Two API processes and two worker processes (`node dist/<role>/main.js`) on one database and one task
 * queue: webhooks and workspace events spread over both APIs, some sent to both, come out exactly once.
 */
describe('two APIs and two workers on one database and Temporal: exactly-once outcomes', () => {
  let db: Db;
  let receiver: Receiver;
  const apis: Array<{ url: string; process: ServiceProcess }> = [];
  const workers: ServiceProcess[] = [];
  let key: string;
  let stripeId: string;
  let destinationId: string;

  const expectAlive = () => {
    for (const child of [...apis.map((api) => api.process), ...workers]) {
      if (child.exit() !== undefined) throw new Error(`process ${child.pid} exited (${child.exit()}):\n${child.output()}`);
    }
  };
  const until = <T>(check: () => Promise<T | undefined | false> | T | undefined | false, what: string) =>
    waitFor(() => {
      expectAlive();
      return check();
    }, what);

  beforeAll(async () => {
    db = createDb(process.env.DATABASE_URL!, 2);
    // Every 7th request's first attempt fails: retries run on whichever worker picks them up.
    const failedOnce = new Set<string>();
    receiver = await startReceiver(newSigningSecret(), (request: ReceivedRequest) => {
      const id = String(request.headers['webhook-id']);
      if (receiver.requests.length % 7 === 0 && !failedOnce.has(id)) {
        failedOnce.add(id);
        return { status: 500 };
      }
      return { status: 200 };
    });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_TASK_QUEUE: `test-${randomBytes(6).toString('hex')}`,
      LOG_LEVEL: 'info',
      DELIVERY_RETRY_INITIAL_MS: '100',
      DELIVERY_RETRY_MAX_MS: '400',
      // Never meant to fire here (the receiver answers at once), but the receiver runs in this loaded jest
      // process: an answer later than the timeout is a failed attempt by design, retried, and seen twice.
      DELIVERY_TIMEOUT_MS: '60000',
      DISPATCH_SWEEP_MS: '500',
      DOORBELL_SWEEP_MS: '500',
    };
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      apis.push({ url, process: startServiceProcess('api', { ...env, PORT: String(port), PUBLIC_BASE_URL: url }) });
      workers.push(startServiceProcess('worker', env));
    }
    await until(() => apis.every((api) => api.process.logged('API listening') > 0) && workers.every((worker) => worker.logged('worker running') > 0), 'two APIs and two workers to start');
    key = (await createWorkspace(db, 'Multi-process workspace')).apiKey.key;
    const install = (apiUrl: string, provider: string, settings: unknown, secrets: unknown) => installThrough(apiUrl, key, provider, settings, secrets);
    // Each installed through a different API: the other one learns of it from the database.
    stripeId = await install(apis[0].url, 'stripe', { mode: 'live' }, { webhookSecret: SECRET });
    destinationId = await install(apis[1].url, 'webhook', { targetUrl: `${receiver.url}/hook`, triggerEvents: ['sale.created'] }, { signingSecret: receiver.secret });
  });

  afterAll(async () => {
    await Promise.all([...apis.map((api) => api.process.kill()), ...workers.map((worker) => worker.kill())]);
    await receiver?.close();
    await db?.destroy();
  });

  it('applies each webhook once and delivers each event once, whichever API took it and whichever worker ran it', async () => {
    // Webhooks alternate between the APIs; every RESENT_EVERY-th is also sent to the other one at the same time.
    const sendWebhook = async (apiUrl: string, eventId: string) => {
      const payload = stripeInvoicePaid(eventId, `in_${eventId}`, 1250);
      const response = await fetch(`${apiUrl}/webhooks/stripe/${stripeId}`, {
        method: 'POST',
        body: payload,
        headers: { 'content-type': 'application/json', ...stripeHeaders(payload, SECRET) },
      });
      await response.text();
      expect(response.status).toBe(200);
    };
    const webhookIds = Array.from({ length: WEBHOOKS }, (_, i) => `evt_multi_${String(i).padStart(4, '0')}`);
    await inParallel(webhookIds, 8, async (eventId) => {
      const i = webhookIds.indexOf(eventId);
      const sends = [sendWebhook(apis[i % 2].url, eventId)];
      if (i % RESENT_EVERY === 0) sends.push(sendWebhook(apis[(i + 1) % 2].url, eventId));
      await Promise.all(sends);
    });

    // Workspace events alike, the repeat carrying the same Idempotency-Key.
    const emitted = new Set<string>();
    const emit = async (apiUrl: string, idempotencyKey: string, event: unknown) => {
      const response = await fetch(`${apiUrl}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
        body: JSON.stringify(event),
      });
      const body = (await response.json()) as { id: string };
      expect([200, 201]).toContain(response.status);
      emitted.add(body.id);
    };
    const eventKeys = Array.from({ length: EVENTS }, (_, i) => `multi-${i}`);
    await inParallel(eventKeys, 8, async (idempotencyKey) => {
      const i = eventKeys.indexOf(idempotencyKey);
      const event = saleEvent();
      const sends = [emit(apis[i % 2].url, idempotencyKey, event)];
      if (i % RESENT_EVERY === 0) sends.push(emit(apis[(i + 1) % 2].url, idempotencyKey, event));
      await Promise.all(sends);
    });
    expect(emitted.size).toBe(EVENTS);

    const applied = await until(async () => {
      const rows = await db.selectFrom('conversions').select('external_event_id').where('integration_id', '=', stripeId).orderBy('external_event_id').execute();
      return rows.length >= WEBHOOKS && rows.map((row) => row.external_event_id);
    }, `${WEBHOOKS} conversions`);
    expect(applied).toEqual(webhookIds);
    const saleEvents = await db
      .selectFrom('events')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('integration_id', '=', stripeId)
      .where('type', '=', 'sale.created')
      .executeTakeFirstOrThrow();
    expect(saleEvents.n).toBe(WEBHOOKS);

    // The destination gets the emitted events and the conversions' sale.created events, each answered 2xx once.
    const conversionEvents = await db.selectFrom('events').select('id').where('integration_id', '=', stripeId).where('type', '=', 'sale.created').execute();
    const expected = [...emitted, ...conversionEvents.map((row) => row.id)].sort();
    const delivered = await until(() => {
      const counts = receiver.delivered();
      return counts.size >= expected.length && counts;
    }, `${expected.length} events delivered`);
    expect([...delivered.keys()].sort()).toEqual(expected);
    expect([...delivered.values()].filter((count) => count !== 1)).toEqual([]);
    for (const request of receiver.requests.slice(0, 5)) expect(receiver.verify(request)).toMatchObject({ type: 'sale.created' });
    // The receiver counts an answer when it sends it; the worker records it a moment later.
    const deliveries = await until(async () => {
      const rows = await db
        .selectFrom('deliveries')
        .select(['status', sql<number>`count(*)::int`.as('n')])
        .where('integration_id', '=', destinationId)
        .groupBy('status')
        .execute();
      return rows.every((row) => row.status !== 'pending' && row.status !== 'delivering') && rows;
    }, 'every delivery recorded');
    expect(deliveries).toEqual([{ status: 'succeeded', n: expected.length }]);
    expectAlive();
  });
});
