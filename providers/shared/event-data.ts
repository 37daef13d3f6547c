import { z } from 'zod';

const text = z.string().nullish();

/**
 * The parts of a workspace event's `data` that destinations render, read leniently: the pipeline and
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
