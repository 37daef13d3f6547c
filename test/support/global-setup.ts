import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createDb, ensureDatabase, migrateToLatest } from '../../db';
import { INSTALL_HINT, provisionTemporalCli } from '../../lib/temporal-cli';
import { startDevServer } from '../../lib/temporal-server';
import { WORKFLOW_BUNDLE_PATH } from '../../worker/workflow-bundle';
import { testState } from './state';

/** Low enough that long tests continue-as-new many times: carrying state across runs is exercised everywhere. */
export const TEST_CONTINUE_AS_NEW_EVENTS = 150;

/**
 * Once per test run: a Temporal dev server (in memory), a fresh PostgreSQL database, and one workflow
 * bundle shared by every test worker. Jest workers inherit what is put in process.env here.
 */
export default async function globalSetup(): Promise<void> {
  const cliPath = await provisionTemporalCli((line) => console.log(line));
  if (!cliPath) throw new Error(INSTALL_HINT);
  const server = await startDevServer({
    cliPath,
    dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': TEST_CONTINUE_AS_NEW_EVENTS },
  });

  const base = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  base.pathname = `/linquid_test_${Date.now()}_${process.pid}`;
  const databaseUrl = base.toString();
  await ensureDatabase(databaseUrl);
  const db = createDb(databaseUrl, 1);
  await migrateToLatest(db);
  await db.destroy();

  // `npm test` builds first, and the build writes the workflow bundle every worker loads.
  if (!existsSync(WORKFLOW_BUNDLE_PATH)) throw new Error(`${WORKFLOW_BUNDLE_PATH} is missing: run the tests with npm test (it builds first)`);

  Object.assign(process.env, {
    TEMPORAL_ADDRESS: server.address,
    DATABASE_URL: databaseUrl,
    LINQUID_TEST_WORKFLOW_BUNDLE: WORKFLOW_BUNDLE_PATH,
    LINQUID_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    LINQUID_ADMIN_TOKEN: `admin-${randomBytes(8).toString('hex')}`,
    ALLOW_PRIVATE_DESTINATIONS: 'true',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  testState.server = server;
  testState.databaseUrl = databaseUrl;
}
