import { MockActivityEnvironment } from '@temporalio/testing';
import { sql } from 'kysely';
import { drainBatch } from '../../activities/inbox-batch';
import type { ProviderReads } from '../../activities/provider-reads';
import type { Db } from '../../db';
import { inboxAccepter } from '../../db/queries/inbox-accept';
import { lockPendingBatch, peekPendingBatch } from '../../db/queries/inbox-drain';
import type { ProviderModule } from '../../providers/types';
import { openOwnDatabase } from '../support/own-database';

/** A drain batch is bounded by rows and by payload bytes (JSON text), oldest first, skipping rows another drain holds. */
describe('inbox drain batches', () => {
  let db: Db;
  let close: () => Promise<void>;
  /**
   * Bytes of a payload `{"pad": "<n × x>"}` as JSON text: what the budget counts of a row inserted without
   * `payload_bytes`, as these are (accepted before migration 018).
   */
  let jsonBytes: (chars: number) => Promise<number>;

  beforeAll(async () => {
    ({ db, close } = await openOwnDatabase('batch', 3));
    await sql`INSERT INTO workspaces (id, name) VALUES ('ws_batch', 'batch')`.execute(db);
    jsonBytes = async (chars) => (await sql<{ size: number }>`SELECT octet_length(jsonb_build_object('pad', repeat('x', ${chars}::int))::text) AS size`.execute(db)).rows[0].size;
  });
  afterAll(() => close());

  /** An integration with pending rows whose payloads pad to `sizes` characters, in this order. */
  async function inboxWith(name: string, sizes: number[]): Promise<string> {
    const id = `int_${name}`;
    await sql`INSERT INTO integrations (id, workspace_id, provider, state, settings, installed_by, state_changed_at, state_changed_by, updated_at)
      VALUES (${id}, 'ws_batch', 'stripe', 'active', '{}', 'test', now(), 'test', now())`.execute(db);
    for (const [index, chars] of sizes.entries()) {
      await sql`INSERT INTO inbox (integration_id, workspace_id, provider, dedup_key, event_type, payload, status)
        VALUES (${id}, 'ws_batch', 'stripe', ${`evt_${name}_${index}`}, 'invoice.paid', jsonb_build_object('pad', repeat('x', ${chars}::int)), 'pending')`.execute(db);
    }
    return id;
  }
  const keys = (rows: Array<{ dedup_key: string }>) => rows.map((row) => row.dedup_key);

  it('takes rows up to the row limit, and says more are waiting', async () => {
    const id = await inboxWith('rows', [10, 10, 10, 10, 10]);
    const limits = { rows: 3, bytes: 1_000_000 };
    const batch = await db.transaction().execute((trx) => lockPendingBatch(trx, id, limits));
    expect(keys(batch.rows)).toEqual(['evt_rows_0', 'evt_rows_1', 'evt_rows_2']);
    expect(batch.full).toBe(true);
    const rest = await db.transaction().execute((trx) => lockPendingBatch(trx, id, { rows: 10, bytes: 1_000_000 }));
    expect(keys(rest.rows)).toHaveLength(5);
    expect(rest.full).toBe(false);
  });

  it('stops before the row that would pass the byte budget, but always takes the first', async () => {
    const id = await inboxWith('bytes', [1000, 1000, 1000, 5000, 10]);
    const budget = 2 * (await jsonBytes(1000)) + 1;
    const batch = await db.transaction().execute((trx) => lockPendingBatch(trx, id, { rows: 10, bytes: budget }));
    expect(keys(batch.rows)).toEqual(['evt_bytes_0', 'evt_bytes_1', 'evt_bytes_2']);
    expect(batch.full).toBe(true);
    const peeked = await peekPendingBatch(db, id, { rows: 10, bytes: budget });
    expect([keys(peeked.rows), peeked.full]).toEqual([['evt_bytes_0', 'evt_bytes_1', 'evt_bytes_2'], true]);
    await sql`UPDATE inbox SET status = 'processed' WHERE integration_id = ${id} AND dedup_key IN ('evt_bytes_0', 'evt_bytes_1', 'evt_bytes_2')`.execute(db);
    // A row larger than the budget still goes, alone.
    const large = await db.transaction().execute((trx) => lockPendingBatch(trx, id, { rows: 10, bytes: 1 }));
    expect(keys(large.rows)).toEqual(['evt_bytes_3']);
    expect(large.full).toBe(true);
  });

  it('counts the JSON text of accepted payloads, not their compressed stored size', async () => {
    const id = `int_compressible`;
    await sql`INSERT INTO integrations (id, workspace_id, provider, state, settings, installed_by, state_changed_at, state_changed_by, updated_at)
      VALUES (${id}, 'ws_batch', 'stripe', 'active', '{}', 'test', now(), 'test', now())`.execute(db);
    // An order of 2,000 alike line items (~80 KB of JSON, non-ASCII included), which PostgreSQL compresses many times over.
    const payload = (index: number) => ({ id: `evt_compressible_${index}`, lines: Array.from({ length: 2000 }, (_, line) => ({ sku: 'crème-brûlée', quantity: 1 + (line % 3), price: 1250 })) });
    const accept = inboxAccepter(db);
    for (let index = 0; index < 5; index++) {
      await accept({ integrationId: id, workspaceId: 'ws_batch', provider: 'stripe', paused: false, fromTestRunner: false }, [{ dedupKey: `evt_compressible_${index}`, type: 'order.paid', payload: payload(index) }]);
    }
    const textBytes = Buffer.byteLength(JSON.stringify(payload(0)));
    const budget = 2 * textBytes + 1;
    const batch = await db.transaction().execute((trx) => lockPendingBatch(trx, id, { rows: 10, bytes: budget }));
    expect(keys(batch.rows)).toEqual(['evt_compressible_0', 'evt_compressible_1', 'evt_compressible_2']);
    expect(batch.full).toBe(true);
    expect(keys((await peekPendingBatch(db, id, { rows: 10, bytes: budget })).rows)).toEqual(['evt_compressible_0', 'evt_compressible_1', 'evt_compressible_2']);
    const stored = await sql<{ payload_bytes: number; stored: number }>`SELECT payload_bytes, pg_column_size(payload) AS stored FROM inbox WHERE integration_id = ${id} ORDER BY id`.execute(db);
    expect(stored.rows.map((row) => row.payload_bytes)).toEqual(Array.from({ length: 5 }, () => textBytes));
    // What the budget counted before: all five fit in it, many times over.
    expect(5 * stored.rows[0].stored).toBeLessThan(textBytes);
  });

  it('skips the rows another transaction holds, and only those up to lastId', async () => {
    const id = await inboxWith('locked', [10, 10, 10, 10]);
    const limits = { rows: 2, bytes: 1_000_000 };
    await db.transaction().execute(async (first) => {
      const held = await lockPendingBatch(first, id, limits);
      expect(keys(held.rows)).toEqual(['evt_locked_0', 'evt_locked_1']);
      const next = await db.transaction().execute((second) => lockPendingBatch(second, id, limits));
      expect(keys(next.rows)).toEqual(['evt_locked_2', 'evt_locked_3']);
      const upTo = await db.transaction().execute((second) => lockPendingBatch(second, id, { rows: 10, bytes: 1_000_000 }, String(next.rows[0].id)));
      expect(keys(upTo.rows)).toEqual(['evt_locked_2']);
    });
  });

  it('with a provider read, a batch cut by bytes says more are waiting (the drain goes on without its idle wait)', async () => {
    const id = await inboxWith('read', [1000, 1000, 1000, 1000]);
    const limits = { rows: 10, bytes: 2 * (await jsonBytes(1000)) + 1 };
    // HubSpot-like: the drain reads from the provider before each batch, which bounds the batch by the last row read.
    const read: string[][] = [];
    const reads: ProviderReads = {
      enrich: async (rows) => {
        read.push(keys(rows));
        return new Map();
      },
      retryPendingAmounts: async () => false,
    };
    const provider = { inbound: { normalize: () => ({ status: 'ignored', reason: 'not a sale' }) } } as unknown as ProviderModule;
    const source = { integrationId: id, workspaceId: 'ws_batch', providerId: 'hubspot', provider, settings: {} };
    const batch = () => new MockActivityEnvironment().run<Parameters<typeof drainBatch>, Awaited<ReturnType<typeof drainBatch>>, typeof drainBatch>(drainBatch, db, source, limits, reads, () => {});
    const first = await batch();
    const second = await batch();
    expect(read).toEqual([['evt_read_0', 'evt_read_1', 'evt_read_2'], ['evt_read_3']]);
    expect([first.rows, first.full]).toEqual([3, true]);
    expect([second.rows, second.full]).toEqual([1, false]);
  });
});
