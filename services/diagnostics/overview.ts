import type { IntegrationWithOverview } from '../../db/queries/integration-overview';
import type { HealthStatus } from '../../contract/states';

/** What the list of installed integrations shows per row beside its state, read with the rows themselves. */
export interface IntegrationOverview {
  healthStatus: HealthStatus;
  lastActivityAt: Date;
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
