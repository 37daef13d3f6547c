import type { Client } from '@temporalio/client';
import type { Db } from '../db';
import type { Config } from '../lib/config';
import type { SecretBox } from '../lib/crypto';
import { createIntegrationWorker } from './create-worker';
import { startDoorbellSweep } from './doorbell-sweep';
import { startOutboundSweep } from './outbound-sweep';
import { ensureRetentionSchedule } from './retention-schedule';

export interface RunningWorker {
  /** Settles when the worker has stopped polling and finished its in-flight tasks. */
  done: Promise<void>;
  stop(): Promise<void>;
}

/** The worker with its safety-net sweeps (lost doorbells, undispatched outbox rows) and the retention Schedule, as every entry point runs it. */
export async function runWorker(address: string, deps: { db: Db; box: SecretBox; config: Config; temporal: Client }): Promise<RunningWorker> {
  const { db, config, temporal } = deps;
  const { worker } = await createIntegrationWorker({ address, namespace: config.temporalNamespace, taskQueue: config.taskQueue, deps });
  await ensureRetentionSchedule(temporal, config);
  const stopDoorbellSweep = startDoorbellSweep(db, temporal, config.doorbellSweepMs);
  const stopOutboundSweep = startOutboundSweep({ db, temporal, config });
  const done = worker.run().finally(() => {
    stopDoorbellSweep();
    stopOutboundSweep();
  });
  return {
    done,
    stop: async () => {
      // The SDK stops the worker on SIGINT/SIGTERM by itself: it may be stopping or stopped already.
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
