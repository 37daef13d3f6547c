import { sql } from 'kysely';
import type { Db } from '..';
import type { IntegrationRow } from '../schema';
import type { HealthStatus } from './health';

/** What the list of installed integrations shows per row beside its state, read with the rows themselves. */
export interface IntegrationOverview {
  healthStatus: HealthStatus;
  lastActivityAt: Date;
}

export type IntegrationWithOverview = IntegrationRow & { last_received_at: Date | null; failed_events_24h: number };

/**
 * The workspace's integrations (newest first) with, per row, its last inbound event and its failed
 * events of the last 24 h: two index-only lookups per row (inbox_received_idx, inbox_status_received_idx)
 * inside the one listing query, no diagnostics detectors.
 */
export function listIntegrationsWithOverview(db: Db, workspaceId: string, filters: { provider?: string; state?: string }): Promise<IntegrationWithOverview[]> {
  let select = db
    .selectFrom('integrations as i')
    .selectAll('i')
    .select([
      sql<Date | null>`(select max(received_at) from inbox where inbox.integration_id = i.id)`.as('last_received_at'),
      sql<number>`(select count(*)::int from inbox where inbox.integration_id = i.id and inbox.status = 'failed' and inbox.received_at > now() - interval '24 hours')`.as('failed_events_24h'),
    ])
    .where('i.workspace_id', '=', workspaceId);
  if (filters.provider) select = select.where('i.provider', '=', filters.provider);
  if (filters.state) select = select.where('i.state', '=', filters.state as IntegrationRow['state']);
  return select.orderBy('i.installed_at', 'desc').execute();
}

/**
 * A cheap health summary: `failing` in `error`, `degraded` while deliveries fail in a row or inbound
 * events failed in the last 24 h. The full health (with every diagnostics finding) is on the integration itself.
 */
export function overviewOf(row: IntegrationWithOverview): IntegrationOverview {
  const healthStatus: HealthStatus = row.state === 'error' ? 'failing' : row.consecutive_failures > 0 || row.failed_events_24h > 0 ? 'degraded' : 'healthy';
  const moments = [row.state_changed_at, row.last_received_at, row.last_delivery_success_at, row.last_delivery_failure_at].filter((at): at is Date => at !== null);
  return { healthStatus, lastActivityAt: new Date(Math.max(...moments.map((at) => at.getTime()))) };
}
