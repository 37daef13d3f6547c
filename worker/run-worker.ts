import type { Client } from '@temporalio/client';
import type { Db } from '../db';
import type { Config } from '../lib/config';
import type { SecretBox } from '../lib/crypto';
import { createIntegrationWorker } from './create-worker';
import { startDoorbellSweep } from './doorbell-sweep';
import { startOutboundSweep } from './outbound-sweep';
import { ensureRetentionSchedule } from './retention-schedule';

export interface RunningWorker {
  /** Settles when the worker has stopped polling and finished its in-flight tasks, and the sweeps and dispatches in flight have ended. */
  done: Promise<void>;
  stop(): Promise<void>;
}

/** The worker with its safety-net sweeps (lost doorbells, undispatched outbox rows) and the retention Schedule, as every entry point runs it. */
export async function runWorker(address: string, deps: { db: Db; box: SecretBox; config: Config; temporal: Client }): Promise<RunningWorker> {
  const { db, config, temporal } = deps;
  const { worker, background } = await createIntegrationWorker({ address, namespace: config.temporalNamespace, taskQueue: config.taskQueue, deps });
  await ensureRetentionSchedule(temporal, config);
  startDoorbellSweep(background, db, temporal, config.doorbellSweepMs);
  startOutboundSweep(background, { db, temporal, config });
  // The last activities' dispatches and a sweep under way still use the pool: the caller destroys it after `done`.
  const done = worker.run().finally(() => background.stop());
  return {
    done,
    stop: async () => {
      // The SDK stops the worker on SIGINT/SIGTERM by itself: it may be stopping or stopped already.
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
