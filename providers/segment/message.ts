import { z } from 'zod';
import { currencySchema } from '../../contract/workspace-event-payloads';
import { decimalSchema } from '../shared/money';
import { dateSchema, idSchema } from '../shared/payload';

const traitsSchema = z.looseObject({
  email: z.string().nullish(),
  name: z.string().nullish(),
  firstName: z.string().nullish(),
  lastName: z.string().nullish(),
});

/** The fields we read from a Segment message (segment.com/docs/connections/spec/common). */
export const segmentMessageSchema = z.looseObject({
  type: z.string(),
  messageId: z.string(),
  userId: idSchema.nullish(),
  anonymousId: idSchema.nullish(),
  event: z.string().nullish(),
  properties: z
    .looseObject({
      revenue: decimalSchema.nullish(),
      total: decimalSchema.nullish(),
      currency: currencySchema.nullish(),
      order_id: idSchema.nullish(),
      email: z.string().nullish(),
      quantity: z.number().int().nullish(),
    })
    .nullish(),
  traits: traitsSchema.nullish(),
  context: z.looseObject({ traits: traitsSchema.nullish() }).nullish(),
  timestamp: dateSchema.nullish(),
  receivedAt: dateSchema.nullish(),
});
