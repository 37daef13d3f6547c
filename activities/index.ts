import type { Client } from '@temporalio/client';
import type { Db } from '../db';
import type { Config } from '../lib/config';
import type { SecretBox } from '../lib/crypto';
import { outboxDispatcher } from '../lib/outbox-dispatch';
import { checkCredentialsActivity } from './credentials';
import { drainInboxActivity } from './inbox';
import { recordTransitionActivity } from './lifecycle';
import { createOutboundActivities, thenDispatch } from './outbound';

export interface ActivityDeps {
  db: Db;
  box: SecretBox;
  config: Config;
  temporal: Client;
}

/** All activities, bound to their dependencies; the worker registers this object. */
export function createActivities(deps: ActivityDeps) {
  // Both write workspace events (conversions, lifecycle) to the outbox: dispatch right after they commit.
  const dispatch = outboxDispatcher(deps);
  return {
    recordTransition: thenDispatch(recordTransitionActivity(deps.db), dispatch),
    drainInbox: thenDispatch(drainInboxActivity(deps.db, deps.config.inboxBatchSize), dispatch),
    ...createOutboundActivities(deps),
    checkCredentials: checkCredentialsActivity(deps.db, deps.box, deps.config),
  };
}

export type Activities = ReturnType<typeof createActivities>;
