import { Client, Connection } from '@temporalio/client';
import { setTimeout as delay } from 'node:timers/promises';
import { createDb, type Db, ensureDatabase, isDatabaseUnavailable, migrateToLatest } from '../db';
import { judgeDestinations } from '../db/queries/integrations';
import type { Config } from '../lib/config';
import type { SecretBox } from '../lib/crypto';
import { logger } from '../lib/logger';
import { ensureSearchAttributes } from '../lib/temporal-server';

const START_RETRY_FIRST_MS = 1000;
const START_RETRY_MAX_MS = 30_000;

/**
 * Creates the database if missing, migrates it, judges what a migration could not (the destinations
 * installed before `delivers` was recorded: their secrets need the key), and returns the service's pool
 * (with the configured timeouts). While PostgreSQL is unreachable it keeps trying, so a process started
 * during an outage waits for it instead of exiting (and crash-looping under a supervisor).
 */
export async function openDatabase(config: Config, box: SecretBox): Promise<Db> {
  const connectMs = config.databaseConnectTimeoutMs;
  for (let wait = START_RETRY_FIRST_MS; ; wait = Math.min(wait * 2, START_RETRY_MAX_MS)) {
    try {
      await ensureDatabase(config.databaseUrl, connectMs);
      // A pool of its own without the statement timeout: a migration may rightly take long.
      const setup = createDb(config.databaseUrl, 1, { connectMs });
      try {
        await migrateToLatest(setup);
        await judgeDestinations(setup, box);
      } finally {
        await setup.destroy();
      }
      break;
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      logger.warn({ err: error, retryInMs: wait }, 'database unreachable at start; retrying');
      await delay(wait);
    }
  }
  return createDb(config.databaseUrl, 10, { connectMs, queryMs: config.databaseQueryTimeoutMs });
}

export async function connectTemporal(address: string, namespace: string): Promise<{ connection: Connection; client: Client }> {
  const connection = await Connection.connect({ address });
  await ensureSearchAttributes(connection, namespace).catch((error: unknown) => {
    // Temporal Cloud and locked-down clusters refuse this: they are registered by an operator there.
    console.error(`[temporal] could not register search attributes (${String(error)}); register WorkspaceId, Provider, IntegrationState as Keyword`);
  });
  return { connection, client: new Client({ connection, namespace }) };
}
