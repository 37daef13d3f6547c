import { loadConfig, temporalAddressOf } from '../lib/config';
import { SecretBox } from '../lib/crypto';
import { logger } from '../lib/logger';
import { connectTemporal, openDatabase } from '../services/runtime';
import { serveApi } from './app';

/** API only (scale out by running more of these): `node dist/api/main.js`. */
async function main(): Promise<void> {
  const config = loadConfig();
  const box = SecretBox.load(config.encryptionKey, config.dataDir);
  const db = await openDatabase(config, box);
  const { client } = await connectTemporal(temporalAddressOf(config), config.temporalNamespace);
  const api = await serveApi({ db, box, config, temporal: client }, config.port);
  logger.info({ port: config.port }, 'API listening');
  // A container stop: finish the requests in flight (a webhook answered is a webhook stored), then exit.
  const shutdown = async () => {
    await api.close();
    await db.destroy();
    process.exit(0);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, 'API failed to start');
  process.exit(1);
});
