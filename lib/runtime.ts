import { Client, Connection } from '@temporalio/client';
import { createDb, type Db, ensureDatabase, migrateToLatest } from '../db';
import { judgeDestinations } from '../db/queries/integrations';
import type { Config } from './config';
import type { SecretBox } from './crypto';
import { ensureSearchAttributes } from './temporal-server';

/**
 * Creates the database if missing, migrates it, judges what a migration could not (the destinations
 * installed before `delivers` was recorded: their secrets need the key), and returns a pool.
 */
export async function openDatabase(config: Config, box: SecretBox): Promise<Db> {
  await ensureDatabase(config.databaseUrl);
  const db = createDb(config.databaseUrl);
  await migrateToLatest(db);
  await judgeDestinations(db, box);
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
