import type { HealthStatus } from '../../contract/states';
import { type HealthCheck, healthSignals, type InboundHealth, type OutboundHealth } from '../../db/queries/health';
import { deliversEvents } from '../../db/queries/integrations';
import type { IntegrationRow } from '../../db/schema';
import { getProvider } from '../../providers';
import type { Config } from '../../lib/config';
import { diagnose } from '.';
import type { DiagnosisDeps } from './types';

export interface IntegrationHealth {
  status: HealthStatus;
  /** Why it is not `healthy`, one line per check or finding (empty when healthy); failing ones first. */
  reasons: string[];
  /** The scenarios of the open diagnostics findings (details: GET /v1/integrations/:id/diagnostics). */
  findings: string[];
  inbound: InboundHealth | null;
  outbound: OutboundHealth | null;
}

/**
 * The health summary of `GET /v1/integrations/:id`: health's own checks and every open diagnostics
 * finding, one rule. The status is the worst of them; a finding health's checks already name is not
 * listed twice, any other is a reason of its own (`<scenario>: <likely cause>`).
 */
export async function integrationHealth(deps: DiagnosisDeps & { config: Pick<Config, 'deliveryRetry'> }, row: IntegrationRow): Promise<IntegrationHealth> {
  // Outbound health only for an integration that delivers (not a two-way one installed to receive).
  const directions = { inbound: getProvider(row.provider)?.capabilities.inbound ?? false, outbound: deliversEvents(row) };
  const [signals, findings] = await Promise.all([healthSignals(deps.db, row, directions, deps.config.deliveryRetry.windowMs), diagnose(deps, row)]);
  const named = new Set(signals.checks.map((check) => check.scenario));
  const checks: HealthCheck[] = [
    ...signals.checks,
    ...findings.filter((finding) => !named.has(finding.scenario)).map((finding) => ({ status: finding.severity, reason: `${finding.scenario}: ${finding.likelyCause}`, scenario: finding.scenario })),
  ];
  const severities = [...checks.map((check) => check.status), ...findings.map((finding) => finding.severity)];
  const status: HealthStatus = severities.includes('failing') ? 'failing' : severities.length > 0 ? 'degraded' : 'healthy';
  return {
    status,
    reasons: [...checks.filter((check) => check.status === 'failing'), ...checks.filter((check) => check.status === 'degraded')].map((check) => check.reason),
    findings: findings.map((finding) => finding.scenario),
    inbound: signals.inbound,
    outbound: signals.outbound,
  };
}
