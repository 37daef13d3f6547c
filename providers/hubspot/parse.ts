import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { InboundRequest, ParsedEvent } from '../types';
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
});

/** JSON with object keys sorted at every level: the same event always gives the same text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * HubSpot says `eventId` is not unique: two different events (another property, object or portal) may
 * share one. A retry repeats the event with only `attemptNumber` changed, so the key is the event id
 * plus a digest of everything else.
 */
function hubspotDedupKey(event: Record<string, unknown>): string {
  const identity = { ...event };
  delete identity.attemptNumber;
  return `${String(event.eventId)}-${createHash('sha256').update(canonicalJson(identity)).digest('hex').slice(0, 16)}`;
}

/** HubSpot batches up to 100 events in one JSON array; each is its own inbox row. */
export function parseHubspot(req: InboundRequest): ParsedEvent[] {
  const body = readJson(req.rawBody);
  const events = expectShape(z.array(hubspotEventSchema), body, 'HubSpot event array');
  const byKey = new Map<string, ParsedEvent>();
  events.forEach((event, index) => {
    const payload = (body as Array<Record<string, unknown>>)[index];
    const dedupKey = hubspotDedupKey(payload);
    // The same event twice in one batch would collide in the inbox insert; the first copy is the event.
    if (!byKey.has(dedupKey)) byKey.set(dedupKey, { dedupKey, type: event.subscriptionType, payload });
  });
  return [...byKey.values()];
}
