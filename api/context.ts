import type { Client } from '@temporalio/client';
import type { Db } from '../db';
import type { Config } from '../lib/config';
import type { SecretBox } from '../lib/crypto';
import type { InboundIntegrations } from './inbound-integrations';

/** What request handlers need; built once per process. */
export interface ApiContext {
  db: Db;
  box: SecretBox;
  config: Config;
  temporal: Client;
  /** The accept path's view of integrations; routes that change one call `forget`. */
  inbound: InboundIntegrations;
}
