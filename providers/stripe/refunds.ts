import type { ConversionInput, NormalizeResult } from '../types';
import { isoFromMs } from '../shared/payload';
import { apply, conversionEffect, ignored } from '../shared/results';
import { fromStripeAmount } from './money';
import type { StripeCharge, StripeRefund } from './objects';

/**
 * Stripe refunds: one refund row per Stripe refund, for the refund's amount (what Stripe returned to the
 * customer, tax included), keyed by the refund's id (`re_…`) wherever a report carries it:
 * - `refund.created` / `refund.updated`: the Refund object;
 * - `charge.refunded` on API versions before 2022-11-15: the charge lists its refunds (newest first);
 * - `charge.refunded` from 2022-11-15: no list, but `previous_attributes.amount_refunded` says how far the
 *   charge was refunded before; the difference is this event's refund, recorded as the step
 *   `<charge>/refunded/<before>-<after>` (Stripe's amounts) until a Refund report of the same charge and
 *   amount gives the row the refund's id (`refundOf`, paired in db/queries/refund-reports).
 * So the charge's refunds add up to its `amount_refunded` with either subscription or both, in any order.
 * Stripe counts a refund from its creation; one that fails or is canceled returned nothing and is ignored
 * (a refund recorded before it failed stays recorded).
 */
const RETURNED_NOTHING = new Set(['failed', 'canceled']);

type Id = string | null | undefined;

/**
 * The sale a refund is of: the charge's invoice where it names one (API versions before 2025-03-31), else
 * the payment intent or charge that paid it (an invoice's sale is found from those through its aliases).
 */
const refundedSale = (invoice: Id, paymentIntent: Id, charge: Id) => invoice ?? paymentIntent ?? charge ?? undefined;

function refundOfCharge(refund: StripeRefund, charge?: StripeCharge): ConversionInput {
  const currency = refund.currency.toUpperCase();
  const chargeId = refund.charge ?? charge?.id;
  return {
    type: 'refund',
    eventName: 'Refund',
    externalId: refund.id,
    refundsExternalId: refundedSale(charge?.invoice, refund.payment_intent ?? charge?.payment_intent, chargeId),
    ...(chargeId && { refundOf: { payment: chargeId } }),
    ...(charge?.customer && { customer: { externalId: charge.customer } }),
    amountMinor: fromStripeAmount(refund.amount, currency),
    currency,
    occurredAt: isoFromMs(refund.created * 1000),
  };
}

export function refundReported(refund: StripeRefund): NormalizeResult {
  if (refund.status && RETURNED_NOTHING.has(refund.status)) return ignored(`refund ${refund.id} is ${refund.status}: nothing was returned`);
  return apply(conversionEffect(refundOfCharge(refund)));
}

export function chargeRefunded(charge: StripeCharge, amountRefundedBefore: number | undefined, occurredAt: string): NormalizeResult {
  if (charge.refunds) {
    const refunds = charge.refunds.data.filter((refund) => !(refund.status && RETURNED_NOTHING.has(refund.status)));
    if (refunds.length === 0) return ignored(`charge ${charge.id} lists no refund that returned money`);
    return apply(...refunds.map((refund) => conversionEffect(refundOfCharge(refund, charge))));
  }
  if (amountRefundedBefore === undefined) {
    return ignored(`charge.refunded of ${charge.id} has neither the charge's refunds nor data.previous_attributes.amount_refunded: which refund it reports is unknown`);
  }
  const after = charge.amount_refunded;
  if (after <= amountRefundedBefore) return ignored(`amount_refunded of ${charge.id} did not grow (${amountRefundedBefore} to ${after})`);
  const currency = charge.currency.toUpperCase();
  const step = `${charge.id}/refunded/${amountRefundedBefore}-${after}`;
  return apply(
    conversionEffect({
      type: 'refund',
      eventName: 'Refund',
      externalId: step,
      refundsExternalId: refundedSale(charge.invoice, charge.payment_intent, charge.id),
      refundOf: { payment: charge.id, step },
      ...(charge.customer && { customer: { externalId: charge.customer } }),
      amountMinor: fromStripeAmount(after - amountRefundedBefore, currency),
      currency,
      occurredAt,
    }),
  );
}
