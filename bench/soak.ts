import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, dropDatabase, ensureDatabase, migrateToLatest } from '../db';
import { INSTALL_HINT, provisionTemporalCli } from '../lib/temporal-cli';
import { type DevServer, freePort, startDevServer } from '../lib/temporal-server';
import { type FakeServer } from '../test/support/fakes/http-server';
import { startReceiver } from '../test/support/fakes/receiver';
import { startFaultProxy } from '../test/support/fault-proxy';
import { newSigningSecret, saleEvent } from '../test/support/outbound';
import { type ServiceProcess, startServiceProcess } from '../test/support/service-process';
import { installIntegration, newTenant, type Tenant } from './fixtures';
import { sampleMemory } from './rss';
import { apiSender, inboundOutcome, pacedTraffic, type Sent, webhookTraffic } from './soak-traffic';
import { sleep } from './stats';
import { STRIPE_SECRET } from './webhooks';

const USAGE = `npm run soak -- [--rate N] [--seconds N] [--temporal-down-seconds N] [--postgres-down-seconds N] [--steady-minutes N]
  --rate                   webhooks (and workspace events) per second           (default 200)
  --seconds                traffic per scenario, the fault in its middle         (default 20)
  --temporal-down-seconds  how long Temporal stays stopped                       (default 30)
  --postgres-down-seconds  how long PostgreSQL refuses connections               (default 10)
  --steady-minutes         the steady run whose RSS is reported (0 skips it)     (default 10)`;

interface Options {
  rate: number;
  seconds: number;
  temporalDownSeconds: number;
  postgresDownSeconds: number;
  steadyMinutes: number;
}

function parseOptions(argv: string[]): Options | 'help' {
  const options: Options = { rate: 200, seconds: 20, temporalDownSeconds: 30, postgresDownSeconds: 10, steadyMinutes: 10 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--help') return 'help';
    const name = argv[i].replace(/^--/, '').replace(/-(\w)/g, (_, c: string) => c.toUpperCase()) as keyof Options;
    const value = Number(argv[++i]);
    if (!(name in options) || !Number.isFinite(value) || value < 0) throw new Error(`bad option ${argv[i - 1]} ${argv[i] ?? ''}\n${USAGE}`);
    options[name] = value;
  }
  return options;
}

interface Row {
  scenario: string;
  sent: number;
  accepted: number;
  applied: number;
  lost: number;
  doubled: number;
  resentAfter2xx: number | '';
  recoverMs: number | null;
  note: string;
}

const DRAIN_TIMEOUT_MS = 180_000;
const log = (line: string) => console.error(`[soak] ${line}`);

