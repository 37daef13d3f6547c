import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import * as apiErrors from '../../api/errors';
import { logger } from '../../lib/logger';
import { sql } from 'kysely';
import { Client } from 'pg';
import { createDb, type Db, isDatabaseUnavailable } from '../../db';
import { type AcceptTarget, inboxAccepter } from '../../db/queries/inbox-accept';
import { lockPendingBatch } from '../../db/queries/inbox-drain';
import { createWorkspace } from '../../db/queries/workspaces';
import type { ParsedEvent } from '../../providers/types';
import { type Harness, startHarness, waitFor } from '../support/harness';
import { inboundHelpers } from '../support/inbound';
import { stripeHeaders } from '../support/signers';
import { stripeInvoicePaid } from '../support/stripe-events';

const event = (dedupKey: string): ParsedEvent => ({ dedupKey, type: 'invoice.paid', payload: { id: dedupKey }, livemode: true });

/**
 * The accept path's group commit against PostgreSQL: webhooks submitted together share a flush (the
 * first one submitted flushes alone, at once; those submitted meanwhile make the next flush).
 */
describe('accepting webhooks into the inbox together (group commit)', () => {
  let db: Db;
  /** The accepter's own pool: a test terminates its connections. */
  let acceptDb: Db;
  let accept: ReturnType<typeof inboxAccepter>;
  let workspaceId: string;

  const install = async () => {
    const id = `int_${randomBytes(6).toString('hex')}`;
    const now = new Date();
    await db
      .insertInto('integrations')
      .values({ id, workspace_id: workspaceId, provider: 'stripe', state: 'active', settings: '{}', secrets_sealed: null, retired_secrets_sealed: null, external_account_id: null, installed_by: 'test', state_changed_at: now, state_changed_by: 'test', state_reason: null, updated_at: now, task_queue: null })
      .execute();
    return id;
  };
  const target = (integrationId: string, paused = false): AcceptTarget => ({ integrationId, workspaceId, provider: 'stripe', paused, fromTestRunner: false });
  /** The integration's inbox rows, by event id (sorted here: the database's collation may order `_` otherwise). */
  const rows = async (integrationId: string) =>
    (await db.selectFrom('inbox').select(['dedup_key', 'status', 'duplicate_count']).where('integration_id', '=', integrationId).execute()).sort((a, b) => (a.dedup_key < b.dedup_key ? -1 : 1));

  /** Waits until `count` accept statements wait on a lock (for the transaction that holds a row they insert). */
  const acceptsWaiting = (count: number) =>
    waitFor(async () => {
      const { rows: waiting } = await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO inbox%'`.execute(db);
      return waiting.length >= count && waiting;
    }, `${count} accept statements waiting on a lock`);

  beforeAll(async () => {
    db = createDb(process.env.DATABASE_URL!, 2);
    acceptDb = createDb(process.env.DATABASE_URL!, 4);
    accept = inboxAccepter(acceptDb);
    workspaceId = (await createWorkspace(db, 'group commit')).workspace.id;
  });
  afterAll(async () => {
    await acceptDb.destroy();
    await db.destroy();
  });

  it('answers each webhook of a flush with its own outcome, copies of one event as one row', async () => {
    const id = await install();
    const paused = await install();
    await accept(target(paused, true), [event('evt_was_skipped')]);
    const answers = await Promise.all([
      accept(target(id), [event('evt_first')]),
      // The next flush: ten events, three sent three times, one repeated within its own webhook.
      ...['evt_1', 'evt_2', 'evt_3', 'evt_4', 'evt_5', 'evt_6', 'evt_7'].map((key) => accept(target(id), [event(key)])),
      ...['evt_1', 'evt_2', 'evt_3', 'evt_1', 'evt_2', 'evt_3'].map((key) => accept(target(id), [event(key)])),
      accept(target(id), [event('evt_8'), event('evt_9'), event('evt_8')]),
      // Redelivered while no longer paused: queued again; and a plain redelivery of the first event.
      accept(target(paused), [event('evt_was_skipped')]),
      accept(target(id), [event('evt_first')]),
      accept(target(paused, true), [event('evt_new_while_paused')]),
    ]);
    expect(answers).toEqual([
      { created: 1, requeued: 0, duplicates: 0, busy: 0 },
      ...Array.from({ length: 7 }, () => ({ created: 1, requeued: 0, duplicates: 0, busy: 0 })),
      ...Array.from({ length: 6 }, () => ({ created: 0, requeued: 0, duplicates: 1, busy: 0 })),
      { created: 2, requeued: 0, duplicates: 1, busy: 0 },
      { created: 0, requeued: 1, duplicates: 0, busy: 0 },
      { created: 0, requeued: 0, duplicates: 1, busy: 0 },
      { created: 1, requeued: 0, duplicates: 0, busy: 0 },
    ]);
    const copies: Record<string, number> = { evt_1: 2, evt_2: 2, evt_3: 2, evt_first: 1 };
    expect(await rows(id)).toEqual(
      ['evt_1', 'evt_2', 'evt_3', 'evt_4', 'evt_5', 'evt_6', 'evt_7', 'evt_8', 'evt_9', 'evt_first'].map((key) => ({ dedup_key: key, status: 'pending', duplicate_count: copies[key] ?? 0 })),
    );
    expect(await rows(paused)).toEqual([
      { dedup_key: 'evt_new_while_paused', status: 'skipped', duplicate_count: 0 },
      { dedup_key: 'evt_was_skipped', status: 'pending', duplicate_count: 1 },
    ]);
  });

  it('fails only the webhook whose row PostgreSQL refuses, the others of its flush are stored', async () => {
    const id = await install();
    const first = accept(target(id), [event('evt_alone')]);
    // An integration deleted meanwhile (its rows break the foreign key).
    const [gone, kept, alsoKept] = await Promise.allSettled([
      accept(target('int_deleted_meanwhile'), [event('evt_orphan')]),
      accept(target(id), [event('evt_kept')]),
      accept(target(id), [event('evt_also_kept')]),
    ]);
    await first;
    expect(gone).toMatchObject({ status: 'rejected', reason: { code: '23503' } });
    expect(kept).toEqual({ status: 'fulfilled', value: { created: 1, requeued: 0, duplicates: 0, busy: 0 } });
    expect(alsoKept).toEqual({ status: 'fulfilled', value: { created: 1, requeued: 0, duplicates: 0, busy: 0 } });
    expect((await rows(id)).map((row) => row.dedup_key)).toEqual(['evt_alone', 'evt_also_kept', 'evt_kept']);
  });

  it('fails every webhook of a flush whose connection is lost, and writes none of its rows', async () => {
    const id = await install();
    // Another transaction holds `evt_locked` uncommitted: the flush that holds it waits on it.
    const holder = new Client({ connectionString: process.env.DATABASE_URL });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`INSERT INTO inbox (integration_id, workspace_id, provider, dedup_key, event_type, payload, status) VALUES ($1, $2, 'stripe', 'evt_locked', 'x', '{}', 'pending')`, [id, workspaceId]);
      const before = accept(target(id), [event('evt_before')]);
      const flush = ['evt_locked', 'evt_a', 'evt_b'].map((key) => accept(target(id), [event(key), event(`${key}_second`)]).catch((error: unknown) => error));
      await before;
      const [{ pid }] = await acceptsWaiting(1);
      await sql`SELECT pg_terminate_backend(${pid})`.execute(db);
      const errors = await Promise.all(flush);
      expect(errors.map(isDatabaseUnavailable)).toEqual([true, true, true]);
      await holder.query('ROLLBACK');
    } finally {
      await holder.end();
    }
    expect((await rows(id)).map((row) => row.dedup_key)).toEqual(['evt_before']);
    // Sent again until answered, as a provider does after a 503 (the pool may first hand out the
    // connection that was cut), they are stored once each.
    for (const key of ['evt_locked', 'evt_a', 'evt_b']) {
      await waitFor(() => accept(target(id), [event(key), event(`${key}_second`)]).catch((error: unknown) => (isDatabaseUnavailable(error) ? undefined : Promise.reject(error))), `${key} stored`);
    }
    expect(await rows(id)).toEqual(
      ['evt_a', 'evt_a_second', 'evt_b', 'evt_b_second', 'evt_before', 'evt_locked', 'evt_locked_second'].map((key) => ({ dedup_key: key, status: 'pending', duplicate_count: 0 })),
    );
  });
  it('answers every webhook of a flush while a drain holds a redelivered event: a duplicate, counted after; a held skipped one busy', async () => {
    // The counts left for after the holder (the API runs them as background work); run here once it let go.
    const later: Array<() => Promise<void>> = [];
    const accept = inboxAccepter(acceptDb, (work) => later.push(work));
    const held = await install();
    const other = await install();
    const paused = await install();
    await accept(target(held), [event('evt_held')]);
    await accept(target(paused, true), [event('evt_held_skipped')]);
    await db.transaction().execute(async (drain) => {
      // As a drain's batch transaction holds its rows; and a replay (or a retention delete) a skipped one.
      expect((await lockPendingBatch(drain, held, { rows: 10, bytes: 1_000_000 })).rows.map((row) => row.dedup_key)).toEqual(['evt_held']);
      await sql`SELECT id FROM inbox WHERE integration_id = ${paused} FOR UPDATE`.execute(drain);
      const first = accept(target(other), [event('evt_first')]);
      // One flush, answered while the rows are still held.
      const answers = await Promise.all([
        accept(target(held), [event('evt_held')]),
        accept(target(other), [event('evt_other')]),
        accept(target(held), [event('evt_new'), event('evt_new_too')]),
        accept(target(paused), [event('evt_held_skipped')]),
      ]);
      await first;
      expect(answers).toEqual([
        { created: 0, requeued: 0, duplicates: 1, busy: 0 },
        { created: 1, requeued: 0, duplicates: 0, busy: 0 },
        { created: 2, requeued: 0, duplicates: 0, busy: 0 },
        { created: 0, requeued: 0, duplicates: 0, busy: 1 },
      ]);
      expect(later).toHaveLength(1);
    });
    await Promise.all(later.map((work) => work()));
    expect((await rows(held)).find((row) => row.dedup_key === 'evt_held')).toMatchObject({ duplicate_count: 1 });
    // Sent again once the rows are free (the skipped one as the provider does after the 503): counted, and queued again.
    expect(await accept(target(held), [event('evt_held')])).toEqual({ created: 0, requeued: 0, duplicates: 1, busy: 0 });
    expect(await accept(target(paused), [event('evt_held_skipped')])).toEqual({ created: 0, requeued: 1, duplicates: 0, busy: 0 });
    expect(await rows(held)).toEqual([
      { dedup_key: 'evt_held', status: 'pending', duplicate_count: 2 },
      { dedup_key: 'evt_new', status: 'pending', duplicate_count: 0 },
      { dedup_key: 'evt_new_too', status: 'pending', duplicate_count: 0 },
    ]);
    expect(await rows(paused)).toEqual([{ dedup_key: 'evt_held_skipped', status: 'pending', duplicate_count: 1 }]);
  });

  it('does not deadlock two processes whose webhooks hold the same events in opposite orders', async () => {
    const id = await install();
    // Two API processes, each with its own pool and group commit.
    const otherDb = createDb(process.env.DATABASE_URL!, 2);
    const holder = new Client({ connectionString: process.env.DATABASE_URL });
    await holder.connect();
    try {
      const otherAccept = inboxAccepter(otherDb);
      // An uncommitted row both statements meet halfway, having written the event before it: in arrival
      // order each would then wait for the event the other wrote first.
      await holder.query('BEGIN');
      await holder.query(`INSERT INTO inbox (integration_id, workspace_id, provider, dedup_key, event_type, payload, status) VALUES ($1, $2, 'stripe', 'evt_m_held', 'x', '{}', 'pending')`, [id, workspaceId]);
      const answers = Promise.allSettled([
        accept(target(id), [event('evt_a'), event('evt_m_held'), event('evt_z')]),
        otherAccept(target(id), [event('evt_z'), event('evt_m_held'), event('evt_a')]),
      ]);
      await acceptsWaiting(2);
      await holder.query('ROLLBACK');
      const [one, two] = await answers;
      expect([one.status, two.status]).toEqual(['fulfilled', 'fulfilled']);
      // One stored the three events; the other met them committed after it started, and counts them as redeliveries.
      const values = [one, two].map((answer) => (answer as PromiseFulfilledResult<unknown>).value);
      expect(values).toEqual(expect.arrayContaining([{ created: 3, requeued: 0, duplicates: 0, busy: 0 }, { created: 0, requeued: 0, duplicates: 3, busy: 0 }]));
    } finally {
      await holder.end();
      await otherDb.destroy();
    }
    expect(await rows(id)).toEqual(['evt_a', 'evt_m_held', 'evt_z'].map((key) => ({ dedup_key: key, status: 'pending', duplicate_count: 1 })));
  });
});

