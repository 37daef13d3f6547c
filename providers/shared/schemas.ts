import { z } from 'zod';

/** Inbound event name → the conversion it records (Segment track events, generic webhook types). */
export const eventMappingSchema = z
  .record(
    z.string().min(1),
    z.strictObject({
      type: z.enum(['lead', 'sale']),
      eventName: z.string().min(1).optional().describe('Conversion event name; defaults to the inbound event name'),
    }),
  )
  // Segment's spec names for the two conversions: what senders most often already emit.
  .default({ 'Order Completed': { type: 'sale' }, 'Signed Up': { type: 'lead' } })
  .describe('Inbound event name → the conversion it records');
export type EventMapping = z.output<typeof eventMappingSchema>;
