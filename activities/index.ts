import type { Db } from '../db';
import type { Config } from '../lib/config';
import type { SecretBox } from '../lib/crypto';
import { drainInboxActivity } from './inbox';
import { recordTransitionActivity } from './lifecycle';

export interface ActivityDeps {
  db: Db;
  box: SecretBox;
  config: Config;
}

/** All activities, bound to their dependencies; the worker registers this object. */
export function createActivities(deps: ActivityDeps) {
  return {
    recordTransition: recordTransitionActivity(deps.db),
    drainInbox: drainInboxActivity(deps.db, deps.config.inboxBatchSize),
  };
}

export type Activities = ReturnType<typeof createActivities>;