describe('concurrent signed webhooks over HTTP', () => {
  const SECRET = 'whsec_group_commit_secret';
  let h: Harness;
  let io: ReturnType<typeof inboundHelpers>;

  beforeAll(async () => {
    h = await startHarness();
    const { key } = await h.newWorkspace('Group commit');
    io = inboundHelpers(h, () => key);
  });
  afterAll(() => h.stop());

  it('answers each one for its own event, stores one row per event and applies each once', async () => {
    const id = (await io.install('stripe', {}, { webhookSecret: SECRET })).id;
    const send = (eventId: string) => {
      const payload = stripeInvoicePaid(eventId, `in_${eventId}`, 1250);
      return h.post(`/webhooks/stripe/${id}`, payload, stripeHeaders(payload, SECRET));
    };
    // 60 events, every fifth one sent three times at once.
    const ids = Array.from({ length: 60 }, (_, index) => `evt_concurrent_${String(index).padStart(2, '0')}`);
    const sent = ids.flatMap((eventId, index) => (index % 5 === 0 ? [eventId, eventId, eventId] : [eventId]));
    const answers = await Promise.all(sent.map(async (eventId) => ({ eventId, ...(await send(eventId)) })));
    expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);
    for (const eventId of ids) {
      const mine = answers.filter((answer) => answer.eventId === eventId).map((answer) => answer.body);
      // One of the copies stored it, the others are told it is a duplicate.
      expect(mine.filter((body) => body.accepted === 1)).toHaveLength(1);
      expect(mine.filter((body) => body.duplicates === 1)).toHaveLength(mine.length - 1);
      expect(mine.every((body) => body.received === 1)).toBe(true);
    }
    const inbox = await io.settled(id, ids.length);
    expect(inbox.map((row) => row.dedup_key).sort()).toEqual(ids);
    const conversions = await waitFor(async () => {
      const found = await io.conversions(id);
      return found.length >= ids.length && found;
    }, 'a conversion per event');
    expect(conversions.map((conversion) => conversion.external_event_id).sort()).toEqual(ids);
  });

  it('answers a redelivered event whose row a transaction holds 503 at once, the other webhooks 200 meanwhile', async () => {
    const held = (await io.install('stripe', {}, { webhookSecret: SECRET })).id;
    const other = (await io.install('stripe', {}, { webhookSecret: SECRET })).id;
    const send = (integrationId: string, eventId: string) => {
      const payload = stripeInvoicePaid(eventId, `in_${eventId}`, 700);
      return h.post(`/webhooks/stripe/${integrationId}`, payload, stripeHeaders(payload, SECRET));
    };
    expect((await send(held, 'evt_http_held')).status).toBe(200);
    await io.settled(held, 1);
    const holder = new Client({ connectionString: h.config.databaseUrl });
    await holder.connect();
    try {
      // As a retention delete (or a replay) holds the processed row.
      await holder.query('BEGIN');
      await holder.query(`SELECT id FROM inbox WHERE integration_id = $1 FOR UPDATE`, [held]);
      const [redelivered, meanwhile] = await Promise.all([send(held, 'evt_http_held'), send(other, 'evt_http_other')]);
      expect(redelivered).toMatchObject({ status: 503, body: { error: { code: 'event_being_processed' } } });
      expect(redelivered.headers.get('retry-after')).toBe('5');
      expect(meanwhile).toMatchObject({ status: 200, body: { accepted: 1 } });
      await holder.query('ROLLBACK');
    } finally {
      await holder.end();
    }
    expect(await send(held, 'evt_http_held')).toMatchObject({ status: 200, body: { accepted: 0, duplicates: 1 } });
  });

  it('answers a body cut short (Content-Length larger than what came) 400, without an error log', async () => {
    const id = (await io.install('stripe', {}, { webhookSecret: SECRET })).id;
    const answered = jest.spyOn(apiErrors, 'errorAnswer');
    const logged = jest.spyOn(logger, 'error');
    try {
      const { port } = new URL(h.url);
      for (const path of [`/webhooks/stripe/${id}`, '/v1/events']) {
        const calls = answered.mock.calls.length;
        // The client announces 100 bytes, sends 12 and ends its side of the connection.
        const socket = connect(Number(port), '127.0.0.1', () => {
          socket.write(`POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"id": "evt_`);
          socket.end();
        });
        socket.resume();
        await waitFor(() => answered.mock.calls.length > calls, `the error answer for ${path}`);
        expect(answered.mock.results[calls].value).toMatchObject({ status: 400, body: { error: { code: 'incomplete_body' } } });
        socket.destroy();
      }
      expect(logged.mock.calls.filter((call) => call[1] === 'unhandled error')).toEqual([]);
    } finally {
      answered.mockRestore();
      logged.mockRestore();
    }
  });

  it('answers a lone webhook on its own', async () => {
    const id = (await io.install('stripe', {}, { webhookSecret: SECRET })).id;
    const payload = stripeInvoicePaid('evt_lone', 'in_lone', 990);
    const response = await h.post(`/webhooks/stripe/${id}`, payload, stripeHeaders(payload, SECRET));
    expect(response).toMatchObject({ status: 200, body: { received: 1, accepted: 1, duplicates: 0, skipped: 0 } });
    await io.settled(id, 1);
  });
});
