import type { Client } from '@temporalio/client';
import type { Db } from '../db';
import type { Config } from '../lib/config';
import type { SecretBox } from '../lib/crypto';

/** What request handlers need; built once per process. */
export interface ApiContext {
  db: Db;
  box: SecretBox;
  config: Config;
  temporal: Client;
}
