import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { Client } from 'pg';
import { createDb, type Db, dropDatabase, ensureDatabase, isDatabaseUnavailable, migrateToLatest } from '../../db';
import { type EmittedEvent, type NewWorkspaceEvent, workspaceEventRecorder } from '../../db/queries/events';
import { createWorkspace } from '../../db/queries/workspaces';
import { outboundProviderIds } from '../../providers';
import { type Harness, startHarness, waitFor } from '../support/harness';
import { saleEvent } from '../support/outbound';
import { ownDatabaseUrl } from '../support/own-database';

/**
 * `POST /v1/events`' group commit against PostgreSQL: events submitted together share a flush (the
 * first one submitted flushes alone, at once; those submitted meanwhile make the next flush, and share
 * its transaction's `now()` as `created_at`). In a database of its own: the other files' workers would
 * dispatch (and delete) the outbox rows it checks.
 */
describe('recording posted events together (group commit)', () => {
  const url = ownDatabaseUrl('posted');
  let db: Db;
  /** The recorder's own pool: a test terminates its connections. */
  let recordDb: Db;
  let record: ReturnType<typeof workspaceEventRecorder>;
  let workspaceId: string;

  const posted = (idempotencyKey?: string, amountMinor = 1000): NewWorkspaceEvent => ({
    workspaceId,
    type: 'sale.created',
    data: { conversion: { id: 'cnv_1', eventName: 'Purchase', amountMinor, currency: 'EUR' } },
    idempotencyKey,
  });
  const stored = (ids: string[]) => db.selectFrom('events').select(['id', 'idempotency_key', 'created_at']).where('id', 'in', ids).orderBy('id').execute();
  const queued = async (ids: string[]) => (await db.selectFrom('outbox').select('event_id').where('event_id', 'in', ids).execute()).map((row) => row.event_id).sort();

  beforeAll(async () => {
    await ensureDatabase(url);
    db = createDb(url, 2);
    await migrateToLatest(db);
    recordDb = createDb(url, 4);
    record = workspaceEventRecorder(recordDb);
    workspaceId = (await createWorkspace(db, 'posted events')).workspace.id;
    // A destination: the workspace's events are queued for dispatch with them.
    const now = new Date();
    await db
      .insertInto('integrations')
      .values({ id: `int_${randomBytes(6).toString('hex')}`, workspace_id: workspaceId, provider: outboundProviderIds[0], state: 'active', settings: '{}', secrets_sealed: null, retired_secrets_sealed: null, external_account_id: null, installed_by: 'test', state_changed_at: now, state_changed_by: 'test', state_reason: null, updated_at: now, task_queue: null })
      .execute();
  });
  afterAll(async () => {
    await recordDb.destroy();
    await db.destroy();
    await dropDatabase(url);
  });

  it('writes a flush in one transaction, each event with its outbox row, and a key repeated in the flush meets the first event', async () => {
    const key = `order-${randomBytes(4).toString('hex')}`;
    const first = record(posted());
    // The next flush: three new events; the key's copies wait for the flush after (one the same request, one not).
    const [keyed, plain, other, same, different] = await Promise.all([record(posted(key)), record(posted()), record(posted(`${key}-other`)), record(posted(key)), record(posted(key, 2000))]);
    await first;
    for (const created of [keyed, plain, other]) expect(created).toEqual({ id: expect.stringMatching(/^evt_/), created: true, createdAt: expect.any(Date), sameRequest: true });
    expect(same).toEqual({ id: keyed.id, created: false, createdAt: keyed.createdAt, sameRequest: true });
    expect(different).toEqual({ id: keyed.id, created: false, createdAt: keyed.createdAt, sameRequest: false });
    // One transaction: one now() for the three.
    expect(new Set([keyed, plain, other].map((event) => event.createdAt.getTime())).size).toBe(1);
    const ids = [keyed.id, plain.id, other.id];
    expect(await stored(ids)).toEqual(ids.sort().map((id) => expect.objectContaining({ id, created_at: keyed.createdAt })));
    expect(await db.selectFrom('events').select('id').where('workspace_id', '=', workspaceId).where('idempotency_key', '=', key).execute()).toEqual([{ id: keyed.id }]);
    expect(await queued(ids)).toEqual(ids.sort());
  });

  it('fails only the event PostgreSQL refuses, the others of its flush are stored with their outbox rows', async () => {
    const first = record(posted());
    // A workspace deleted meanwhile (its event breaks the foreign key).
    const [gone, kept, alsoKept] = await Promise.allSettled([record({ ...posted(), workspaceId: 'ws_deleted_meanwhile' }), record(posted()), record(posted('kept-with-a-key'))]);
    await first;
    expect(gone).toMatchObject({ status: 'rejected', reason: { code: '23503' } });
    const ids = [kept, alsoKept].map((settled) => (settled as PromiseFulfilledResult<EmittedEvent>).value.id);
    expect(await stored(ids)).toHaveLength(2);
    expect(await queued(ids)).toEqual(ids.sort());
    expect(await db.selectFrom('events').select('id').where('workspace_id', '=', 'ws_deleted_meanwhile').execute()).toEqual([]);
  });

  it('fails every event of a flush whose connection is lost, and writes none of them', async () => {
    const key = `held-${randomBytes(4).toString('hex')}`;
    // Another transaction holds the key uncommitted: the flush that holds it waits on it.
    const holder = new Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`INSERT INTO events (id, workspace_id, type, data, idempotency_key) VALUES ($1, $2, 'sale.created', '{}', $3)`, [`evt_held_${randomBytes(4).toString('hex')}`, workspaceId, key]);
      const before = await record(posted());
      const flush = [posted(key), posted(), posted(`${key}-b`)].map((event) => record(event).catch((error: unknown) => error));
      const [{ pid }] = await waitFor(async () => {
        const { rows } = await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%insert into "events"%'`.execute(db);
        return rows.length > 0 && rows;
      }, 'the flush to wait on the held key');
      const writtenBefore = await db.selectFrom('events').select('id').where('workspace_id', '=', workspaceId).where('created_at', '>', before.createdAt).execute();
      await sql`SELECT pg_terminate_backend(${pid})`.execute(db);
      const errors = await Promise.all(flush);
      expect(errors.map(isDatabaseUnavailable)).toEqual([true, true, true]);
      await holder.query('ROLLBACK');
      expect(await db.selectFrom('events').select('id').where('workspace_id', '=', workspaceId).where('created_at', '>', before.createdAt).execute()).toEqual(writtenBefore);
      expect(await db.selectFrom('events').select('id').where('idempotency_key', 'in', [key, `${key}-b`]).execute()).toEqual([]);
    } finally {
      await holder.end();
    }
  });
});

