import { z } from 'zod';
import type { InboundRequest, ParsedEvent } from '../types';
import { decimalSchema } from '../shared/money';
import { expectShape, idSchema, readJson } from '../shared/payload';

export const hubspotEventSchema = z.looseObject({
  eventId: idSchema,
  subscriptionType: z.string().min(1),
  objectId: idSchema,
  portalId: idSchema.optional(),
  /** Milliseconds since the epoch. */
  occurredAt: z.number().int(),
  propertyName: z.string().optional(),
  propertyValue: z.string().optional(),
  /** Not sent by HubSpot: a deal amount (major units) a relay may add to `deal.propertyChange`. */
  amount: decimalSchema.optional(),
});

/** HubSpot batches up to 100 events in one JSON array; each is its own inbox row. */
export function parseHubspot(req: InboundRequest): ParsedEvent[] {
  const body = readJson(req.rawBody);
  const events = expectShape(z.array(hubspotEventSchema), body, 'HubSpot event array');
  const byId = new Map<string, ParsedEvent>();
  events.forEach((event, index) => {
    // A repeated id in one batch would collide in the inbox insert; the first copy is the event.
    if (byId.has(event.eventId)) return;
    byId.set(event.eventId, { dedupKey: event.eventId, type: event.subscriptionType, payload: (body as unknown[])[index] });
  });
  return [...byId.values()];
}
