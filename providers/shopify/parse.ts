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
  // Orders paid through a test gateway say so.
  const livemode = typeof body.test === 'boolean' ? { livemode: !body.test } : {};
  return [{ dedupKey: id, type: topic, payload: body, ...livemode }];
}