/** Polls `done` every 250 ms; the ms it took, or null when it did not hold within DRAIN_TIMEOUT_MS. */
async function timeUntil(done: () => Promise<boolean> | boolean, from = Date.now()): Promise<number | null> {
  while (Date.now() - from < DRAIN_TIMEOUT_MS) {
    if (await done()) return Date.now() - from;
    await sleep(250);
  }
  return null;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options === 'help') return console.log(USAGE);
  log(`options ${JSON.stringify(options)}`);
  const cliPath = await provisionTemporalCli(log);
  if (!cliPath) throw new Error(INSTALL_HINT);
  // On disk, so a restart keeps the workflows (an in-memory dev server would come back empty).
  const temporalOptions = { cliPath, port: await freePort(), dbFile: join(mkdtempSync(join(tmpdir(), 'linquid-soak-')), 'temporal.db') };
  let temporal: DevServer = await startDevServer(temporalOptions);
  const databaseUrl = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  databaseUrl.pathname = `/linquid_soak_${Date.now()}_${process.pid}`;
  await ensureDatabase(databaseUrl.toString());
  const db = createDb(databaseUrl.toString(), 4);
  await migrateToLatest(db);
  // Between both processes and PostgreSQL: the outage scenario cuts it.
  const pgProxy = await startFaultProxy(databaseUrl.toString());
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    PUBLIC_BASE_URL: apiUrl,
    DATABASE_URL: pgProxy.url,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: `soak-${randomBytes(4).toString('hex')}`,
    LINQUID_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ALLOW_PRIVATE_DESTINATIONS: 'true',
    LOG_LEVEL: 'warn',
    DOORBELL_SWEEP_MS: '1000',
    DISPATCH_SWEEP_MS: '1000',
    DELIVERY_RETRY_INITIAL_MS: '500',
    DELIVERY_RETRY_MAX_MS: '2000',
    DELIVERY_TIMEOUT_MS: '2000',
    DATABASE_CONNECT_TIMEOUT_MS: '1000',
    DATABASE_QUERY_TIMEOUT_MS: '2000',
  };
  const api = startServiceProcess('api', env);
  let worker: ServiceProcess = startServiceProcess('worker', env);
  const receivers: FakeServer[] = [];
  const rows: Row[] = [];
  /** A process exiting by itself is a finding: the run stops there. */
  const assertAlive = () => {
    for (const [role, child] of [['api', api], ['worker', worker]] as const) {
      if (child.exit() !== undefined) throw new Error(`the ${role} process exited (${child.exit()}):\n${child.output().slice(-4000)}`);
    }
  };
  const service = { apiUrl, db };

  /** Webhooks at the rate for `seconds`, `fault` in their middle; time to recover counts from its end. */
  const inbound = async (scenario: string, fault: () => Promise<void>) => {
    const tenant = await newTenant(service, scenario);
    const integrationId = await installIntegration(service, tenant, 'stripe', { mode: 'test' }, { webhookSecret: STRIPE_SECRET });
    log(`${scenario}: ${options.rate}/s for ${options.seconds} s`);
    const traffic = webhookTraffic(apiUrl, integrationId, scenario, options.rate);
    await sleep((options.seconds * 1000) / 2);
    await fault();
    const faultOver = Date.now();
    const sentBefore = new Set(traffic.progress.sent);
    // Recovered: every webhook sent before the fault ended was answered, and each one accepted is applied.
    const { progress } = traffic;
    const recovered = timeUntil(async () => {
      if ([...sentBefore].some((id) => !progress.accepted.has(id) && !progress.rejected.has(id))) return false;
      const applied = new Set((await db.selectFrom('conversions').select('external_event_id').where('integration_id', '=', integrationId).execute()).map((row) => row.external_event_id));
      return [...sentBefore].every((id) => !progress.accepted.has(id) || applied.has(id));
    }, faultOver);
    await sleep((options.seconds * 1000) / 2);
    assertAlive();
    const sent = await traffic.stop();
    const recoverMs = await recovered;
    await timeUntil(async () => (await inboundOutcome(db, integrationId, sent.accepted)).applied >= sent.accepted.size);
    const outcome = await inboundOutcome(db, integrationId, sent.accepted);
    rows.push({ scenario, ...counts(sent, outcome.applied), doubled: outcome.doubled, resentAfter2xx: '', recoverMs, note: rejectedNote(sent) });
    assertAlive();
  };

  /** Workspace events at the rate for `seconds` to a destination answering `respond`. */
  const outbound = async (scenario: string, respond: FakeServer['respond'], note: string) => {
    const tenant = await newTenant(service, scenario);
    const receiver = await startReceiver(newSigningSecret(), respond);
    receivers.push(receiver);
    const destinationId = await installIntegration(service, tenant, 'webhook', { targetUrl: `${receiver.url}/hook`, triggerEvents: ['sale.created'] }, { signingSecret: receiver.secret });
    log(`${scenario}: ${options.rate}/s for ${options.seconds} s`);
    const eventIds = new Map<string, string>();
    const traffic = emitTraffic(apiUrl, tenant, scenario, options.rate, eventIds);
    await sleep(options.seconds * 1000);
    const sent = await traffic.stop();
    const stopped = Date.now();
    const expected = [...sent.accepted].map((key) => eventIds.get(key)!);
    const statuses = () => db.selectFrom('deliveries').select('status').where('integration_id', '=', destinationId).execute();
    const recoverMs = await timeUntil(async () => {
      const deliveries = await statuses();
      if (deliveries.some((delivery) => ['pending', 'delivering'].includes(delivery.status))) return false;
      // A disconnected destination is given no more deliveries: drained once the last ones are finished.
      const { state } = await db.selectFrom('integrations').select('state').where('id', '=', destinationId).executeTakeFirstOrThrow();
      return deliveries.length >= expected.length || state === 'disconnected';
    }, stopped);
    const byStatus = new Map<string, number>();
    for (const { status } of await statuses()) byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    const delivered = receiver.delivered();
    const applied = expected.filter((id) => delivered.has(id)).length;
    const resent = [...delivered.values()].reduce((sum, n) => sum + n - 1, 0);
    const destination = await db.selectFrom('integrations').select(['state', 'state_reason']).where('id', '=', destinationId).executeTakeFirstOrThrow();
    const deliveryNote = `deliveries: ${[...byStatus].map(([status, n]) => `${n} ${status}`).join(', ')}; destination ${destination.state}${destination.state !== 'active' && destination.state_reason ? ` (${destination.state_reason})` : ''}`;
    rows.push({ scenario, ...counts(sent, applied), doubled: resent, resentAfter2xx: resent, recoverMs, note: [note, deliveryNote, rejectedNote(sent)].filter(Boolean).join('; ') });
    assertAlive();
  };

  let steady: string | undefined;
  try {
    await timeUntil(async () => (await fetch(`${apiUrl}/readyz`).catch(() => undefined))?.status === 200);
    await inbound('warm-up', async () => undefined);
    await inbound('worker SIGKILL', async () => {
      await worker.kill();
      worker = startServiceProcess('worker', env);
    });
    await inbound(`Temporal restart (${options.temporalDownSeconds} s down)`, async () => {
      await temporal.stop();
      await sleep(options.temporalDownSeconds * 1000);
      temporal = await startDevServer(temporalOptions);
    });
    await inbound(`PostgreSQL outage (${options.postgresDownSeconds} s)`, async () => {
      pgProxy.refuse();
      pgProxy.reset();
      await sleep(options.postgresDownSeconds * 1000);
      await pgProxy.restore();
    });
    await outbound(`receiver 500 (1st attempt of 1 in ${FAILING_EVERY})`, firstAttemptOfSome({ status: 500 }), 'retried');
    await outbound(`receiver timeout (1st attempt of 1 in ${FAILING_EVERY})`, firstAttemptOfSome('hang'), 'retried after DELIVERY_TIMEOUT_MS');
    await outbound(`receiver 429 Retry-After: 1 (1st attempt of 1 in ${FAILING_EVERY})`, firstAttemptOfSome({ status: 429, headers: { 'retry-after': '1' } }), 'retried');
    await outbound('receiver 410', () => ({ status: 410 }), 'lost = not delivered by design: a 410 disconnects the destination');
    if (options.steadyMinutes > 0) {
      log(`steady run: ${options.rate}/s for ${options.steadyMinutes} min`);
      const memory = sampleMemory({ api: api.pid, worker: worker.pid }, 1000);
      const seconds = options.seconds;
      options.seconds = options.steadyMinutes * 60;
      await inbound('steady', async () => undefined);
      options.seconds = seconds;
      const figures = memory.stop();
      steady = `RSS over the ${options.steadyMinutes}-minute steady run (MB): at start ${JSON.stringify(figures.atStartRssMb)}, peak ${JSON.stringify(figures.peakRssMb)}, high-water mark ${JSON.stringify(figures.highWaterMarkMb)}`;
    }
  } finally {
    console.log(table(rows));
    if (steady) console.log(`\n${steady}`);
    await Promise.all([api.kill(), worker.kill(), ...receivers.map((receiver) => receiver.close())]);
    await pgProxy.close();
    await db.destroy();
    await dropDatabase(databaseUrl.toString());
    await temporal.stop();
  }
}

