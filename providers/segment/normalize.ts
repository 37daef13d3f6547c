import type { InboundEventKind, NormalizeResult, ParsedEvent } from '../types';
import { attributionFrom } from '../shared/attribution';
import { MAPPED_EVENT_RECORDS, mappedConversion } from '../shared/mapped-conversion';
import { toMinor } from '../shared/money';
import { expectShape } from '../shared/payload';
import { apply, customerEffect, ignored, ignoringMalformed } from '../shared/results';
import { segmentMessageSchema } from './message';
import type { SegmentSettings } from './schema';

export const SEGMENT_EVENTS: InboundEventKind[] = [
  { type: 'track', ...MAPPED_EVENT_RECORDS },
  { type: 'identify', records: ['customer'] },
];

/** `track` calls become the conversions `eventMapping` names; `identify` calls become customers. */
export const normalizeSegment = ignoringMalformed((event: ParsedEvent, settings: SegmentSettings): NormalizeResult => {
  const message = expectShape(segmentMessageSchema, event.payload, 'Segment message');
  const externalId = message.userId ?? message.anonymousId;
  const occurredAt = message.timestamp ?? message.receivedAt ?? event.receivedAt;
  if (message.type === 'identify') {
    if (!externalId) return ignored('identify call has no userId or anonymousId');
    const traits = message.traits ?? {};
    const fullName = [traits.firstName, traits.lastName].filter(Boolean).join(' ');
    return apply(customerEffect({ externalId, email: traits.email ?? null, name: traits.name ?? (fullName || null) }));
  }
  if (message.type !== 'track') return ignored(`unhandled event type ${message.type}`);
  if (!message.event) return ignored('track call has no event name');
  if (!occurredAt) return ignored('track call has no timestamp');
  const properties = message.properties ?? {};
  const currency = properties.currency ?? 'USD';
  const revenue = properties.revenue ?? properties.total;
  const email = message.context?.traits?.email ?? properties.email ?? null;
  return mappedConversion(settings.eventMapping, {
    name: message.event,
    eventId: message.messageId,
    occurredAt,
    customer: externalId ? { externalId, email } : undefined,
    amountMinor: revenue == null ? undefined : toMinor(revenue, currency),
    currency,
    orderId: properties.order_id ?? undefined,
    quantity: properties.quantity ?? undefined,
    ...attributionFrom(properties),
  });
});
