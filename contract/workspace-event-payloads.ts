import { z } from 'zod';
import type { IntegrationState } from './states';
import type { ConversionType } from './workspace-events';

/**
 * What a workspace event's `data` holds, in one place for its three audiences: the producers (the
 * inbound pipeline, lifecycle transitions: the builders below), `POST /v1/events` (the schema it
 * accepts) and the destinations (the lenient reader they render from).
 */

/** Uppercase ISO 4217 code; lower case input is accepted and upper-cased. */
export const currencySchema = z.string().trim().toUpperCase().regex(/^[A-Z]{3}$/, 'a 3-letter ISO 4217 currency code');

/**
 * A conversion's amount in integer minor units, never negative: a refund is a conversion of its own with
 * a positive amount, not a negative sale. `POST /v1/events` refuses another amount; an inbound event with
 * one is recorded as ignored with this reason (a provider must not retry it).
 */
export const amountMinorSchema = z
  .number()
  .int()
  .nonnegative('never negative: a refund is a conversion of its own (refund.created) with a positive amount');

/** A conversion as `lead|sale|refund.created` and `sale.updated` carry it: one shape whoever writes it. */
export interface ConversionPayload {
  id: string;
  type: ConversionType;
  eventName: string;
  amountMinor: number | null;
  currency: string | null;
  quantity: number | null;
  occurredAt: string;
  externalId: string;
  refundsExternalId: string | null;
  saleConversionId: string | null;
  clickId: string | null;
  linkKey: string | null;
  provider: string;
  integrationId: string;
}

/** The customer an event names (`id` null: a conversion whose customer row is not known to the writer). */
export interface CustomerPayload {
  id: string | null;
  externalId: string | null;
  email?: string | null;
  name?: string | null;
  provider?: string;
}

/** `lead|sale|refund.created`, `sale.updated` (with the amount before the change). */
export function conversionEventData(conversion: ConversionPayload, customer: CustomerPayload | null, previous?: { amountMinor: number; currency: string | null }) {
  return { conversion, customer, ...(previous && { previous }) };
}

/** `customer.created`. */
export function customerEventData(customer: CustomerPayload & { id: string; provider: string }) {
  return { customer };
}

/** `integration.*`: a change of the integration's state. */
export function integrationEventData(change: { integrationId: string; from: IntegrationState; to: IntegrationState; reason: string | null; actor: string }) {
  return change;
}

const id = z.string().trim().min(1).max(200);
const postedCustomer = z.looseObject({ id: id.optional(), externalId: id, email: z.email().nullish(), name: z.string().max(500).nullish() });
const postedConversion = {
  id,
  eventName: z.string().trim().min(1).max(200),
  occurredAt: z.iso.datetime({ offset: true }).optional(),
  externalId: id.optional(),
  clickId: id.nullish(),
  linkKey: id.nullish(),
};
/** Amounts in the currency's minor unit, as everywhere in Linquid. */
const paidConversion = z.looseObject({ ...postedConversion, amountMinor: amountMinorSchema, currency: currencySchema });

/**
 * The events the core platform announces through `POST /v1/events`, in the shapes the inbound pipeline
 * emits too, so destinations render both alike (extra fields are kept).
 */
export const postedEventSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('link.clicked'),
    data: z.looseObject({
      click: z.looseObject({ id, url: z.url().optional(), linkKey: id.optional(), country: z.string().max(100).nullish(), referrer: z.string().max(2000).nullish() }),
    }),
  }),
  z.strictObject({ type: z.literal('customer.created'), data: z.looseObject({ customer: postedCustomer }) }),
  z.strictObject({ type: z.literal('lead.created'), data: z.looseObject({ conversion: z.looseObject(postedConversion), customer: postedCustomer }) }),
  z.strictObject({ type: z.literal('sale.created'), data: z.looseObject({ conversion: paidConversion, customer: postedCustomer.nullish() }) }),
  z.strictObject({ type: z.literal('refund.created'), data: z.looseObject({ conversion: paidConversion, customer: postedCustomer.nullish() }) }),
]);

const text = z.string().nullish();

/**
 * The parts of a workspace event's `data` that destinations render, read leniently: the producers and
 * `POST /v1/events` write these shapes, and a missing part just renders as absent.
 */
const eventDataSchema = z.looseObject({
  conversion: z
    .looseObject({
      eventName: text,
      amountMinor: z.number().nullish(),
      currency: text,
      externalId: text,
      /** A refund's: the sale (order, invoice) it refunds. */
      refundsExternalId: text,
      clickId: text,
      linkKey: text,
      provider: text,
    })
    .nullish(),
  customer: z.looseObject({ id: text, externalId: text, email: text, name: text }).nullish(),
  /** `sale.updated`: the amount before the change. */
  previous: z.looseObject({ amountMinor: z.number().nullish(), currency: text }).nullish(),
  click: z.looseObject({ id: text, url: text, linkKey: text, country: text, referrer: text }).nullish(),
  integrationId: text,
  from: text,
  to: text,
  reason: text,
});
export type EventData = z.output<typeof eventDataSchema>;

export function readEventData(data: Record<string, unknown>): EventData {
  const parsed = eventDataSchema.safeParse(data);
  return parsed.success ? parsed.data : {};
}

/** The amount of a conversion event, when it has one. */
export function amountOf(data: EventData): { amountMinor: number; currency: string } | undefined {
  const { amountMinor, currency } = data.conversion ?? {};
  return typeof amountMinor === 'number' && currency ? { amountMinor, currency: currency.toUpperCase() } : undefined;
}
