import type { CustomerRef, NormalizeResult } from '../types';
import type { Attribution } from './attribution';
import { amountMinorSchema } from '../../contract/workspace-event-payloads';
import { apply, conversionEffect, ignored } from './results';
import type { EventMapping } from './schemas';

/** A named inbound event (Segment track call, generic webhook) in the fields a mapped conversion needs. */
export interface NamedEvent extends Attribution {
  name: string;
  /** The provider event id: a lead's external id and a sale's fallback one. */
  eventId: string;
  occurredAt: string;
  customer?: CustomerRef;
  amountMinor?: number;
  currency: string;
  orderId?: string;
  quantity?: number;
}

/** When a named event records a conversion, for the catalog. */
export const MAPPED_EVENT_RECORDS = { records: ['lead', 'sale'], when: 'the conversion its name maps to in eventMapping (by default Order Completed → sale, Signed Up → lead)' } as const;

/** Records the conversion `mapping` assigns to the event's name, or says why nothing was recorded. */
export function mappedConversion(mapping: EventMapping, event: NamedEvent): NormalizeResult {
  if (!Object.hasOwn(mapping, event.name)) return ignored(`no eventMapping entry for "${event.name}"`);
  const { type, eventName = event.name } = mapping[event.name];
  const { customer, occurredAt, quantity, clickId, linkKey } = event;
  const common = { eventName, occurredAt, customer, quantity, clickId, linkKey };
  if (type === 'lead') {
    // A lead is unique per (customer, event name), so one without a customer means nothing.
    if (!customer) return ignored(`lead "${eventName}" has no customer id`);
    return apply(conversionEffect({ type, externalId: event.eventId, ...common }));
  }
  if (event.amountMinor === undefined) return ignored(`sale "${eventName}" has no amount`);
  const amount = amountMinorSchema.safeParse(event.amountMinor);
  if (!amount.success) return ignored(`sale "${eventName}" amount ${event.amountMinor}: ${amount.error.issues[0].message}`);
  return apply(
    conversionEffect({
      type,
      externalId: event.orderId ?? event.eventId,
      amountMinor: amount.data,
      currency: event.currency,
      ...common,
    }),
  );
}
