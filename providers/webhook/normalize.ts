import type { InboundEventKind, NormalizeResult, ParsedEvent } from '../types';
import { MAPPED_EVENT_RECORDS, mappedConversion } from '../shared/mapped-conversion';
import { toMinor } from '../shared/money';
import { expectShape } from '../shared/payload';
import { ignored, ignoringMalformed } from '../shared/results';
import { webhookBodySchema } from './parse';
import type { WebhookSettings } from './schema';

/** Whatever `type` the sender names. */
export const WEBHOOK_EVENTS: InboundEventKind[] = [{ type: '*', ...MAPPED_EVENT_RECORDS }];

export const normalizeWebhook = ignoringMalformed((event: ParsedEvent, settings: WebhookSettings): NormalizeResult => {
  const body = expectShape(webhookBodySchema, event.payload, 'webhook event');
  const occurredAt = body.occurredAt ?? event.receivedAt;
  if (!occurredAt) return ignored('event has no occurredAt');
  const currency = body.currency ?? 'USD';
  const { customer } = body;
  return mappedConversion(settings.eventMapping, {
    name: body.type,
    eventId: event.dedupKey,
    occurredAt,
    customer: customer && { externalId: customer.id, email: customer.email ?? null, name: customer.name ?? null },
    amountMinor: body.amountMinor ?? (body.amount === undefined ? undefined : toMinor(body.amount, currency)),
    currency,
    orderId: body.orderId,
    quantity: body.quantity,
    clickId: body.clickId,
    linkKey: body.linkKey,
  });
});
