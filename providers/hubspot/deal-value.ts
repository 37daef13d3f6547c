import type { z } from 'zod';
import { currencySchema } from '../../contract/workspace-event-payloads';
import { decimalSchema, toMinor } from '../shared/money';
import type { AmountPending, CustomerRef, DocumentAmount } from '../types';
import type { DealRecord } from './deals';
import type { HubspotSettings } from './schema';

/** What the drain read for a deal event (see `enrichHubspot`): the deal, or why it could not be read. */
export type DealEnrichment = { deal: DealRecord } | { pending: AmountPending };

/** Deal properties whose change is about the deal's value (the amount of its sale). */
export const VALUE_PROPERTIES = ['amount', 'deal_currency_code'];

/** A deal's sale is keyed by the deal. */
export const dealKey = (dealId: string) => `deal:${dealId}`;
export const dealIdOf = (externalId: string) => externalId.replace(/^deal:/, '');

export const contactKey = (contactId: string) => `contact:${contactId}`;

/** The deal's contact is the sale's customer (the same customer its contact webhooks name). */
export function dealCustomer(deal: DealRecord): CustomerRef | undefined {
  return deal.contact && { externalId: contactKey(deal.contact.id), email: deal.contact.email, name: deal.contact.name };
}

/** Amounts are in the deal's currency; a deal without one is in the account's company currency (the `currency` setting). */
export function dealCurrency(deal: DealRecord | undefined, settings: HubspotSettings): string {
  const own = currencySchema.safeParse(deal?.currency);
  return own.success ? own.data : settings.currency;
}

/** The deal's value as a sale amount, or why it is none: missing, or negative (the sale waits for a valid one). */
function dealValue(deal: DealRecord): { amount: z.output<typeof decimalSchema> } | { pending: AmountPending } {
  const amount = decimalSchema.safeParse(deal.amount);
  if (!amount.success) return { pending: { code: 'not_set', reason: `deal ${deal.id} has no amount in HubSpot yet` } };
  if (Number(amount.data) < 0) return { pending: { code: 'not_set', reason: `deal ${deal.id} has a negative amount in HubSpot (${amount.data}); the sale waits for a valid one` } };
  return { amount: amount.data };
}

/** The deal's amount as read, true as of the deal's last change; undefined when it has none (see pendingOf). */
export function dealAmount(deal: DealRecord, settings: HubspotSettings): DocumentAmount | undefined {
  const value = dealValue(deal);
  if ('pending' in value) return undefined;
  const currency = dealCurrency(deal, settings);
  const customer = dealCustomer(deal);
  return {
    externalId: dealKey(deal.id),
    amountMinor: toMinor(value.amount, currency),
    currency,
    asOf: deal.updatedAt,
    source: 'deal read',
    ...(customer && { customer }),
  };
}

/** Why a sale read with this enrichment would still wait for its amount. */
export function pendingOf(enrichment: DealEnrichment | undefined, dealId: string): AmountPending {
  if (!enrichment) return { code: 'not_read', reason: `deal ${dealId} was not read with this event` };
  if ('pending' in enrichment) return enrichment.pending;
  const value = dealValue(enrichment.deal);
  return 'pending' in value ? value.pending : { code: 'not_set', reason: `deal ${dealId} has no amount in HubSpot yet` };
}

export function notFound(dealId: string): AmountPending {
  return { code: 'not_found', reason: `HubSpot returned no deal ${dealId} (deleted, or not readable with this token)` };
}
