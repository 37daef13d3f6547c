import { join, resolve } from 'node:path';
import { serveApi } from '../api/app';
import { createWorkspace } from '../db/queries/workspaces';
import { DEV_TEMPORAL_PORT, loadConfig } from '../lib/config';
import { SecretBox } from '../lib/crypto';
import { logger } from '../lib/logger';
import { connectTemporal, openDatabase } from '../services/runtime';
import { INSTALL_HINT, provisionTemporalCli } from '../lib/temporal-cli';
import { type DevServer, startDevServer } from '../lib/temporal-server';
import { runWorker } from '../worker/run-worker';

/**
 * `npm start`: the whole service on its embedded defaults — a Temporal dev server (unless
 * TEMPORAL_ADDRESS is set), the database (created and migrated), the worker and the API in one process.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  let devServer: DevServer | undefined;
  let address = config.temporalAddress;
  if (!address) {
    const cliPath = await provisionTemporalCli((line) => console.log(line));
    if (!cliPath) throw new Error(INSTALL_HINT);
    console.log('[temporal] starting the dev server (SQLite under the data dir, Web UI on :8233)…');
    devServer = await startDevServer({ cliPath, dbFile: resolve(join(config.dataDir, 'temporal.db')), port: DEV_TEMPORAL_PORT, uiPort: 8233 });
    address = devServer.address;
  }
  const box = SecretBox.load(config.encryptionKey, config.dataDir);
  const db = await openDatabase(config, box);
  const { client } = await connectTemporal(address, config.temporalNamespace);
  const worker = await runWorker(address, { db, box, config, temporal: client });
  const api = await serveApi({ db, box, config, temporal: client }, config.port);

  const existing = await db.selectFrom('workspaces').select('id').limit(1).executeTakeFirst();
  const lines = [
    '',
    'Linquid Integrations is running',
    `  Admin UI         ${config.publicBaseUrl}/  (sign in with a workspace API key)`,
    `  API              ${config.publicBaseUrl}/v1  (health: ${config.publicBaseUrl}/readyz)`,
    `  Temporal Web UI  ${devServer?.uiUrl ?? `your Temporal UI (server ${address})`}`,
  ];
  if (!existing) {
    const demo = await createWorkspace(db, 'Demo workspace');
    lines.push(`  Demo workspace   ${demo.workspace.id}`, `  Demo API key     ${demo.apiKey.key}   (shown once; stored hashed)`);
  } else {
    lines.push('  Workspaces exist already: use the API key printed at first start, or create one with POST /v1/workspaces.');
  }
  console.log(lines.join('\n') + '\n');

  const shutdown = async () => {
    logger.info('shutting down');
    await api.close();
    await worker.stop();
    await db.destroy();
    await devServer?.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
