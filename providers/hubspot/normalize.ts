import type { z } from 'zod';
import type { NormalizeResult, ParsedEvent } from '../types';
import { toMinor } from '../shared/money';
import { expectShape, isoFromMs } from '../shared/payload';
import { apply, conversionEffect, customerEffect, ignored, ignoringMalformed } from '../shared/results';
import { hubspotEventSchema } from './parse';
import type { HubspotSettings } from './schema';

type HubspotEvent = z.output<typeof hubspotEventSchema>;
type Handler = (event: HubspotEvent, settings: HubspotSettings, occurredAt: string) => NormalizeResult;

/** Contact webhooks carry only ids: name and email stay unknown (null) until the contact is read through the API. */
const contactCreated: Handler = (event) =>
  apply(customerEffect({ externalId: `contact:${event.objectId}`, email: null, name: null }));

const contactPropertyChanged: Handler = (event, settings, occurredAt) => {
  if (event.propertyName !== 'lifecyclestage') return ignored(`contact property ${event.propertyName} is not tracked`);
  if (settings.leadTriggerEvent !== 'lifecycleStageReached') return ignored('leads are recorded on deal creation');
  const stage = event.propertyValue ?? '';
  if (stage.toLowerCase() !== settings.leadLifecycleStage.toLowerCase()) return ignored(`lifecycle stage ${stage} is not the lead stage`);
  const customer = { externalId: `contact:${event.objectId}` };
  return apply(
    conversionEffect({ type: 'lead', eventName: `Lifecycle stage reached: ${stage}`, externalId: customer.externalId, customer, occurredAt }),
  );
};

/**
 * Deal webhooks name no contact, so the deal stands in as the customer (`deal:<id>`) for both its lead
 * and its sale, which links the two.
 */
const dealCreated: Handler = (event, settings, occurredAt) => {
  if (settings.leadTriggerEvent !== 'dealCreated') return ignored('leads are recorded on a lifecycle stage');
  const customer = { externalId: `deal:${event.objectId}` };
  return apply(conversionEffect({ type: 'lead', eventName: 'Deal created', externalId: customer.externalId, customer, occurredAt }));
};

/**
 * HubSpot doesn't send the deal amount with a stage change. An `amount` on the event (added by a relay)
 * is used; otherwise the sale is recorded at 0 with `amountPending` so it can be completed from the API.
 */
const dealPropertyChanged: Handler = (event, settings, occurredAt) => {
  if (event.propertyName !== 'dealstage') return ignored(`deal property ${event.propertyName} is not tracked`);
  if (event.propertyValue !== settings.closedWonStageId) return ignored(`deal stage ${event.propertyValue} is not closed won`);
  const key = `deal:${event.objectId}`;
  return apply(
    conversionEffect({
      type: 'sale',
      eventName: 'Closed won',
      externalId: key,
      customer: { externalId: key },
      amountMinor: event.amount === undefined ? 0 : toMinor(event.amount, settings.currency),
      currency: settings.currency,
      occurredAt,
      ...(event.amount === undefined && { metadata: { amountPending: true } }),
    }),
  );
};

const handlers: Record<string, Handler> = {
  'contact.creation': contactCreated,
  'contact.propertyChange': contactPropertyChanged,
  'deal.creation': dealCreated,
  'deal.propertyChange': dealPropertyChanged,
};

export const HUBSPOT_EVENT_TYPES = Object.keys(handlers);

export const normalizeHubspot = ignoringMalformed((parsed: ParsedEvent, settings: HubspotSettings): NormalizeResult => {
  const event = expectShape(hubspotEventSchema, parsed.payload, 'HubSpot event');
  // One app (one client secret) serves every portal that installed it.
  if (settings.portalId && event.portalId && event.portalId !== settings.portalId) {
    return ignored(`event of HubSpot portal ${event.portalId}, not ${settings.portalId}`);
  }
  const handler = Object.hasOwn(handlers, event.subscriptionType) ? handlers[event.subscriptionType] : undefined;
  if (!handler) return ignored(`unhandled event type ${event.subscriptionType}`);
  return handler(event, settings, isoFromMs(event.occurredAt));
});
