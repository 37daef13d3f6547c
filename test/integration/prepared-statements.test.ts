import { sql } from 'kysely';
import { Pool } from 'pg';
import { createDb, type Db } from '../../db';
import { prepareRepeatedStatements } from '../../db/prepared-statements';

/** The statements this session's server process holds prepared, by text. */
async function preparedTexts(db: Db): Promise<string[]> {
  const { rows } = await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements`.execute(db);
  return rows.map((row) => row.statement);
}

describe('prepared statements for repeated writes', () => {
  let db: Db;
  beforeAll(async () => {
    // One connection, so every statement below runs in the same server process.
    db = createDb(process.env.DATABASE_URL!, 1);
    await sql`CREATE TABLE IF NOT EXISTS prepared_probe (id text PRIMARY KEY, hits integer NOT NULL DEFAULT 1, status text NOT NULL)`.execute(db);
  });
  afterAll(async () => {
    await sql`DROP TABLE prepared_probe`.execute(db);
    await db.destroy();
  });

  it('prepares a write from its third run on, with the same results, and never a read', async () => {
    const upsert = async (id: string) =>
      (await sql<{ id: string; hits: number }>`INSERT INTO prepared_probe (id, status) VALUES (${id}, 'pending')
        ON CONFLICT (id) DO UPDATE SET hits = prepared_probe.hits + 1 RETURNING id, hits`.execute(db)).rows;
    const read = () => sql`SELECT hits FROM prepared_probe WHERE status = ${'pending'}`.execute(db);

    const runs = async (from: number, to: number) => {
      for (let run = from; run <= to; run++) {
        expect(await upsert('a')).toEqual([{ id: 'a', hits: run }]);
        await read();
      }
    };
    await runs(1, 2);
    expect((await preparedTexts(db)).filter((text) => text.includes('prepared_probe'))).toEqual([]);
    await runs(3, 5);
    expect(await upsert('b')).toEqual([{ id: 'b', hits: 1 }]);
    const prepared = (await preparedTexts(db)).filter((text) => text.includes('prepared_probe'));
    expect(prepared).toHaveLength(1);
    expect(prepared[0]).toMatch(/^INSERT INTO prepared_probe/);
  });

  it('recovers a statement whose values failed to serialize, and leaves callback calls alone', async () => {
    const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
    prepareRepeatedStatements(pool);
    const text = "INSERT INTO prepared_probe (id, status) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET hits = prepared_probe.hits + 1 RETURNING hits";
    try {
      const client = await pool.connect();
      try {
        for (let run = 1; run <= 3; run++) expect((await client.query(text, ['c', 'pending'])).rows).toEqual([{ hits: run }]);
        const circular: Record<string, unknown> = {};
        circular.self = circular;
        await expect(client.query(text, ['c', circular])).rejects.toThrow(/circular/i);
        // pg still believes the closed statement parsed: without a new name this run would fail.
        expect((await client.query(text, ['c', 'pending'])).rows).toEqual([{ hits: 4 }]);
        // pg's callback form (what pool.query uses) answers through the callback.
        const viaCallback = await new Promise((resolve, reject) =>
          client.query(text, ['c', 'pending'], (error: Error | undefined, result: { rows: unknown[] }) => (error ? reject(error) : resolve(result.rows))),
        );
        expect(viaCallback).toEqual([{ hits: 5 }]);
      } finally {
        client.release();
      }
      expect((await pool.query(text, ['c', 'pending'])).rows).toEqual([{ hits: 6 }]);
    } finally {
      await pool.end();
    }
  });
});
