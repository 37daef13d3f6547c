import type { BackgroundWork } from '../lib/background';
import type { ActivityDeps } from './deps';
import { outboxDispatcher } from '../services/outbox-dispatch';
import { checkCredentialsActivity } from './credentials';
import { failFastOnDataErrors } from './data-errors';
import { drainInboxActivity } from './inbox';
import { recordTransitionActivity } from './lifecycle';
import { createOutboundActivities, thenDispatch } from './outbound';
import { applyRetentionActivity } from './retention';

/** All activities, bound to their dependencies; the worker registers this object (and stops `background` after it). */
export function createActivities(deps: ActivityDeps, background: BackgroundWork) {
  // Both write workspace events (conversions, lifecycle) to the outbox: dispatch right after they commit, as
  // background work, so a shutdown waits for the passes they started before the pool goes.
  const dispatchPass = outboxDispatcher(deps);
  const dispatch = () => background.run(dispatchPass);
  return failFastOnDataErrors({
    recordTransition: thenDispatch(recordTransitionActivity(deps.db, deps.box), dispatch),
    // A long drain commits many batches: one dispatch pass per second covers them all.
    drainInbox: drainInboxActivity(deps, { rows: deps.config.inboxBatchSize, bytes: deps.config.inboxBatchBytes }, atMostEvery(DRAIN_DISPATCH_MS, () => void dispatch())),
    ...createOutboundActivities(deps),
    checkCredentials: checkCredentialsActivity(deps.db, deps.box, deps.config),
    applyRetention: applyRetentionActivity(deps.db),
  });
}

const DRAIN_DISPATCH_MS = 1000;

/** Calls `run` at once, or once at the end of the current `ms` window if it ran within it. */
function atMostEvery(ms: number, run: () => void): () => void {
  let last = 0;
  let trailing: NodeJS.Timeout | undefined;
  const fire = () => {
    trailing = undefined;
    last = Date.now();
    run();
  };
  return () => {
    if (trailing) return;
    const wait = last + ms - Date.now();
    if (wait <= 0) return fire();
    trailing = setTimeout(fire, wait);
    trailing.unref();
  };
}

export type Activities = ReturnType<typeof createActivities>;
