import { Kysely, Migrator, PostgresDialect } from 'kysely';
import { Client, Pool, types } from 'pg';
import type { Database } from './schema';
import { type DbTimeouts, isDatabaseUnavailable, surviveConnectionFaults, timeoutOptions } from './connection-faults';
import { migrations } from './migrations';
import { prepareRepeatedStatements } from './prepared-statements';

export { type DbTimeouts, isDatabaseUnavailable } from './connection-faults';

// int8 counts (count(*), bigserial) fit comfortably in a JS number for this service's volumes.
types.setTypeParser(types.builtins.INT8, (value) => Number.parseInt(value, 10));

export type Db = Kysely<Database>;

/** A pool of `maxConnections`; without `timeouts`, opening a connection and running a statement may take any time. */
export function createDb(databaseUrl: string, maxConnections = 10, timeouts?: DbTimeouts): Db {
  const pool = new Pool({ connectionString: databaseUrl, max: maxConnections, ...(timeouts ? timeoutOptions(timeouts) : {}) });
  surviveConnectionFaults(pool);
  prepareRepeatedStatements(pool);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** Runs `work` on a connection to the `postgres` database of the server in `databaseUrl`, with the target's quoted name. */
async function withAdmin(databaseUrl: string, work: (admin: Client, name: string, quoted: string) => Promise<void>, connectMs?: number): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString(), connectionTimeoutMillis: connectMs });
  // A lost connection also rejects the query under way, which is what the caller hears of.
  admin.on('error', () => undefined);
  await admin.connect();
  try {
    await work(admin, name, `"${name.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
}

/** Creates the database named in the URL when it does not exist yet (the embedded default). */
export async function ensureDatabase(databaseUrl: string, connectMs?: number): Promise<void> {
  await withAdmin(databaseUrl, async (admin, name, quoted) => {
    const existing = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (existing.rowCount === 0) {
      await admin.query(`CREATE DATABASE ${quoted}`).catch((error: { code?: string }) => {
        if (error.code !== '42P04') throw error; // created concurrently by another process
      });
    }
  }, connectMs);
}

/** Drops a throwaway database (tests, bench), closing whatever connections are still open to it. */
export async function dropDatabase(databaseUrl: string): Promise<void> {
  await withAdmin(databaseUrl, async (admin, _name, quoted) => {
    await admin.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`);
  });
}

export async function migrateToLatest(db: Db): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  // Each migration runs in a transaction: one cut short by a lost connection can simply run again.
  if (isDatabaseUnavailable(error)) throw error;
  if (error || failed) throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
}
