import { z } from 'zod';

/** The fields we read from Stripe objects (webhook payloads never expand ids, so references are strings). */
const metadata = z.record(z.string(), z.string()).nullish();
const reference = z.string().nullish();

export const checkoutSessionSchema = z.looseObject({
  id: z.string(),
  mode: z.enum(['payment', 'subscription', 'setup']),
  payment_status: z.string(),
  amount_total: z.number().int().nullish(),
  currency: z.string().nullish(),
  total_details: z.looseObject({ amount_tax: z.number().int().nullish() }).nullish(),
  customer: reference,
  customer_details: z.looseObject({ email: z.string().nullish(), name: z.string().nullish() }).nullish(),
  invoice: reference,
  payment_intent: reference,
  metadata,
});

export const invoiceSchema = z.looseObject({
  id: z.string(),
  amount_paid: z.number().int(),
  currency: z.string(),
  /** Older API versions. */
  tax: z.number().int().nullish(),
  /** API 2025-03-31 and later. */
  total_taxes: z.array(z.looseObject({ amount: z.number().int() })).nullish(),
  customer: reference,
  customer_email: z.string().nullish(),
  customer_name: z.string().nullish(),
  lines: z.looseObject({ data: z.array(z.looseObject({ quantity: z.number().int().nullish() })) }).nullish(),
  metadata,
  /** Subscription metadata: older API versions at the top, newer under `parent`. */
  subscription_details: z.looseObject({ metadata }).nullish(),
  parent: z.looseObject({ subscription_details: z.looseObject({ metadata }).nullish() }).nullish(),
});

export const customerSchema = z.looseObject({
  id: z.string(),
  email: z.string().nullish(),
  name: z.string().nullish(),
  metadata,
});

export const subscriptionSchema = z.looseObject({
  id: z.string(),
  status: z.string(),
  customer: z.string(),
  items: z.looseObject({ data: z.array(z.looseObject({ quantity: z.number().int().nullish() })) }).nullish(),
  metadata,
});

export const chargeSchema = z.looseObject({
  id: z.string(),
  amount_refunded: z.number().int(),
  currency: z.string(),
  customer: reference,
  invoice: reference,
  payment_intent: reference,
  metadata,
});
