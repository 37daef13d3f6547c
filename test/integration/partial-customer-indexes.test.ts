import { sql } from 'kysely';
import type { Db } from '../../db';
import { openOwnDatabase } from '../support/own-database';

/**
 * Migration 017 keeps only rows that name a customer in the "by customer" indexes: the read API's
 * `?customerId=` filters must still be served by them (a partial index is used only when the planner
 * can prove the query implies its predicate).
 */
describe('migration 017_partial_customer_indexes', () => {
  let db: Db;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await openOwnDatabase('partial'));
  });
  afterAll(() => close());

  /** The plan of `query` with sequential scans ruled out (the tables are empty): which indexes it reads. */
  async function indexesRead(query: ReturnType<typeof sql>): Promise<string> {
    return db.connection().execute(async (connection) => {
      await sql`SET enable_seqscan = off`.execute(connection);
      const { rows } = await sql<{ 'QUERY PLAN': string }>`EXPLAIN ${query}`.execute(connection);
      await sql`RESET enable_seqscan`.execute(connection);
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    });
  }

  it('serves the events and conversions of a customer from the partial indexes', async () => {
    const events = await indexesRead(sql`SELECT * FROM events WHERE workspace_id = ${'ws_1'} AND data->'customer'->>'id' = ${'cus_1'} ORDER BY created_at DESC, id DESC LIMIT 50`);
    expect(events).toContain('events_customer_idx');
    const conversions = await indexesRead(sql`SELECT * FROM conversions WHERE workspace_id = ${'ws_1'} AND customer_id = ${'cus_1'} ORDER BY occurred_at DESC, id DESC LIMIT 50`);
    expect(conversions).toContain('conversions_customer_idx');
  });

  it('holds no entry for rows without a customer', async () => {
    const { rows } = await sql<{ name: string; predicate: string | null }>`
      SELECT indexrelid::regclass::text AS name, pg_get_expr(indpred, indrelid) AS predicate FROM pg_index
      WHERE indexrelid::regclass::text IN ('events_customer_idx', 'conversions_customer_idx') ORDER BY 1`.execute(db);
    expect(rows).toEqual([
      { name: 'conversions_customer_idx', predicate: '(customer_id IS NOT NULL)' },
      { name: 'events_customer_idx', predicate: "(((data -> 'customer'::text) ->> 'id'::text) IS NOT NULL)" },
    ]);
  });
});
