import { sql } from 'kysely';
import type { Db } from '..';
import type { IntegrationRow } from '../schema';

export type IntegrationWithOverview = IntegrationRow & { last_received_at: Date | null; failed_events_24h: number };

/**
 * The workspace's integrations (newest first) with, per row, its last inbound event and its failed live
 * events of the last 24 h (test events never count, as in its health): two index lookups per row
 * (inbox_received_idx, the partial inbox_outcomes_idx) inside the one listing query, no diagnostics detectors.
 */
export function listIntegrationsWithOverview(db: Db, workspaceId: string, filters: { provider?: string; state?: string }): Promise<IntegrationWithOverview[]> {
  let select = db
    .selectFrom('integrations as i')
    .selectAll('i')
    .select([
      sql<Date | null>`(select max(received_at) from inbox where inbox.integration_id = i.id)`.as('last_received_at'),
      sql<number>`(select count(*)::int from inbox where inbox.integration_id = i.id and inbox.status = 'failed' and not inbox.is_test and inbox.received_at > now() - interval '24 hours')`.as('failed_events_24h'),
    ])
    .where('i.workspace_id', '=', workspaceId);
  if (filters.provider) select = select.where('i.provider', '=', filters.provider);
  if (filters.state) select = select.where('i.state', '=', filters.state as IntegrationRow['state']);
  return select.orderBy('i.installed_at', 'desc').execute();
}
