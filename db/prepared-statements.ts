import type { Pool, PoolClient, QueryResult } from 'pg';

/** A query text run this often on one connection is prepared there from then on. */
const PREPARE_AFTER = 3;
/** Named statements per connection: each holds a parsed query and plans in its server process. */
const MAX_PREPARED = 100;
/** Distinct texts counted per connection before the count starts over (multi-row inserts vary). */
const MAX_COUNTED = 1000;
/** Larger statements (many rows) are left to plan each time: planning is small beside their work. */
const MAX_PARAMETERS = 500;

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
    const query = client.query.bind(client) as (...args: unknown[]) => Promise<QueryResult>;
    const counted = new Map<string, number>();
    const prepared = new Map<string, string>();
    let statements = 0;

    const nameFor = (text: string): string | undefined => {
      const name = prepared.get(text);
      if (name || prepared.size >= MAX_PREPARED) return name;
      const uses = (counted.get(text) ?? 0) + 1;
      if (counted.size >= MAX_COUNTED) counted.clear();
      counted.set(text, uses);
      if (uses < PREPARE_AFTER) return undefined;
      counted.delete(text);
      // Names are never reused: pg remembers every name it parsed on this connection.
      statements += 1;
      prepared.set(text, `linquid_${statements}`);
      return prepared.get(text);
    };

    client.query = ((...args: unknown[]) => {
      const [text, values] = args;
      // Config objects, cursors, callbacks and reads go through untouched.
      if (args.length !== 2 || typeof text !== 'string' || !Array.isArray(values) || !worthPreparing(text, values)) return query(...args);
      const name = nameFor(text);
      if (!name) return query(text, values);
      return query({ name, text, values }).catch((error: unknown) => {
        const code = (error as { code?: unknown }).code;
        if (typeof code === 'string' && code !== '26000') throw error;
        // A value that failed to serialize (no SQLSTATE): pg closed the statement but still counts it as
        // parsed, so running it again would skip Parse. 26000: the server does not know the statement (that,
        // or a session reset). The text is counted afresh and gets a new name; the latter is retried unnamed.
        prepared.delete(text);
        if (code === undefined) throw error;
        return query(text, values);
      });
    }) as PoolClient['query'];
  });
}

function worthPreparing(text: string, values: unknown[]): boolean {
  return values.length > 0 && values.length <= MAX_PARAMETERS && WRITE.test(text) && !text.includes('*');
}
