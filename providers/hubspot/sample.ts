import { toMinor } from '../shared/money';
import { SAMPLE_SALE, signingSecret } from '../shared/sample';
import type { SampleContext, SampleEvent } from '../types';
import type { HubspotSecrets, HubspotSettings } from './schema';
import { signHubspot } from './verify';

/**
 * A deal moved to the closed-won stage, as one webhook batch. HubSpot itself sends no amount; the
 * sample carries one (as a relay may) so the report can check the value end to end.
 */
export function hubspotSample({ settings, secrets, url, nowMs, runId }: SampleContext<HubspotSettings, HubspotSecrets>): SampleEvent {
  const secret = signingSecret(secrets.clientSecret);
  const numericId = Number.parseInt(runId.slice(0, 12), 16);
  const body = JSON.stringify([
    {
      eventId: numericId,
      subscriptionId: 1,
      portalId: Number(settings.portalId ?? 1),
      appId: 1,
      occurredAt: nowMs,
      subscriptionType: 'deal.propertyChange',
      attemptNumber: 0,
      objectId: numericId,
      propertyName: 'dealstage',
      propertyValue: settings.closedWonStageId,
      changeSource: 'CRM_UI',
      amount: SAMPLE_SALE.amount,
    },
  ]);
  const timestamp = String(nowMs);
  return {
    headers: { 'x-hubspot-signature-v3': signHubspot(secret, 'POST', url, body, timestamp), 'x-hubspot-request-timestamp': timestamp },
    body,
    expected: { type: 'sale', eventName: 'Closed won', amountMinor: toMinor(SAMPLE_SALE.amount, settings.currency), currency: settings.currency },
  };
}
