import type { Client } from '@temporalio/client';
import { integrationWorkflowId } from '../../contract/search-attributes';
import type { Db } from '../../db';
import type { IntegrationRow } from '../../db/schema';
import type { ProviderModule } from '../../providers/types';
import type { Config } from '../../lib/config';
import type { SecretBox } from '../../lib/crypto';

/** What a finding says to do about a cause: the cause, and the first action in prose and as a code. */
export type Advice = Pick<Finding, 'likelyCause' | 'firstAction' | 'action'>;

/** What a finding does to health: most make it `degraded`; those that stop all syncing make it `failing`. */
export type FindingSeverity = 'degraded' | 'failing';

/**
 * The first action as a code a page acts on (a button that resumes, replays, opens the failing delivery…);
 * `firstAction` says the same in prose, with the API calls, for API clients. `null` where the first step
 * is outside Linquid (at the provider, in the sender's code, on the worker's host).
 */
export type FindingAction =
  | { code: 'resume' }
  | { code: 'reauthorize' }
  | { code: 'rotate_secret' }
  | { code: 'edit_settings' }
  | { code: 'replay'; status: 'skipped' | 'failed' | 'ignored' }
  | { code: 'open_delivery'; deliveryId: string }
  | { code: 'open_deliveries' }
  | { code: 'open_workflow'; url: string };

/** One detected failure scenario: what it is, why it most likely happens, what to do first, and the data that shows it. */
export interface Finding {
  scenario: string;
  severity: FindingSeverity;
  likelyCause: string;
  firstAction: string;
  action: FindingAction | null;
  evidence: Record<string, unknown>;
}

/** What diagnosis reads: the database, the integration's workflow in Temporal, and the secrets (only to keep them out of what it shows). */
export interface DiagnosisDeps {
  db: Db;
  temporal: Client;
  box: SecretBox;
  config: Pick<Config, 'temporalNamespace' | 'temporalUiUrl' | 'stuckWorkflowFailures'>;
}

export interface DiagnosticContext extends DiagnosisDeps {
  row: IntegrationRow;
  provider: ProviderModule;
  /** Start of the window looked at: the last WINDOW_DAYS, or the install if more recent. */
  since: Date;
}

/** A detector's finding; `severity` defaults to `degraded`. */
export type Detected = Omit<Finding, 'severity'> & { severity?: FindingSeverity };

export type Detector = (ctx: DiagnosticContext) => Promise<Detected | undefined>;

/** As long as the inbox keeps its rows (dedup keys are kept at least 7 days). */
export const WINDOW_DAYS = 7;

/** The call that applies inbox rows left in `status` (repeated while it answers `more: true`). */
export const replayCall = (status: string) =>
  `POST /v1/integrations/{id}/webhook-events/replay with {"status":["${status}"]} (up to 1,000 rows per call; call again while it answers "more": true)`;

/** The integration's workflow in the Temporal Web UI. */
export function workflowLink({ config, row }: Pick<DiagnosticContext, 'config' | 'row'>): string {
  return `${config.temporalUiUrl}/namespaces/${encodeURIComponent(config.temporalNamespace)}/workflows/${encodeURIComponent(integrationWorkflowId(row.id))}`;
}
