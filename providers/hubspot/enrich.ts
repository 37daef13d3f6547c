import type { CredentialContext, ParsedEvent, PendingAmountsRead } from '../types';
import { dealAmount, dealIdOf, type DealEnrichment, notFound, pendingOf, VALUE_PROPERTIES } from './deal-value';
import { MAX_BATCH, readDeals } from './deals';
import { hubspotEventSchema } from './parse';
import { ofOtherPortal, type HubspotSecrets, type HubspotSettings } from './schema';

type HubspotContext = CredentialContext<HubspotSettings, Partial<HubspotSecrets>>;

/** The deal events that need the deal read: it closed won (the stage change carries no amount), or its value changed. */
function dealToRead(payload: unknown, settings: HubspotSettings): string | undefined {
  const event = hubspotEventSchema.safeParse(payload);
  if (!event.success || event.data.subscriptionType !== 'deal.propertyChange') return undefined;
  if (ofOtherPortal(event.data.portalId, settings)) return undefined;
  const { propertyName, propertyValue } = event.data;
  const wanted = (propertyName === 'dealstage' && propertyValue === settings.closedWonStageId) || VALUE_PROPERTIES.includes(propertyName ?? '');
  return wanted ? event.data.objectId : undefined;
}

/** Reads the deals of a batch's closed-won and value events in one go and attaches each deal (or why it is missing) to its events. */
export async function enrichHubspot(events: ParsedEvent[], ctx: HubspotContext): Promise<ParsedEvent[]> {
  const dealIds = events.map((event) => dealToRead(event.payload, ctx.settings));
  const wanted = [...new Set(dealIds.filter((id) => id !== undefined))].slice(0, MAX_BATCH);
  if (wanted.length === 0) return events;
  const read = await readDeals(wanted, ctx);
  return events.map((event, index) => {
    const dealId = dealIds[index];
    if (dealId === undefined || !wanted.includes(dealId)) return event;
    const deal = 'failure' in read ? undefined : read.deals.get(dealId);
    const enrichment: DealEnrichment = 'failure' in read ? { pending: read.failure } : deal ? { deal } : { pending: notFound(dealId) };
    return { ...event, enrichment };
  });
}

/** Reads the deals of sales still waiting for their amount (at most one batch). */
export async function readPendingHubspotAmounts(externalIds: string[], ctx: HubspotContext): Promise<PendingAmountsRead> {
  const ids = externalIds.slice(0, MAX_BATCH);
  const read = await readDeals(ids.map(dealIdOf), ctx);
  const result: PendingAmountsRead = { amounts: [], stillPending: [] };
  for (const externalId of ids) {
    const dealId = dealIdOf(externalId);
    if ('failure' in read) {
      result.stillPending.push({ externalId, pending: read.failure });
      continue;
    }
    const deal = read.deals.get(dealId);
    const amount = deal && dealAmount(deal, ctx.settings);
    if (amount) result.amounts.push(amount);
    else result.stillPending.push({ externalId, pending: deal ? pendingOf({ deal }, dealId) : notFound(dealId) });
  }
  return result;
}
