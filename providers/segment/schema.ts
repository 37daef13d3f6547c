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
    .describe('Workspace event type → Segment track event name (a type left out: its spec name, else the type itself)'),
  outboundEvents: z.array(workspaceEventSchema).default(['lead.created', 'sale.created']).describe('Workspace events sent to Segment'),
});
export type SegmentSettings = z.infer<typeof segmentSettingsSchema>;

export const segmentSecretsSchema = z.strictObject({
  writeKey: z.string().min(1).optional().describe('Source write key for the Tracking API (outbound)'),
  sharedSecret: z.string().min(1).optional().describe('Signs inbound webhooks (X-Signature)'),
});
export type SegmentSecrets = z.infer<typeof segmentSecretsSchema>;
