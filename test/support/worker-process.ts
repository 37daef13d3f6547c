import { createDb } from '../../db';
import { loadConfig } from '../../lib/config';
import { SecretBox } from '../../lib/crypto';
import { connectTemporal } from '../../services/runtime';
import { createIntegrationWorker } from '../../worker/create-worker';

/**
 * A worker in its own process, so a test can SIGKILL it mid-batch the way a crashed machine would
 * stop: no graceful shutdown, open transactions cut with their connections.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const db = createDb(config.databaseUrl);
  const box = SecretBox.fromBase64(process.env.LINQUID_ENCRYPTION_KEY!);
  const { client } = await connectTemporal(config.temporalAddress!, config.temporalNamespace);
  const { worker } = await createIntegrationWorker({
    address: config.temporalAddress!,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    deps: { db, box, config, temporal: client },
    workflowBundlePath: process.env.LINQUID_TEST_WORKFLOW_BUNDLE,
  });
  process.send?.('ready');
  await worker.run();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
