import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import type { Client, Connection } from '@temporalio/client';
import { serveApi } from '../../api/app';
import { createDb, type Db, dropDatabase, ensureDatabase, migrateToLatest } from '../../db';
import { emitWorkspaceEvent } from '../../db/queries/events';
import { createWorkspace } from '../../db/queries/workspaces';
import { BackgroundWork } from '../../lib/background';
import { loadConfig } from '../../lib/config';
import { SecretBox } from '../../lib/crypto';
import { logger } from '../../lib/logger';
import { connectTemporal } from '../../services/runtime';
import { startOutboundSweep } from '../../worker/outbound-sweep';
import { waitFor } from '../support/harness';
import { ownDatabaseUrl } from '../support/own-database';
import { saleEvent } from '../support/outbound';

/**
 * A shutdown against what a process runs in the background — the worker's sweeps and the dispatches its activities
 * start, the API's dispatches and doorbells after an answer: stopping waits for a pass under way, so the pool is
 * destroyed after it, not under it ("driver has already been destroyed"). A destination in error holds a pass
 * mid-way: dispatch reads its state FOR SHARE, and the test holds the row FOR UPDATE. In a database of its own:
 * other files' workers would dispatch (and delete) its outbox rows.
 */
describe('shutdown: background work ends before the pool is destroyed', () => {
  const url = ownDatabaseUrl('shutdown');
  const config = { ...loadConfig({ ...process.env, DATABASE_URL: url }), dispatchSweepMs: 50 };
  let db: Db;
  let temporal: { client: Client; connection: Connection };

  beforeAll(async () => {
    await ensureDatabase(url);
    db = createDb(url, 2);
    await migrateToLatest(db);
    temporal = await connectTemporal(config.temporalAddress!, config.temporalNamespace);
  });
  afterAll(async () => {
    await temporal.connection.close();
    await db.destroy();
    await dropDatabase(url);
  });

  /** A workspace with a webhook destination in error, its row locked until `release`. */
  const lockedDestination = async () => {
    const { workspace, apiKey } = await createWorkspace(db, 'shutdown');
    const now = new Date();
    const destinationId = `int_${randomBytes(6).toString('hex')}`;
    await db
      .insertInto('integrations')
      .values({ id: destinationId, workspace_id: workspace.id, provider: 'webhook', state: 'error', settings: JSON.stringify({ targetUrl: 'https://hooks.example.com/in', triggerEvents: ['sale.created'] }), installed_by: 'test', state_changed_at: now, state_changed_by: 'test', updated_at: now })
      .execute();
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked = () => {};
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    const holding = db.transaction().execute(async (trx) => {
      await trx.selectFrom('integrations').select('id').where('id', '=', destinationId).forUpdate().execute();
      locked();
      await released;
    });
    await lockTaken;
    return { workspaceId: workspace.id, key: apiKey.key, destinationId, release: () => (release(), holding) };
  };
  const passWaitingForTheLock = () =>
    waitFor(async () => {
      const { rows } = await sql<{ waiting: number }>`SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(db);
      return rows[0].waiting > 0;
    }, 'a dispatch pass waiting for the lock');
  /** Each event's outbox row became a delivery, held while its destination is in error. */
  const dispatched = async (destinationId: string, eventIds: string[]) => {
    expect(await db.selectFrom('outbox').select('event_id').where('event_id', 'in', eventIds).execute()).toEqual([]);
    const deliveries = await db.selectFrom('deliveries').select(['event_id', 'integration_id', 'status']).where('event_id', 'in', eventIds).orderBy('event_id').execute();
    expect(deliveries).toEqual([...eventIds].sort().map((eventId) => ({ event_id: eventId, integration_id: destinationId, status: 'held' })));
  };
  let warned: jest.SpyInstance;
  beforeEach(() => (warned = jest.spyOn(logger, 'warn')));
  afterEach(() => warned.mockRestore());
  const warnings = () => warned.mock.calls.map(([, message]) => message);

  it("the worker's: a sweep whose dispatch is under way finishes on a live pool", async () => {
    const destination = await lockedDestination();
    const event = await emitWorkspaceEvent(db, { workspaceId: destination.workspaceId, ...saleEvent() });
    const pool = createDb(url, 2);
    const background = new BackgroundWork();
    startOutboundSweep(background, { db: pool, temporal: temporal.client, config });
    await passWaitingForTheLock();

    // As runWorker's `done` and then worker/main do: stop the background work, then destroy the pool.
    const destroyed = background.stop().then(() => pool.destroy());
    await destination.release();
    await destroyed;

    expect(warnings()).toEqual([]);
    await dispatched(destination.destinationId, [event.id]);
  });

  it("the API's: a posted event's dispatch, and the next pass a later post queued behind it, finish on a live pool", async () => {
    const destination = await lockedDestination();
    const pool = createDb(url, 2);
    const api = await serveApi({ db: pool, box: SecretBox.fromBase64(process.env.LINQUID_ENCRYPTION_KEY!), config, temporal: temporal.client }, 0, '127.0.0.1');
    const post = async () => {
      const response = await fetch(`http://127.0.0.1:${(api.server.address() as AddressInfo).port}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${destination.key}`, 'content-type': 'application/json' },
        body: JSON.stringify(saleEvent()),
      });
      expect(response.status).toBe(201);
      return ((await response.json()) as { id: string }).id;
    };
    const first = await post();
    await passWaitingForTheLock();
    // Its dispatch joins the pass after the one waiting: that pass starts only once the lock is released.
    const second = await post();

    // As api/main does: close the API, then destroy the pool.
    const destroyed = api.close().then(() => pool.destroy());
    await destination.release();
    await destroyed;

    expect(warnings()).toEqual([]);
    await dispatched(destination.destinationId, [first, second]);
  });
});