describe('POST /v1/events over HTTP (served ahead of Express)', () => {
  let h: Harness;
  let key: string;

  beforeAll(async () => {
    h = await startHarness({ BODY_LIMIT_BYTES: '2000' });
    ({ key } = await h.newWorkspace('Posted over HTTP'));
  });
  afterAll(() => h.stop());

  it('answers concurrent posts under one Idempotency-Key with one event: 201 once, 200 for the same request, 422 for another', async () => {
    const body = saleEvent();
    const other = saleEvent();
    const post = (event: object) => h.api('POST', '/v1/events', { key, body: event, headers: { 'idempotency-key': 'concurrent-order' } });
    const answers = await Promise.all([post(body), post(body), post(other), post(body), h.api('POST', '/v1/events', { key, body: saleEvent() })]);
    const statuses = answers.slice(0, 4).map((answer) => answer.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    const firstIndex = statuses.indexOf(201);
    const first = answers[firstIndex].body;
    // Posts 0, 1 and 3 are one request, post 2 another: whichever was recorded first, the others repeat it or are refused.
    const sameRequest = (index: number) => (index === 2) === (firstIndex === 2);
    expect(first).toEqual({ id: expect.stringMatching(/^evt_/), type: 'sale.created', createdAt: expect.any(String), workspaceId: expect.any(String), data: firstIndex === 2 ? other.data : body.data });
    for (const [index, answer] of answers.slice(0, 4).entries()) {
      if (index === firstIndex) continue;
      if (sameRequest(index)) expect([answer.status, answer.body]).toEqual([200, first]);
      else expect([answer.status, answer.body.error?.code]).toEqual([422, 'idempotency_key_reused']);
    }
    expect(answers[4].status).toBe(201);
    expect(await h.db.selectFrom('events').select('id').where('idempotency_key', '=', 'concurrent-order').execute()).toEqual([{ id: first.id }]);
  });

  it('gives the answers the /v1 stack gave: body limit, malformed JSON, the input guard, the key, the schema', async () => {
    const send = (body: string, headers: Record<string, string> = {}, path = '/v1/events') =>
      h.post(path, body, { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers });
    const valid = JSON.stringify(saleEvent());
    const cases: Array<[Promise<{ status: number; body: any }>, number, string]> = [
      [send(JSON.stringify({ ...saleEvent(), pad: 'x'.repeat(3000) })), 413, 'payload_too_large'],
      [send('{"type":'), 400, 'malformed_json'],
      // Valid but for a key PostgreSQL cannot store: the input guard's.
      [send(JSON.stringify({ ...saleEvent(), data: { ...saleEvent().data, 'k\u0000': 1 } })), 400, 'invalid_request'],
      [send(valid, {}, '/v1/events?__proto__=1'), 400, 'invalid_request'],
      [send(valid, { authorization: 'Bearer nope' }), 401, 'unauthorized'],
      [send(valid, { 'content-type': 'text/plain' }), 400, 'invalid_request'],
      [send(valid, { 'content-encoding': 'x-unknown' }), 415, 'unsupported_encoding'],
      [send(valid, { 'idempotency-key': '' }), 400, 'invalid_request'],
    ];
    const answers = await Promise.all(cases.map(([answered]) => answered));
    expect(answers.map((answer) => [answer.status, answer.body.error?.code])).toEqual(cases.map(([, status, code]) => [status, code]));
    expect(answers[2].body.error.issues).toEqual([{ path: 'data.k\u0000', message: expect.stringContaining('U+0000') }]);
    // As Express matched the route: a trailing slash, any case.
    for (const path of ['/v1/events/', '/V1/Events']) expect((await send(JSON.stringify(saleEvent()), {}, path)).status).toBe(201);
  });
});
