import type { IntegrationRow } from '../../db/schema';
import { getProvider } from '../../providers';
import { duplicateConversions, failedEvents, inboxBacklog, pendingAmounts, redeliveredEvents, signatureFailures, wrongValues } from './inbound';
import { skippedWhilePaused, stuckInError } from './lifecycle';
import { deliveryFailures, noOutboundDeliveries } from './outbound';
import { type Detected, type Detector, type DiagnosisDeps, type Finding, WINDOW_DAYS } from './types';
import { stuckWorkflow } from './workflow';

export type { DiagnosisDeps, Finding } from './types';

const LIFECYCLE: Detector[] = [stuckInError, stuckWorkflow, skippedWhilePaused];
const INBOUND: Detector[] = [signatureFailures, pendingAmounts, wrongValues, duplicateConversions, redeliveredEvents, inboxBacklog, failedEvents];
const OUTBOUND: Detector[] = [noOutboundDeliveries, deliveryFailures];

/**
 * `GET /v1/integrations/:id/diagnostics` (and the `health` of `GET /v1/integrations/:id`): every known
 * failure scenario detected from the data and the integration's workflow, most urgent first, each with
 * its likely cause, the first thing to do and the evidence. Test events never count.
 */
export async function diagnose(deps: DiagnosisDeps, row: IntegrationRow): Promise<Finding[]> {
  const provider = getProvider(row.provider);
  if (!provider) return [];
  const since = new Date(Math.max(Date.now() - WINDOW_DAYS * 24 * 3600 * 1000, row.installed_at.getTime()));
  const detectors = [...LIFECYCLE, ...(provider.inbound ? INBOUND : []), ...(provider.outbound ? OUTBOUND : [])];
  const found = await Promise.all(detectors.map((detect) => detect({ ...deps, row, provider, since })));
  return found
    .filter((finding): finding is Detected => finding !== undefined)
    .map(({ severity = 'degraded', ...finding }) => ({ ...finding, severity, firstAction: finding.firstAction.replaceAll('{id}', row.id) }));
}
