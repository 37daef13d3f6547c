/** How long each table keeps its rows (days) and how many rows one delete statement removes (lib/config). */
export interface RetentionPolicy {
  inboxDays: number;
  deliveryAttemptsDays: number;
  signatureFailuresDays: number;
  transitionsDays: number;
  batchSize: number;
}

/** The tables retention deletes from, in the order a run visits them. */
export const RETENTION_TABLES = ['inbox', 'delivery_attempts', 'signature_failures', 'integration_transitions'] as const;
export type RetentionTable = (typeof RETENTION_TABLES)[number];

export interface RetentionPassInput {
  table: RetentionTable;
  policy: RetentionPolicy;
}

export interface RetentionPassResult {
  deleted: number;
  batches: number;
  /** The pass stopped at its time budget with rows still to delete. */
  more: boolean;
}

export type RetentionReport = Partial<Record<RetentionTable, { deleted: number; batches: number; complete: boolean }>>;