const counts = (sent: Sent, applied: number) => ({ sent: sent.sent.size, accepted: sent.accepted.size, applied, lost: sent.accepted.size - applied });
function rejectedNote(sent: Sent): string {
  const byStatus = new Map<number, number>();
  for (const status of sent.rejected.values()) byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  return [...byStatus].map(([status, n]) => `${n} answered ${status}`).join(', ');
}

/**
 * Of the webhook-ids a receiver fails, one in this many: failing every one would trip the destination's
 * breaker (DELIVERY_FAILURE_THRESHOLD consecutive failures put it in error, its deliveries held), by design.
 */
const FAILING_EVERY = 5;

/** Answers `reply` to the first attempt of one webhook-id in FAILING_EVERY, 200 to everything else. */
function firstAttemptOfSome(reply: ReturnType<FakeServer['respond']>): FakeServer['respond'] {
  const seen = new Set<string>();
  return (request) => {
    const id = String(request.headers['webhook-id']);
    const first = !seen.has(id);
    seen.add(id);
    return first && seen.size % FAILING_EVERY === 0 ? reply : { status: 200 };
  };
}

/** `POST /v1/events` with an Idempotency-Key per event (a re-send after a 503 is the same event); `eventIds` maps key → event id. */
function emitTraffic(apiUrl: string, tenant: Tenant, tag: string, rate: number, eventIds: Map<string, string>) {
  const post = apiSender(apiUrl);
  return pacedTraffic(rate, (i) => {
    const key = `${tag}-${i}`;
    const body = JSON.stringify(saleEvent());
    return {
      id: key,
      send: async () => {
        const { status, json } = await post('/v1/events', body, { authorization: `Bearer ${tenant.key}`, 'content-type': 'application/json', 'idempotency-key': key });
        const answer = json as { id?: string } | undefined;
        if (answer?.id) eventIds.set(key, answer.id);
        return status;
      },
    };
  });
}

function table(rows: Row[]): string {
  const header = '| scenario | sent | accepted | applied | lost | doubled | resent after a 2xx | time to recover (ms) | note |';
  const lines = rows.map((row) => `| ${row.scenario} | ${row.sent} | ${row.accepted} | ${row.applied} | ${row.lost} | ${row.doubled} | ${row.resentAfter2xx} | ${row.recoverMs ?? 'not within 180 s'} | ${row.note} |`);
  return [header, '|---|---|---|---|---|---|---|---|---|', ...lines].join('\n');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
