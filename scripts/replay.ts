import { Client, Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { loadConfig, temporalAddressOf } from '../lib/config';

/**
 * `npm run replay -- <workflowId> [runId]`: fetches a workflow's history from the server and replays
 * it against the current workflow code; a determinism break fails with the offending command.
 */
async function main(): Promise<void> {
  const [workflowId, runId] = process.argv.slice(2);
  if (!workflowId) throw new Error('usage: npm run replay -- <workflowId> [runId]');
  const config = loadConfig();
  const connection = await Connection.connect({ address: temporalAddressOf(config) });
  const client = new Client({ connection, namespace: config.temporalNamespace });
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  await Worker.runReplayHistory({ workflowsPath: require.resolve('../workflows') }, history, workflowId);
  console.log(`replayed ${history.events?.length ?? 0} events of ${workflowId}: deterministic with the current code`);
  await connection.close();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
