import { loadConfig } from '../lib/config';
import { SecretBox } from '../lib/crypto';
import { logger } from '../lib/logger';
import { connectTemporal, openDatabase } from '../lib/runtime';
import { serveApi } from './app';

/** API only (scale out by running more of these): `node dist/api/main.js`. */
async function main(): Promise<void> {
  const config = loadConfig();
  const db = await openDatabase(config);
  const box = SecretBox.load(config.encryptionKey, config.dataDir);
  const { client } = await connectTemporal(config.temporalAddress ?? '127.0.0.1:7233', config.temporalNamespace);
  await serveApi({ db, box, config, temporal: client }, config.port);
  logger.info({ port: config.port }, 'API listening');
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, 'API failed to start');
  process.exit(1);
});
