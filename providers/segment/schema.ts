import { z } from 'zod';
import { eventMappingSchema, workspaceEventSchema } from '../shared/schemas';

export const segmentSettingsSchema = z.strictObject({
  eventMapping: eventMappingSchema,
  outboundEventNames: z
    .partialRecord(workspaceEventSchema, z.string().min(1))
    .default({ 'sale.created': 'Order Completed', 'lead.created': 'Signed Up' })
    .describe('Workspace event type → Segment track event name'),
  outboundEvents: z.array(workspaceEventSchema).default(['lead.created', 'sale.created']).describe('Workspace events sent to Segment'),
});
export type SegmentSettings = z.infer<typeof segmentSettingsSchema>;

export const segmentSecretsSchema = z.strictObject({
  writeKey: z.string().min(1).optional().describe('Source write key for the Tracking API (outbound)'),
  sharedSecret: z.string().min(1).optional().describe('Signs inbound webhooks (X-Signature)'),
});
export type SegmentSecrets = z.infer<typeof segmentSecretsSchema>;
