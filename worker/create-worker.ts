import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { existsSync } from 'node:fs';
import { createActivities } from '../activities';
import { BackgroundWork } from '../lib/background';
import type { ActivityDeps } from '../activities/deps';
import { WORKFLOW_BUNDLE_PATH } from './workflow-bundle';

export interface WorkerOptions {
  address: string;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps & { temporal: Client };
  /** A pre-built workflow bundle; default: the one `npm run build` writes, else the worker bundles `workflows/`. */
  workflowBundlePath?: string;
}

let runtimeInstalled = false;

/** The SDK logs every worker state change at INFO; only warnings and errors are worth our logs. */
function installRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger((process.env.TEMPORAL_LOG_LEVEL as 'WARN' | undefined) ?? 'WARN') });
}

/** The worker, and the background work of its activities (outbox dispatches): stop it once the worker has stopped, before the pool. */
export async function createIntegrationWorker(options: WorkerOptions): Promise<{ worker: Worker; connection: NativeConnection; background: BackgroundWork }> {
  installRuntime();
  const bundlePath = options.workflowBundlePath ?? (existsSync(WORKFLOW_BUNDLE_PATH) ? WORKFLOW_BUNDLE_PATH : undefined);
  const connection = await NativeConnection.connect({ address: options.address });
  const background = new BackgroundWork();
  const worker = await Worker.create({
    connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: createActivities(options.deps, background),
    // Cancellation reaches an activity with a heartbeat's answer: a drain stops within about a second.
    maxHeartbeatThrottleInterval: '1 second',
    // The SDK sizes its cache from the heap limit (~2,300 workflows on this machine), and V8 lets the heap
    // grow to hold them: a fixed size keeps the worker's memory flat (see README, Performance).
    maxCachedWorkflows: options.deps.config.maxCachedWorkflows,
    ...(bundlePath ? { workflowBundle: { codePath: bundlePath } } : { workflowsPath: require.resolve('../workflows') }),
  });
  return { worker, connection, background };
}
