import { z } from 'zod';
import { workspaceEventSchema, type WorkspaceEventType } from '../../contract/workspace-events';
import { eventMappingSchema } from '../shared/schemas';

/** The names Segment's spec (ecommerce v2, B2B SaaS) gives the workspace events that have one. */
export const SPEC_EVENT_NAMES: Partial<Record<WorkspaceEventType, string>> = {
  'sale.created': 'Order Completed',
  'refund.created': 'Order Refunded',
  'lead.created': 'Signed Up',
};

export const segmentSettingsSchema = z.strictObject({
  eventMapping: eventMappingSchema,
  outboundEventNames: z
    .partialRecord(workspaceEventSchema, z.string().min(1))
    .default(SPEC_EVENT_NAMES)
    .meta({ title: 'Outbound event names', description: 'The Segment track event name of each workspace event type (a type left out: its spec name, else the type itself)' }),
  outboundEvents: z.array(workspaceEventSchema).default(['lead.created', 'sale.created']).meta({ title: 'Events sent', description: 'The workspace events sent to Segment as track calls' }),
});
export type SegmentSettings = z.infer<typeof segmentSettingsSchema>;

export const segmentSecretsSchema = z.strictObject({
  writeKey: z.string().min(1).optional().meta({ title: 'Write key', description: 'A source’s write key, to send workspace events to the Tracking API' }),
  sharedSecret: z.string().min(1).optional().meta({ title: 'Shared secret', description: 'Signs the webhooks Segment sends (X-Signature); Linquid issues it' }),
});
export type SegmentSecrets = z.infer<typeof segmentSecretsSchema>;
