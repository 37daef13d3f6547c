import { z } from 'zod';
import { INBOX_STATUSES } from '../../contract/states';
import { CONVERSION_TYPES } from '../../contract/workspace-events';
import { instant, nullableInstant } from './resources';

/** Response schemas of what inbound events became, as api/read-views.ts and the analytics route build them. */

const conversionType = z.enum(CONVERSION_TYPES);

export const Conversion = z
  .strictObject({
    id: z.string(),
    type: conversionType,
    eventName: z.string(),
    integrationId: z.string(),
    provider: z.string(),
    customerId: z.string().nullable(),
    amountMinor: z.number().int().nullable().meta({ description: 'Integer minor units; `null` without an amount.' }),
    currency: z.string().nullable(),
    amount: z.string().nullable().meta({ description: 'Major units as a decimal string (`"15.00"`).' }),
    quantity: z.number().nullable(),
    occurredAt: instant,
    externalId: z.string(),
    refundsExternalId: z.string().nullable(),
    saleConversionId: z.string().nullable(),
    externalEventId: z.string(),
    clickId: z.string().nullable(),
    linkKey: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
    isTest: z.boolean(),
    createdAt: instant,
  })
  .meta({ id: 'Conversion' });

export const Customer = z
  .strictObject({
    id: z.string(),
    integrationId: z.string(),
    provider: z.string(),
    externalId: z.string(),
    email: z.string().nullable(),
    name: z.string().nullable(),
    isTest: z.boolean(),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({ id: 'Customer' });

export const WebhookEvent = z
  .strictObject({
    id: z.string(),
    receivedAt: instant,
    eventId: z.string(),
    type: z.string(),
    status: z.enum(INBOX_STATUSES),
    reason: z.string().nullable(),
    duplicateCount: z.number().meta({ description: "Times the sender delivered the event again after the first (its retries; absorbed by the event id)." }),
    lastDuplicateAt: nullableInstant,
    result: z.strictObject({ customerIds: z.array(z.string()), conversionIds: z.array(z.string()), eventIds: z.array(z.string()) }).nullable(),
    processedAt: nullableInstant,
    requeuedAt: nullableInstant,
    isTest: z.boolean(),
  })
  .meta({ id: 'WebhookEvent' });

export const WebhookEventDetail = WebhookEvent.extend({
  provider: z.string(),
  livemode: z.boolean().nullable().meta({ description: 'What the provider says of its mode (Stripe `livemode`); `null` where it says nothing.' }),
  payload: z.unknown().meta({ description: 'The body the provider sent, as stored. Request headers (signatures) are never stored.' }),
}).meta({ id: 'WebhookEventDetail' });

const RevenueLine = z.strictObject({
  currency: z.string(),
  salesMinor: z.number(),
  refundsMinor: z.number(),
  netMinor: z.number(),
  sales: z.string(),
  refunds: z.string(),
  net: z.string(),
});

export const ConversionAnalytics = z
  .strictObject({
    interval: z.string(),
    from: instant,
    to: instant,
    timezone: z.literal('UTC'),
    buckets: z.array(z.strictObject({ start: instant, counts: z.strictObject({ lead: z.number(), sale: z.number(), refund: z.number() }), revenue: z.array(RevenueLine) })),
  })
  .meta({ id: 'ConversionAnalytics' });
