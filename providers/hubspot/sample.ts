import { toMinor } from '../shared/money';
import { SAMPLE_SALE, signingSecret } from '../shared/sample';
import type { SampleContext, SampleEvent } from '../types';
import type { HubspotSecrets, HubspotSettings } from './schema';
import { signHubspot } from './verify';

/**
 * A deal given its amount and moved to the closed-won stage, as HubSpot batches it: the stage change
 * (no amount: HubSpot never sends one with it) and the `amount` change, which the sale takes.
 */
export function hubspotSample({ settings, secrets, url, nowMs, runId }: SampleContext<HubspotSettings, HubspotSecrets>): SampleEvent {
  const secret = signingSecret(secrets.clientSecret);
  const numericId = Number.parseInt(runId.slice(0, 12), 16);
  const change = (eventId: number, subscriptionId: number, propertyName: string, propertyValue: string) => ({
    eventId,
    subscriptionId,
    portalId: Number(settings.portalId ?? 1),
    appId: 1,
    occurredAt: nowMs,
    subscriptionType: 'deal.propertyChange',
    attemptNumber: 0,
    objectId: numericId,
    propertyName,
    propertyValue,
    changeSource: 'CRM_UI',
  });
  const body = JSON.stringify([change(numericId, 1, 'dealstage', settings.closedWonStageId), change(numericId + 1, 2, 'amount', SAMPLE_SALE.amount)]);
  const timestamp = String(nowMs);
  return {
    headers: { 'x-hubspot-signature-v3': signHubspot(secret, 'POST', url, body, timestamp), 'x-hubspot-request-timestamp': timestamp },
    body,
    expected: { type: 'sale', eventName: 'Closed won', amountMinor: toMinor(SAMPLE_SALE.amount, settings.currency), currency: settings.currency },
  };
}
