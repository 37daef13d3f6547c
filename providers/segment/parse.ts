import { z } from 'zod';
import type { InboundRequest, ParsedEvent } from '../types';
import { expectShape, readJson } from '../shared/payload';

/** Only the envelope is checked on receipt: a message we won't record must not be refused (Segment would retry it). */
const envelopeSchema = z.looseObject({ type: z.string().min(1), messageId: z.string().min(1) });

export function parseSegment(req: InboundRequest): ParsedEvent[] {
  const body = readJson(req.rawBody);
  const { type, messageId } = expectShape(envelopeSchema, body, 'Segment message');
  return [{ dedupKey: messageId, type, payload: body }];
}
