import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { createDb, ensureDatabase, migrateToLatest } from '../../db';
import { INSTALL_HINT, provisionTemporalCli } from '../../lib/temporal-cli';
import { startDevServer } from '../../lib/temporal-server';
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

  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietBundlerLogger });
  const bundlePath = join(tmpdir(), `linquid-workflows-${process.pid}.js`);
  writeFileSync(bundlePath, code);

  Object.assign(process.env, {
    TEMPORAL_ADDRESS: server.address,
    DATABASE_URL: databaseUrl,
    LINQUID_TEST_WORKFLOW_BUNDLE: bundlePath,
    LINQUID_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    LINQUID_ADMIN_TOKEN: `admin-${randomBytes(8).toString('hex')}`,
    ALLOW_PRIVATE_DESTINATIONS: 'true',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  testState.server = server;
  testState.databaseUrl = databaseUrl;
}

const quietBundlerLogger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
  log: () => undefined,
};
