import { restartStalledBatches } from '../services/delivery-workflows';
import type { BackgroundWork } from '../lib/background';
import { logger } from '../lib/logger';
import { type DispatchDeps, outboxDispatcher } from '../services/outbox-dispatch';

/**
 * Safety net for outbound work the fast path dropped: outbox rows nobody dispatched (a process died
 * after its commit, Temporal was down) and planned delivery batches whose workflow never started.
 * Any number of workers may run it: dispatch skips locked rows and a batch's workflow id is fixed. Runs as
 * `background` work: stopping it ends the sweeps.
 */
export function startOutboundSweep(background: BackgroundWork, deps: DispatchDeps): void {
  const dispatch = outboxDispatcher(deps);
  const { db, temporal, config } = deps;
  const sweep = async () => {
    await dispatch();
    await restartStalledBatches(db, temporal, config, config.dispatchSweepMs);
  };
  background.every(config.dispatchSweepMs, () => sweep().catch((error: unknown) => logger.warn({ err: error }, 'outbound sweep failed')));
}
