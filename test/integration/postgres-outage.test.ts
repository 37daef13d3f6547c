import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { FEED_LOST, FEED_RECONNECT_FAILED, LISTENER_NAME } from '../../api/inbound-integrations';
import { createDb, type Db } from '../../db';
import { createWorkspace } from '../../db/queries/workspaces';
import { freePort } from '../../lib/temporal-server';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy';
import { waitFor } from '../support/harness';
import { saleEvent } from '../support/outbound';
import { installThrough, type ServiceProcess, startServiceProcess } from '../support/service-process';
import { stripeHeaders } from '../support/signers';
import { stripeInvoicePaid } from '../support/stripe-events';

const SECRET = 'whsec_outage_secret';

interface Answer {
  status: number;
  retryAfter: string | null;
}

/**
 * The API and the worker as production runs them (`node dist/<role>/main.js`), reaching PostgreSQL through
 * a proxy the test cuts, while a provider keeps sending webhooks and re-sends the ones answered 5xx.
 */
describe('PostgreSQL outages: no process exits, webhooks get 503 meanwhile, every event is applied once', () => {
  let db: Db;
  let proxy: FaultProxy;
  let env: NodeJS.ProcessEnv;
  let api: ServiceProcess;
  let worker: ServiceProcess;
  /** Every process started, by role: none may exit. */
  const processes: Array<[string, ServiceProcess]> = [];
  const start = (role: 'api' | 'worker') => {
    const started = startServiceProcess(role, env);
    processes.push([role, started]);
    return started;
  };
  let url: string;
  let integrationId: string;
  let key: string;
  /** Every answer each event got, in order. */
  const answers = new Map<string, Answer[]>();

  /** A webhook the API did not answer at all (the sender's error), if any. */
  let unanswered: unknown;
  const expectAlive = () => {
    for (const [role, child] of processes) {
      if (child.exit() !== undefined) throw new Error(`the ${role} process exited (${child.exit()}):\n${child.output()}`);
    }
    if (unanswered) throw new Error(`a webhook got no answer: ${String(unanswered)}`);
  };
  /** `waitFor`, failing at once when a process died or a webhook went unanswered. */
  const until = <T>(check: () => Promise<T | undefined | false> | T | undefined | false, what: string) =>
    waitFor(() => {
      expectAlive();
      return check();
    }, what);
  const send = async (eventId: string): Promise<Answer> => {
    const payload = stripeInvoicePaid(eventId, `in_${eventId}`, 1250);
    const response = await fetch(`${url}/webhooks/stripe/${integrationId}`, {
      method: 'POST',
      body: payload,
      headers: { 'content-type': 'application/json', ...stripeHeaders(payload, SECRET) },
    });
    await response.text();
    const answer = { status: response.status, retryAfter: response.headers.get('retry-after') };
    answers.set(eventId, [...(answers.get(eventId) ?? []), answer]);
    return answer;
  };
  const answered = (prefix: string, status: number) =>
    [...answers].filter(([id, seen]) => id.startsWith(`${prefix}_`) && seen.some((answer) => answer.status === status)).map(([id]) => id);
  const probe = async (path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${url}${path}`, { headers });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as Record<string, any> };
  };

  /** `POST /v1/events` of a sale (served ahead of Express, its events written by group commit). */
  const postEvent = async () => {
    const response = await fetch(`${url}/v1/events`, { method: 'POST', body: JSON.stringify(saleEvent()), headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as Record<string, any> };
  };

  /** A provider sending new events one after another until stopped. */
  const traffic = (prefix: string) => {
    let sending = true;
    const done = (async () => {
      for (let i = 0; sending; i++) await send(`${prefix}_${i}`);
    })().catch((error: unknown) => {
      unanswered = error;
    });
    return async () => {
      sending = false;
      await done;
    };
  };

  /** After the cut: what was answered 503 is sent again, and everything answered 200 becomes one conversion. */
  const expectAllAppliedOnce = async (prefix: string) => {
    const sent = [...answers.keys()].filter((id) => id.startsWith(`${prefix}_`)).sort();
    for (const id of sent) {
      for (const answer of answers.get(id)!) {
        expect([200, 503]).toContain(answer.status);
        if (answer.status === 503) expect(answer.retryAfter).toMatch(/^[1-9]\d*$/);
      }
    }
    for (const id of answered(prefix, 503)) expect((await send(id)).status).toBe(200);
    const accepted = answered(prefix, 200).sort();
    expect(accepted).toEqual(sent);
    const applied = await until(async () => {
      const rows = await db
        .selectFrom('conversions')
        .select('external_event_id')
        .where('integration_id', '=', integrationId)
        .where('external_event_id', 'like', `${prefix}\\_%`)
        .orderBy('external_event_id')
        .execute();
      return rows.length >= accepted.length && rows.map((row) => row.external_event_id);
    }, `${accepted.length} conversions of ${prefix}`);
    expect(applied).toEqual(accepted);
    const inbox = await db.selectFrom('inbox').select(['dedup_key', 'status']).where('integration_id', '=', integrationId).where('dedup_key', 'like', `${prefix}\\_%`).execute();
    expect(inbox.filter((row) => row.status === 'processed').map((row) => row.dedup_key).sort()).toEqual(accepted);
    // One workspace event per conversion, whatever was retried: nothing was applied twice.
    const [conversions, events] = await Promise.all([
      db.selectFrom('conversions').select(sql<number>`count(*)`.as('n')).where('integration_id', '=', integrationId).executeTakeFirstOrThrow(),
      db.selectFrom('events').select(sql<number>`count(*)`.as('n')).where('integration_id', '=', integrationId).where('type', '=', 'sale.created').executeTakeFirstOrThrow(),
    ]);
    expect(events.n).toBe(conversions.n);
    expectAlive();
  };

  /**
   * Webhooks flow while `cut` takes PostgreSQL away until `over` holds (503s seen, the worker's sweep
   * failed…); then it comes back: ready again without a restart, and every event is applied once.
   */
  const outage = async (prefix: string, cut: () => void, over: (since: { sweepFailures: number; feedRetries: number }) => boolean) => {
    const stop = traffic(prefix);
    await until(() => answered(prefix, 200).length >= 3, `webhooks of ${prefix} accepted before the cut`);
    const since = { sweepFailures: worker.logged('doorbell sweep failed'), feedRetries: api.logged(FEED_RECONNECT_FAILED) };
    cut();
    await until(() => answered(prefix, 503).length >= 3 && over(since), `the ${prefix} cut to be noticed`);
    const [ready, healthy, listing, posted] = await Promise.all([
      probe('/readyz'),
      probe('/healthz'),
      probe('/v1/conversions', { authorization: `Bearer ${key}` }),
      postEvent(),
    ]);
    expect(ready).toMatchObject({ status: 503, body: { database: 'unreachable' } });
    expect(healthy.status).toBe(200);
    // The rest of the API alike: a 503 to come back later, not a 500.
    for (const answer of [listing, posted]) expect(answer).toMatchObject({ status: 503, retryAfter: expect.stringMatching(/^[1-9]\d*$/), body: { error: { code: 'database_unavailable' } } });
    expectAlive();

    await proxy.restore();
    await until(async () => (await probe('/readyz')).status === 200, 'the API to be ready again');
    // The change feed is listening again (cached integrations are forgotten when it is back).
    await until(async () => {
      const listeners = await sql`SELECT 1 FROM pg_stat_activity WHERE application_name = ${`${LISTENER_NAME}-${api.pid}`}`.execute(db);
      return listeners.rows.length === 1;
    }, 'the change feed to listen again');
    const acceptedBefore = answered(prefix, 200).length;
    await until(() => answered(prefix, 200).length > acceptedBefore, 'a webhook accepted after the restore');
    await stop();
    await expectAllAppliedOnce(prefix);
  };

  beforeAll(async () => {
    db = createDb(process.env.DATABASE_URL!, 2);
    proxy = await startFaultProxy(process.env.DATABASE_URL!);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    env = {
      ...process.env,
      DATABASE_URL: proxy.url,
      PORT: String(port),
      PUBLIC_BASE_URL: url,
      TEMPORAL_TASK_QUEUE: `test-${randomBytes(6).toString('hex')}`,
      LOG_LEVEL: 'info',
      DOORBELL_SWEEP_MS: '500',
      // Short, so a stalled connection is given up on soon: the test waits for the 503s, not for a time.
      DATABASE_CONNECT_TIMEOUT_MS: '1000',
      DATABASE_QUERY_TIMEOUT_MS: '2000',
    };
    api = start('api');
    worker = start('worker');
    await until(() => api.logged('API listening') > 0 && worker.logged('worker running') > 0, 'the API and the worker to start');
    key = (await createWorkspace(db, 'Outage workspace')).apiKey.key;
    integrationId = await installThrough(url, key, 'stripe', { mode: 'live' }, { webhookSecret: SECRET });
  });

  afterAll(async () => {
    await Promise.all(processes.map(([, child]) => child.kill()));
    await proxy?.close();
    await db?.destroy();
  });

  it('rides out connections reset under it (pg_terminate_backend): the pools reconnect by themselves', async () => {
    const stop = traffic('terminated');
    await until(() => answered('terminated', 200).length >= 3, 'webhooks accepted before the reset');
    const feedLosses = api.logged(FEED_LOST);
    proxy.reset();
    await until(() => api.logged(FEED_LOST) > feedLosses, 'the API to notice its change feed was cut');
    const acceptedBefore = answered('terminated', 200).length;
    await until(() => answered('terminated', 200).length > acceptedBefore + 3, 'webhooks accepted after the reset');
    await stop();
    await expectAllAppliedOnce('terminated');
  });

  it('rides out a restart (connections reset, new ones refused): 503 with Retry-After meanwhile', async () => {
    await outage(
      'restart',
      () => {
        proxy.refuse();
        proxy.reset();
      },
      () => true,
    );
  });

  it('rides out a stop: the sweeps and the change feed keep retrying, a worker started meanwhile waits', async () => {
    let late: ServiceProcess | undefined;
    await outage(
      'stop',
      () => {
        proxy.refuse();
        proxy.reset();
        late = start('worker');
      },
      (since) =>
        worker.logged('doorbell sweep failed') >= since.sweepFailures + 2 &&
        api.logged(FEED_RECONNECT_FAILED) >= since.feedRetries + 2 &&
        late!.logged('database unreachable at start; retrying') >= 2,
    );
    await until(() => late!.logged('worker running') > 0, 'the worker started during the stop to run once it is back');
  });

  it('rides out a stall (nothing answers): requests time out into 503 instead of hanging', async () => {
    await outage('stall', () => proxy.stall(), (since) => worker.logged('doorbell sweep failed') > since.sweepFailures);
  });
});
