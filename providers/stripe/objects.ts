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
  /** Free-form; a click id when it says so (see attribution.ts). */
  client_reference_id: z.string().nullish(),
  metadata,
});

/** Where an invoice payment's money came from: a payment intent, or a charge made without one. */
const paymentTarget = z.looseObject({ payment_intent: reference, charge: reference });

export const invoicePaymentSchema = z.looseObject({
  id: z.string(),
  invoice: z.string(),
  status: z.string().nullish(),
  payment: paymentTarget,
});

export const invoiceSchema = z.looseObject({
  id: z.string(),
  amount_paid: z.number().int(),
  /** Tax included; more than `amount_paid` when the customer's credit balance paid part of it. */
  total: z.number().int().nullish(),
  currency: z.string(),
  /** Older API versions. */
  tax: z.number().int().nullish(),
  /** API 2025-03-31 and later. */
  total_taxes: z.array(z.looseObject({ amount: z.number().int() })).nullish(),
  customer: reference,
  customer_email: z.string().nullish(),
  customer_name: z.string().nullish(),
  lines: z.looseObject({ data: z.array(z.looseObject({ quantity: z.number().int().nullish() })) }).nullish(),
  /** What paid it: older API versions name it on the invoice, 2025-03-31 and later list `payments` (when included). */
  payment_intent: reference,
  charge: reference,
  // Only links refunds: a shape we do not know (an expanded payment) must not cost the sale.
  payments: z.looseObject({ data: z.array(invoicePaymentSchema.pick({ status: true, payment: true })) }).nullish().catch(null),
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

export const refundSchema = z.looseObject({
  id: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  charge: reference,
  payment_intent: reference,
  /** pending, requires_action, succeeded, failed or canceled (absent on the oldest API versions). */
  status: z.string().nullish(),
  created: z.number().int(),
});
export type StripeRefund = z.infer<typeof refundSchema>;

export const chargeSchema = z.looseObject({
  id: z.string(),
  amount_refunded: z.number().int(),
  currency: z.string(),
  customer: reference,
  /** API versions before 2025-03-31. */
  invoice: reference,
  payment_intent: reference,
  /** API versions before 2022-11-15: the charge's refunds, newest first (the first page). */
  refunds: z.looseObject({ data: z.array(refundSchema) }).nullish(),
  metadata,
});
export type StripeCharge = z.infer<typeof chargeSchema>;

/** What `charge.refunded` says the charge was before the refund. */
export const chargeBeforeSchema = z.looseObject({ amount_refunded: z.number().int().optional() }).nullish();
