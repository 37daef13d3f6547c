import type { z } from 'zod';
import type { Effect, NormalizeResult, ParsedEvent } from '../types';
import { decimalSchema, toMinor } from '../shared/money';
import { eventKindsOf, type EventTable, handlerOf } from '../shared/event-table';
import { expectShape, isoFromMs } from '../shared/payload';
import { amountEffect, apply, conversionEffect, customerEffect, ignored, ignoringMalformed } from '../shared/results';
import { contactKey, dealAmount, dealCurrency, dealCustomer, type DealEnrichment, dealKey, pendingOf } from './deal-value';
import { hubspotEventSchema } from './parse';
import { ofOtherPortal, type HubspotSettings } from './schema';

type HubspotEvent = z.output<typeof hubspotEventSchema>;
interface EventContext {
  settings: HubspotSettings;
  occurredAt: string;
  /** Set by `enrichHubspot` for closed-won and deal value events. */
  enrichment: DealEnrichment | undefined;
}
type Handler = (event: HubspotEvent, ctx: EventContext) => NormalizeResult;

/** Contact webhooks carry only ids: name and email stay unknown (null) until a deal read names the contact. */
const contactCreated: Handler = (event) => apply(customerEffect({ externalId: contactKey(event.objectId), email: null, name: null }));

const contactPropertyChanged: Handler = (event, { settings, occurredAt }) => {
  if (event.propertyName !== 'lifecyclestage') return ignored(`contact property ${event.propertyName} is not tracked`);
  if (settings.leadTriggerEvent !== 'lifecycleStageReached') return ignored('leads are recorded on deal creation');
  const stage = event.propertyValue ?? '';
  if (stage.toLowerCase() !== settings.leadLifecycleStage.toLowerCase()) return ignored(`lifecycle stage ${stage} is not the lead stage`);
  const customer = { externalId: contactKey(event.objectId) };
  return apply(
    conversionEffect({ type: 'lead', eventName: `Lifecycle stage reached: ${stage}`, externalId: customer.externalId, customer, occurredAt }),
  );
};

/** A new deal names no contact yet, so the deal stands in as the lead's customer (`deal:<id>`): one lead per deal. */
const dealCreated: Handler = (event, { settings, occurredAt }) => {
  if (settings.leadTriggerEvent !== 'dealCreated') return ignored('leads are recorded on a lifecycle stage');
  const customer = { externalId: dealKey(event.objectId) };
  return apply(conversionEffect({ type: 'lead', eventName: 'Deal created', externalId: customer.externalId, customer, occurredAt }));
};

const readDeal = (enrichment: DealEnrichment | undefined) => (enrichment && 'deal' in enrichment ? enrichment.deal : undefined);

/** The amount the drain read with the event, as one more report of the deal's value. */
function readAmount(enrichment: DealEnrichment | undefined, settings: HubspotSettings): Effect[] {
  const deal = readDeal(enrichment);
  const amount = deal && dealAmount(deal, settings);
  return amount ? [amountEffect(amount)] : [];
}

/**
 * The stage change carries no amount: the sale (customer: the deal's contact) takes the deal's latest
 * reported amount — the deal read with this event, or an `amount` change before or after it — and waits
 * without one until there is one.
 */
const closedWon: Handler = (event, { settings, occurredAt, enrichment }) => {
  if (event.propertyValue !== settings.closedWonStageId) return ignored(`deal stage ${event.propertyValue} is not closed won`);
  const deal = readDeal(enrichment);
  const customer = deal && dealCustomer(deal);
  return apply(
    conversionEffect({
      type: 'sale',
      eventName: 'Closed won',
      externalId: dealKey(event.objectId),
      ...(customer && { customer }),
      occurredAt,
      amountPending: pendingOf(enrichment, event.objectId),
      metadata: { dealId: event.objectId, ...(deal?.name && { dealName: deal.name }) },
    }),
    ...readAmount(enrichment, settings),
  );
};

/** The new amount as of the change, in the deal's currency (read with the event) or else the account's. */
const amountChanged: Handler = (event, { settings, occurredAt, enrichment }) => {
  const value = event.propertyValue?.trim() ?? '';
  if (value === '') return ignored('deal amount cleared: the last known amount stands');
  if (!decimalSchema.safeParse(value).success) return ignored(`deal amount "${value}" is not a decimal amount`);
  const deal = readDeal(enrichment);
  const currency = dealCurrency(deal, settings);
  const customer = deal && dealCustomer(deal);
  return apply(
    amountEffect({
      externalId: dealKey(event.objectId),
      amountMinor: toMinor(value, currency),
      currency,
      asOf: occurredAt,
      source: 'amount change',
      ...(customer && { customer }),
    }),
    ...readAmount(enrichment, settings),
  );
};

/** A currency change says nothing about the amount on its own: the deal read with it does. */
const currencyChanged: Handler = (_event, { settings, enrichment }) => {
  const effects = readAmount(enrichment, settings);
  return effects.length > 0 ? apply(...effects) : ignored('deal currency changed, but the deal could not be read for its amount');
};

const dealPropertyHandlers: Record<string, Handler> = { dealstage: closedWon, amount: amountChanged, deal_currency_code: currencyChanged };

const dealPropertyChanged: Handler = (event, ctx) => {
  const handler = Object.hasOwn(dealPropertyHandlers, event.propertyName ?? '') ? dealPropertyHandlers[event.propertyName!] : undefined;
  return handler ? handler(event, ctx) : ignored(`deal property ${event.propertyName} is not tracked`);
};

const events: EventTable<Handler> = {
  'contact.creation': { handle: contactCreated, records: ['customer'] },
  'contact.propertyChange': { handle: contactPropertyChanged, records: ['lead'], when: 'the lifecycle stage reaches leadLifecycleStage (leadTriggerEvent lifecycleStageReached)' },
  'deal.creation': { handle: dealCreated, records: ['lead'], when: 'leadTriggerEvent dealCreated' },
  'deal.propertyChange': { handle: dealPropertyChanged, records: ['sale', 'deal amount'], when: 'a sale when the stage becomes closedWonStageId; the deal amount when amount or currency change' },
};

export const HUBSPOT_EVENTS = eventKindsOf(events);

export const normalizeHubspot = ignoringMalformed((parsed: ParsedEvent, settings: HubspotSettings): NormalizeResult => {
  const event = expectShape(hubspotEventSchema, parsed.payload, 'HubSpot event');
  if (ofOtherPortal(event.portalId, settings)) return ignored(`event of HubSpot portal ${event.portalId}, not ${settings.portalId}`);
  const handler = handlerOf(events, event.subscriptionType);
  if (!handler) return ignored(`unhandled event type ${event.subscriptionType}`);
  // Attached in this process by enrichHubspot (never stored), so its shape is ours.
  return handler(event, { settings, occurredAt: isoFromMs(event.occurredAt), enrichment: parsed.enrichment as DealEnrichment | undefined });
});
