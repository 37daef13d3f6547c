import type { IntegrationState } from '../../contract/states';
import type { Db } from '../../db';
import type { IntegrationRow } from '../../db/schema';
import type { ProviderModule } from '../../providers/types';
import type { Config } from '../../lib/config';
import type { SecretBox } from '../../lib/crypto';

export type StepName = 'send' | 'landed' | 'values' | 'duplicate' | 'state';

export interface TestStep {
  step: number;
  name: StepName;
  direction: 'inbound' | 'outbound' | 'lifecycle';
  ok: boolean;
  /** One sentence a person can act on. */
  detail: string;
  data?: Record<string, unknown>;
}

export interface TestReport {
  integrationId: string;
  provider: string;
  state: IntegrationState;
  /** False when the integration is paused or disconnected: nothing it receives is synced. */
  synced: boolean;
  passed: boolean;
  steps: TestStep[];
}

export interface TestRunContext {
  db: Db;
  box: SecretBox;
  config: Config;
  row: IntegrationRow;
  provider: ProviderModule;
  /** Unique per run: the sample's event and order ids. */
  runId: string;
}

export type StepResult = Omit<TestStep, 'step'>;
