import { loadConfig, temporalAddressOf } from '../lib/config';
import { SecretBox } from '../lib/crypto';
import { logger } from '../lib/logger';
import { connectTemporal, openDatabase } from '../services/runtime';
import { runWorker } from './run-worker';

/** Worker only (scale out by running more of these): `node dist/worker/main.js`. */
async function main(): Promise<void> {
  const config = loadConfig();
  const box = SecretBox.load(config.encryptionKey, config.dataDir);
  const db = await openDatabase(config, box);
  const address = temporalAddressOf(config);
  const { client } = await connectTemporal(address, config.temporalNamespace);
  const worker = await runWorker(address, { db, box, config, temporal: client });
  logger.info({ taskQueue: config.taskQueue, address }, 'worker running');
  await worker.done;
  await db.destroy();
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, 'worker failed');
  process.exit(1);
});
