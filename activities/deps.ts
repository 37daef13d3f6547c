import type { Client } from '@temporalio/client';
import type { Db } from '../db';
import type { Config } from '../lib/config';
import type { SecretBox } from '../lib/crypto';

/** What activities are bound to; its own module so the activities can name it without importing ./index, which imports them. */
export interface ActivityDeps {
  db: Db;
  box: SecretBox;
  config: Config;
  temporal: Client;
}
