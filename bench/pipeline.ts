import { sql } from 'kysely';
import { waitFor } from '../test/support/harness';
import type { Service } from './service';
import type { Percentiles } from './stats';

interface Progress {
  received: number;
  pending: number;
  failed: number;
  conversions: number;
  /** When the last inbox row was marked done (the worker's clock, this machine). */
  lastProcessedAt: Date | null;
}

async function inboundProgress(service: Service, integrationIds: string[]): Promise<Progress> {
  const { rows } = await sql<Progress>`
    SELECT count(*)::int AS received,
           (count(*) FILTER (WHERE status = 'pending'))::int AS pending,
           (count(*) FILTER (WHERE status = 'failed'))::int AS failed,
           (SELECT count(*) FROM conversions WHERE integration_id = ANY(${integrationIds}))::int AS conversions,
           max(processed_at) AS "lastProcessedAt"
    FROM inbox WHERE integration_id = ANY(${integrationIds})`.execute(service.db);
  return rows[0];
}

/** The bench's own reads run on the measured database (and count in its CPU figures): kept rare. */
export const POLL_MS = 500;

/** Waits until the integrations' inboxes hold no pending row (the worker has caught up). */
export async function waitForDrained(service: Service, integrationIds: string[], timeoutMs: number): Promise<Progress> {
  return waitFor(async () => {
    service.assertRunning();
    const progress = await inboundProgress(service, integrationIds);
    return progress.pending === 0 && progress;
  }, `the inbox of ${integrationIds.length} integration(s) to drain`, timeoutMs, POLL_MS);
}

/** Waits until `expected` events are conversions; a failed inbox row can never become one, so it ends the wait. */
export async function waitForConversions(service: Service, integrationIds: string[], expected: number, timeoutMs: number): Promise<Progress> {
  return waitFor(async () => {
    service.assertRunning();
    const progress = await inboundProgress(service, integrationIds);
    if (progress.failed > 0) throw new Error(`${progress.failed} inbox rows failed: ${JSON.stringify(progress)}`);
    return progress.conversions >= expected && progress;
  }, `${expected} conversions`, timeoutMs, POLL_MS);
}

/** Generous: a run this slow is reported as failed, not waited on forever. */
export const completionTimeoutMs = (events: number) => 120_000 + events * 20;

export interface Lag {
  /** Accepted (inbox.received_at) → the conversion's transaction committed. */
  toCommitMs: Percentiles;
  /** Accepted → conversions.created_at, which is `now()`: the start of the drain transaction. */
  toTransactionStartMs: Percentiles;
}

/**
 * Processing lag of the integrations' conversions. `conversions.created_at` is the drain transaction's
 * start, so a batch's commit is taken as its last inbox row's `processed_at` (set just before COMMIT):
 * the rows of one transaction share `created_at`, which identifies the batch.
 */
export async function processingLag(service: Service, integrationIds: string[]): Promise<Lag> {
  const { rows } = await sql<{ commit: number[]; start: number[]; commit_max: number; start_max: number }>`
    WITH lags AS (
      SELECT c.integration_id, c.created_at, i.received_at, i.processed_at
      FROM conversions c JOIN inbox i ON i.id = c.inbox_id
      WHERE c.integration_id = ANY(${integrationIds})
    ), batches AS (
      SELECT integration_id, created_at, max(processed_at) AS committed_at FROM lags GROUP BY 1, 2
    ), ms AS (
      SELECT (extract(epoch FROM b.committed_at - l.received_at) * 1000)::float8 AS to_commit,
             (extract(epoch FROM l.created_at - l.received_at) * 1000)::float8 AS to_start
      FROM lags l JOIN batches b USING (integration_id, created_at)
    )
    SELECT percentile_disc(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY to_commit) AS commit, max(to_commit) AS commit_max,
           percentile_disc(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY to_start) AS start, max(to_start) AS start_max
    FROM ms`.execute(service.db);
  const [row] = rows;
  const figures = (values: number[] | null, max: number | null): Percentiles => {
    const [p50, p95, p99] = (values ?? [0, 0, 0]).map((value) => Math.round(Number(value)));
    return { p50, p95, p99, max: Math.round(Number(max ?? 0)) };
  };
  return { toCommitMs: figures(row.commit, row.commit_max), toTransactionStartMs: figures(row.start, row.start_max) };
}
