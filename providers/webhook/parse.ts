import { z } from 'zod';
import { MalformedPayloadError, type InboundRequest, type ParsedEvent } from '../types';
import { currencySchema } from '../../contract/workspace-event-payloads';
import { decimalSchema } from '../shared/money';
import { dateSchema, expectShape, idSchema, readJson } from '../shared/payload';

/**
 * The generic inbound body (documented for senders):
 * `{ "type": "Order Completed", "id"?, "occurredAt"?: ISO-8601, "customer"?: { "id", "email"?, "name"? },
 *    "amount"?: 49.99 (major units) | "amountMinor"?: 4999, "currency"?: "USD", "quantity"?,
 *    "orderId"?, "clickId"?, "linkKey"? }`; `type` is looked up in the integration's eventMapping.
 */
export const webhookBodySchema = z.looseObject({
  type: z.string().min(1),
  id: idSchema.optional(),
  occurredAt: dateSchema.optional(),
  customer: z
    .looseObject({ id: idSchema, email: z.string().nullish(), name: z.string().nullish() })
    .optional(),
  amount: decimalSchema.optional(),
  amountMinor: z.number().int().optional(),
  currency: currencySchema.optional(),
  quantity: z.number().int().optional(),
  orderId: idSchema.optional(),
  clickId: z.string().optional(),
  linkKey: z.string().optional(),
});

export function parseWebhook(req: InboundRequest): ParsedEvent[] {
  const body = readJson(req.rawBody);
  const parsed = expectShape(webhookBodySchema, body, 'webhook event');
  const dedupKey = req.headers['webhook-id'] || req.headers['idempotency-key'] || parsed.id;
  if (!dedupKey) throw new MalformedPayloadError('missing event id: send webhook-id or Idempotency-Key');
  return [{ dedupKey, type: parsed.type, payload: body }];
}
