import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { createDb, type Db } from '../../db';
import { createWorkspace } from '../../db/queries/workspaces';
import { freePort } from '../../lib/temporal-server';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy';
import { waitFor } from '../support/harness';
import { installThrough, type ServiceProcess, startServiceProcess } from '../support/service-process';
import { stripeHeaders } from '../support/signers';
import { stripeInvoicePaid } from '../support/stripe-events';

const SECRET = 'whsec_temporal_outage_secret';
/** Webhooks sent while the worker is cut off from Temporal. */
const DURING_CUT = 30;

/**
 * The worker process (`node dist/worker/main.js`) reaches Temporal through a proxy the test cuts; the API
 * talks to Temporal directly, so webhooks keep being accepted. Once the path is back the worker, which
 * never exited, applies every one of them once.
 */
describe('the worker cut off from Temporal: it does not exit, and every webhook is applied once after', () => {
  let db: Db;
  let proxy: FaultProxy;
  let api: ServiceProcess;
  let worker: ServiceProcess;
  let url: string;
  let integrationId: string;

  const expectAlive = () => {
    for (const [role, child] of [['api', api], ['worker', worker]] as const) {
      if (child.exit() !== undefined) throw new Error(`the ${role} process exited (${child.exit()}):\n${child.output()}`);
    }
  };
  const until = <T>(check: () => Promise<T | undefined | false> | T | undefined | false, what: string) =>
    waitFor(() => {
      expectAlive();
      return check();
    }, what);
  const send = async (eventId: string) => {
    const payload = stripeInvoicePaid(eventId, `in_${eventId}`, 1250);
    const response = await fetch(`${url}/webhooks/stripe/${integrationId}`, {
      method: 'POST',
      body: payload,
      headers: { 'content-type': 'application/json', ...stripeHeaders(payload, SECRET) },
    });
    await response.text();
    expect(response.status).toBe(200);
  };
  const applied = async (prefix: string) =>
    (
      await db
        .selectFrom('conversions')
        .select('external_event_id')
        .where('integration_id', '=', integrationId)
        .where('external_event_id', 'like', `${prefix}\\_%`)
        .orderBy('external_event_id')
        .execute()
    ).map((row) => row.external_event_id);
  const ids = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}_${String(i).padStart(3, '0')}`);

  /** Sends DURING_CUT webhooks while `cut` holds, restores, and expects each applied once. */
  const outage = async (prefix: string, cut: () => void) => {
    await send(`${prefix}_before`);
    await until(async () => (await applied(prefix)).length === 1, `the webhook before the ${prefix} cut to be applied`);
    cut();
    const sent = ids(prefix, DURING_CUT);
    for (const id of sent) await send(id);
    // Some may be applied meanwhile: a drain activity already running polls the inbox for 20 s without Temporal.
    expectAlive();
    await proxy.restore();
    const expected = [`${prefix}_before`, ...sent].sort();
    const result = await until(async () => {
      const rows = await applied(prefix);
      return rows.length >= expected.length && rows;
    }, `${expected.length} conversions of ${prefix}`);
    expect(result).toEqual(expected);
    // One sale.created event per conversion, whatever was retried across the cut.
    const [conversions, events] = await Promise.all([
      db.selectFrom('conversions').select(sql<number>`count(*)::int`.as('n')).where('integration_id', '=', integrationId).executeTakeFirstOrThrow(),
      db.selectFrom('events').select(sql<number>`count(*)::int`.as('n')).where('integration_id', '=', integrationId).where('type', '=', 'sale.created').executeTakeFirstOrThrow(),
    ]);
    expect(events.n).toBe(conversions.n);
    expectAlive();
  };

  beforeAll(async () => {
    db = createDb(process.env.DATABASE_URL!, 2);
    proxy = await startFaultProxy(`tcp://${process.env.TEMPORAL_ADDRESS!}`);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      PUBLIC_BASE_URL: url,
      TEMPORAL_TASK_QUEUE: `test-${randomBytes(6).toString('hex')}`,
      LOG_LEVEL: 'info',
      DOORBELL_SWEEP_MS: '500',
    };
    api = startServiceProcess('api', env);
    worker = startServiceProcess('worker', { ...env, TEMPORAL_ADDRESS: new URL(proxy.url).host });
    await until(() => api.logged('API listening') > 0 && worker.logged('worker running') > 0, 'the API and the worker to start');
    const { key } = (await createWorkspace(db, 'Temporal outage workspace')).apiKey;
    integrationId = await installThrough(url, key, 'stripe', { mode: 'live' }, { webhookSecret: SECRET });
  });

  afterAll(async () => {
    await Promise.all([api, worker].filter(Boolean).map((child) => child.kill()));
    await proxy?.close();
    await db?.destroy();
  });

  it('rides out Temporal going away (connections reset, new ones refused)', async () => {
    await outage('down', () => {
      proxy.refuse();
      proxy.reset();
    });
  });

  it('rides out a stalled path to Temporal (nothing answers)', async () => {
    await outage('stall', () => proxy.stall());
  });
});
