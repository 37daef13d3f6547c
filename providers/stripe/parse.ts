import { z } from 'zod';
import type { InboundRequest, ParsedEvent } from '../types';
import { expectShape, readJson } from '../shared/payload';

export const stripeEventSchema = z.looseObject({
  id: z.string().min(1),
  type: z.string().min(1),
  livemode: z.boolean(),
  created: z.number().int(),
  /** Set on events of a connected account (Connect). */
  account: z.string().optional(),
  /** `previous_attributes`: the changed fields' values before the event (`charge.refunded`: `amount_refunded`). */
  data: z.looseObject({ object: z.record(z.string(), z.unknown()), previous_attributes: z.record(z.string(), z.unknown()).nullish() }),
});

export function parseStripe(req: InboundRequest): ParsedEvent[] {
  const event = expectShape(stripeEventSchema, readJson(req.rawBody), 'Stripe event');
  return [{ dedupKey: event.id, type: event.type, payload: event, livemode: event.livemode }];
}
