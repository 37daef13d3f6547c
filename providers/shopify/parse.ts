import { z } from 'zod';
import { MalformedPayloadError, type InboundRequest, type ParsedEvent } from '../types';
import { expectShape, readJson } from '../shared/payload';

/** The topic and the delivery id come in headers; the body is the resource (order, customer, refund…). */
export function parseShopify(req: InboundRequest): ParsedEvent[] {
  const topic = req.headers['x-shopify-topic'];
  const id = req.headers['x-shopify-webhook-id'] ?? req.headers['x-shopify-event-id'];
  if (!topic) throw new MalformedPayloadError('missing X-Shopify-Topic header');
  if (!id) throw new MalformedPayloadError('missing X-Shopify-Webhook-Id header');
  const body = expectShape(z.record(z.string(), z.unknown()), readJson(req.rawBody), 'Shopify resource');
  const test = testMode(body);
  return [{ dedupKey: id, type: topic, payload: body, ...(test !== undefined && { livemode: !test }) }];
}

const flaggedSchema = z.looseObject({ test: z.boolean() });

/**
 * An order paid through a test gateway says `test: true`; a refund has no flag of its own, its
 * transactions (with the order's gateway) do. Undefined when the resource does not say.
 */
function testMode(body: Record<string, unknown>): boolean | undefined {
  if (typeof body.test === 'boolean') return body.test;
  const transactions: unknown[] = Array.isArray(body.transactions) ? body.transactions : [];
  const flags = transactions.flatMap((transaction) => {
    const flagged = flaggedSchema.safeParse(transaction);
    return flagged.success ? [flagged.data.test] : [];
  });
  return flags.length > 0 ? flags.includes(true) : undefined;
}
