import type { Pool, PoolClient, QueryResult } from 'pg';

/** A query text run this often on one connection is prepared there from then on. */
const PREPARE_AFTER = 3;
/** Named statements per connection: each holds a parsed query and plans in its server process. */
const MAX_PREPARED = 100;
/** Distinct texts counted per connection before the count starts over (multi-row inserts vary). */
const MAX_COUNTED = 1000;
/** Larger statements (many rows) are left to plan each time: planning is small beside their work. */
const MAX_PARAMETERS = 500;

type Query = (config: string | { name: string; text: string; values: unknown[] }, values?: unknown[]) => Promise<QueryResult>;

/**
 * Statements worth preparing: the writes, which the hot paths repeat (accept, drain, delivery) and
 * whose rows are found by key. Not reads: a generic plan cannot use a partial index whose predicate a
 * parameter stands in for (`status = $2` for `WHERE status = 'pending'`), and may walk a table instead.
 */
const WRITE = /^\s*(insert|update|delete|with)\b/i;

/**
 * Server-side prepared statements for the writes a connection repeats, as JDBC and pgx do for every
 * statement: PostgreSQL otherwise parses, analyses and plans each one anew, which costs it several times
 * the execution of a small insert. Texts with parameters only, and none with `*` (a prepared statement
 * whose result columns a migration changes fails).
 */
export function prepareRepeatedStatements(pool: Pool): void {
  pool.on('connect', (client: PoolClient) => {
    const query = client.query.bind(client) as Query;
    const counted = new Map<string, number>();
    const prepared = new Map<string, string>();
    const named = ((text: unknown, values?: unknown) => {
      if (typeof text !== 'string' || !Array.isArray(values) || values.length === 0 || values.length > MAX_PARAMETERS || !WRITE.test(text) || text.includes('*')) return query(text as string, values as unknown[]);
      let name = prepared.get(text);
      if (!name && prepared.size < MAX_PREPARED) {
        const uses = (counted.get(text) ?? 0) + 1;
        if (counted.size >= MAX_COUNTED) counted.clear();
        counted.set(text, uses);
        if (uses >= PREPARE_AFTER) {
          name = `linquid_${prepared.size + 1}`;
          prepared.set(text, name);
          counted.delete(text);
        }
      }
      return name ? query({ name, text, values }) : query(text, values);
    }) as PoolClient['query'];
    client.query = named;
  });
}
