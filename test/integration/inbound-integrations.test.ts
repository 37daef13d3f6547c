import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { InboundIntegrations, LISTENER_NAME } from '../../api/inbound-integrations';
import { createDb, type Db } from '../../db';
import { createWorkspace } from '../../db/queries/workspaces';
import { SecretBox } from '../../lib/crypto';
import { getProvider } from '../../providers';
import { waitFor } from '../support/harness';

const stripe = getProvider('stripe')!;

describe('the accept path’s integration cache', () => {
  let db: Db;
  let box: SecretBox;
  let cache: InboundIntegrations;
  let workspaceId: string;

  const install = async (secret: string) => {
    const id = `int_${randomBytes(6).toString('hex')}`;
    const now = new Date();
    await db
      .insertInto('integrations')
      .values({
        id,
        workspace_id: workspaceId,
        provider: 'stripe',
        state: 'active',
        settings: JSON.stringify({ mode: 'test' }),
        secrets_sealed: box.seal({ webhookSecret: secret }),
        retired_secrets_sealed: null,
        external_account_id: null,
        installed_by: 'test',
        state_changed_at: now,
        state_changed_by: 'test',
        state_reason: null,
        updated_at: now,
        task_queue: null,
      })
      .execute();
    return id;
  };
  /** This process's listener backend, as PostgreSQL lists it. */
  const listenerPids = async () =>
    (await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity WHERE application_name = ${`${LISTENER_NAME}-${process.pid}`}`.execute(db)).rows.map((row) => row.pid);

  beforeAll(async () => {
    db = createDb(process.env.DATABASE_URL!, 2);
    box = SecretBox.fromBase64(process.env.LINQUID_ENCRYPTION_KEY!);
    workspaceId = (await createWorkspace(db, 'cache')).workspace.id;
    cache = await InboundIntegrations.open(db, box, process.env.DATABASE_URL!);
  });
  afterAll(async () => {
    await cache.close();
    await db.destroy();
  });

  it('serves an integration from memory until another process changes it', async () => {
    const id = await install('whsec_one');
    const first = await cache.get(id, stripe);
    expect(first).toMatchObject({ id, workspaceId, state: 'active', settings: { mode: 'test' }, secrets: { current: { webhookSecret: 'whsec_one' }, retired: [] } });
    expect(await cache.get(id, stripe)).toBe(first);
    // Another provider's endpoint does not find it.
    expect(await cache.get(id, getProvider('shopify')!)).toBeUndefined();

    // As the worker would: a state change and a new secret, from another connection.
    await db.updateTable('integrations').set({ state: 'paused', secrets_sealed: box.seal({ webhookSecret: 'whsec_two' }) }).where('id', '=', id).execute();
    const changed = await waitFor(async () => {
      const now = await cache.get(id, stripe);
      return now?.state === 'paused' && now;
    }, 'the cache to forget the changed integration');
    expect(changed.secrets.current).toEqual({ webhookSecret: 'whsec_two' });
    expect(await cache.get(id, stripe)).toBe(changed);

    await db.deleteFrom('integrations').where('id', '=', id).execute();
    await waitFor(async () => (await cache.get(id, stripe)) === undefined, 'the cache to forget the removed integration');
  });

  it('forgets at once what this process changed', async () => {
    const id = await install('whsec_one');
    const first = await cache.get(id, stripe);
    cache.forget(id);
    const again = await cache.get(id, stripe);
    expect(again).not.toBe(first);
    expect(again).toEqual(first ? { ...first, loadedAt: expect.any(Number) } : undefined);
  });

  it('keeps a lookup that raced a change of another integration, not one that raced a change of its own', async () => {
    const [id, other] = [await install('whsec_one'), await install('whsec_other')];
    // Other files' tests change integrations in the same database meanwhile: only this id's own changes count.
    const lookup = cache.get(id, stripe);
    cache.forget(other);
    const kept = await lookup;
    expect(await cache.get(id, stripe)).toBe(kept);
    cache.forget(id);
    const raced = cache.get(id, stripe);
    cache.forget(id);
    const used = await raced;
    expect(used).toMatchObject({ id, state: 'active' });
    expect(await cache.get(id, stripe)).not.toBe(used);
  });

  it('answers concurrent misses for the same integration with one lookup', async () => {
    const id = await install('whsec_one');
    const [a, b, c] = await Promise.all([cache.get(id, stripe), cache.get(id, stripe), cache.get(id, stripe)]);
    expect(a).toBeDefined();
    expect(b).toBe(a);
    expect(c).toBe(a);
  });

  it('caches nothing while its change feed is down, and comes back', async () => {
    const id = await install('whsec_one');
    await cache.get(id, stripe);
    const [pid] = await listenerPids();
    expect(pid).toBeDefined();
    await sql`SELECT pg_terminate_backend(${pid})`.execute(db);
    // A change made while nobody listens is still seen.
    await db.updateTable('integrations').set({ state: 'paused' }).where('id', '=', id).execute();
    await waitFor(async () => (await cache.get(id, stripe))?.state === 'paused', 'a fresh lookup after the feed was lost');
    // Back: a new listener, and the cache serves from memory again.
    await waitFor(async () => {
      const pids = await listenerPids();
      return pids.length === 1 && pids[0] !== pid;
    }, 'the listener to reconnect');
    const entry = await cache.get(id, stripe);
    expect(await cache.get(id, stripe)).toBe(entry);
  });
});
