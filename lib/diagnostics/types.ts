import type { Db } from '../../db';
import type { IntegrationRow } from '../../db/schema';
import type { ProviderModule } from '../../providers/types';

/** One detected failure scenario: what it is, why it most likely happens, what to do first, and the data that shows it. */
export interface Finding {
  scenario: string;
  likelyCause: string;
  firstAction: string;
  evidence: Record<string, unknown>;
}

export interface DiagnosticContext {
  db: Db;
  row: IntegrationRow;
  provider: ProviderModule;
  /** Start of the window looked at: the last WINDOW_DAYS, or the install if more recent. */
  since: Date;
}

export type Detector = (ctx: DiagnosticContext) => Promise<Finding | undefined>;

/** As long as the inbox keeps its rows (dedup keys are kept at least 7 days). */
export const WINDOW_DAYS = 7;

export const iso = (value: Date | string | null | undefined) => (value ? new Date(value).toISOString() : null);

/** The call that applies inbox rows left in `status` (repeated while it answers `more: true`). */
export const replayCall = (status: string) =>
  `POST /v1/integrations/{id}/webhook-events/replay with {"status":["${status}"]} (up to 1,000 rows per call; call again while it answers "more": true)`;
