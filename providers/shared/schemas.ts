import { z } from 'zod';

/** Inbound event name → the conversion it records (Segment track events, generic webhook types). */
export const eventMappingSchema = z
  .record(
    z.string().min(1),
    z.strictObject({
      type: z.enum(['lead', 'sale']).meta({ title: 'Records', description: 'The conversion it records' }),
      eventName: z.string().min(1).optional().meta({ title: 'Conversion name', description: 'The conversion’s event name; by default the inbound event’s name' }),
    }),
  )
  // Segment's spec names for the two conversions: what senders most often already emit.
  .default({ 'Order Completed': { type: 'sale' }, 'Signed Up': { type: 'lead' } })
  .meta({ title: 'Event mapping', description: 'Each inbound event name and the conversion it records; other events are ignored' });
export type EventMapping = z.output<typeof eventMappingSchema>;
