import { Client, Connection } from '@temporalio/client';
import { createDb, type Db, ensureDatabase, migrateToLatest } from '../db';
import type { Config } from './config';
import { ensureSearchAttributes } from './temporal-server';

/** Creates the database if missing, migrates it, and returns a pool. */
export async function openDatabase(config: Config): Promise<Db> {
  await ensureDatabase(config.databaseUrl);
  const db = createDb(config.databaseUrl);
  await migrateToLatest(db);
  return db;
}

export async function connectTemporal(address: string, namespace: string): Promise<{ connection: Connection; client: Client }> {
  const connection = await Connection.connect({ address });
  await ensureSearchAttributes(connection, namespace).catch((error: unknown) => {
    // Temporal Cloud and locked-down clusters refuse this: they are registered by an operator there.
    console.error(`[temporal] could not register search attributes (${String(error)}); register WorkspaceId, Provider, IntegrationState as Keyword`);
  });
  return { connection, client: new Client({ connection, namespace }) };
}
