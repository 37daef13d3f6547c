import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Client, Connection } from '@temporalio/client';
import { createDb, type Db, dropDatabase, ensureDatabase, migrateToLatest } from '../../db';
import { emitWorkspaceEvent } from '../../db/queries/events';
import { createWorkspace } from '../../db/queries/workspaces';
import { BackgroundWork } from '../../lib/background';
import { loadConfig } from '../../lib/config';
import { logger } from '../../lib/logger';
import { connectTemporal } from '../../services/runtime';
import { startOutboundSweep } from '../../worker/outbound-sweep';
import { waitFor } from '../support/harness';
import { ownDatabaseUrl } from '../support/own-database';
import { saleEvent } from '../support/outbound';

/**
 * A worker's shutdown against what it runs in the background (the outbound sweep here; the dispatches its
 * activities start are the same background work): stopping waits for a pass under way, so the pool is destroyed
 * after it, not under it. In a database of its own: other files' workers would dispatch (and delete) its outbox row.
 */
describe('worker shutdown: background work ends before the pool is destroyed', () => {
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

  it('waits for a sweep whose dispatch is under way, and the sweep finishes on a live pool', async () => {
    const { workspace } = await createWorkspace(db, 'shutdown');
    const now = new Date();
    const destinationId = `int_${randomBytes(6).toString('hex')}`;
    // In error: a dispatch reads its state FOR SHARE, so a lock held here stops the sweep's dispatch mid-pass.
    await db
      .insertInto('integrations')
      .values({ id: destinationId, workspace_id: workspace.id, provider: 'webhook', state: 'error', settings: JSON.stringify({ targetUrl: 'https://hooks.example.com/in', triggerEvents: ['sale.created'] }), installed_by: 'test', state_changed_at: now, state_changed_by: 'test', updated_at: now })
      .execute();
    const event = await emitWorkspaceEvent(db, { workspaceId: workspace.id, ...saleEvent() });
    const warned = jest.spyOn(logger, 'warn');

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

    const pool = createDb(url, 2);
    const background = new BackgroundWork();
    startOutboundSweep(background, { db: pool, temporal: temporal.client, config });
    await waitFor(async () => {
      const { rows } = await sql<{ waiting: number }>`SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(db);
      return rows[0].waiting > 0;
    }, "the sweep's dispatch waiting for the lock");

    // As the worker's shutdown does: stop the background work, then destroy the pool.
    const destroyed = background.stop().then(() => pool.destroy());
    release();
    await holding;
    await destroyed;

    expect(warned.mock.calls.map(([, message]) => message)).toEqual([]);
    warned.mockRestore();
    // The pass it waited for went through: the outbox row became a delivery, held while its destination is in error.
    expect(await db.selectFrom('outbox').select('event_id').where('event_id', '=', event.id).execute()).toEqual([]);
    expect(await db.selectFrom('deliveries').select(['integration_id', 'status']).where('event_id', '=', event.id).execute()).toEqual([{ integration_id: destinationId, status: 'held' }]);
  });
});
