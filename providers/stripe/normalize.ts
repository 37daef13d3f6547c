import type { CustomerRef, NormalizeResult, ParsedEvent } from '../types';
import { attributionFrom } from '../shared/attribution';
import { eventKindsOf, type EventTable, handlerOf } from '../shared/event-table';
import { expectShape, isoFromMs } from '../shared/payload';
import { apply, conversionEffect, customerEffect, disconnectEffect, ignored, ignoringMalformed, saleAliasEffect } from '../shared/results';
import { clickIdOfReference } from './attribution';
import { fromStripeAmount } from './money';
import {
  chargeBeforeSchema,
  chargeSchema,
  checkoutSessionSchema,
  customerSchema,
  invoicePaymentSchema,
  invoiceSchema,
  refundSchema,
  subscriptionSchema,
} from './objects';
import { stripeEventSchema } from './parse';
import { chargeRefunded, refundReported } from './refunds';
import type { StripeSettings } from './schema';

interface EventContext {
  settings: StripeSettings;
  occurredAt: string;
  /** The event's `data.previous_attributes`. */
  previous: Record<string, unknown> | null | undefined;
}

type Handler = (object: unknown, ctx: EventContext) => NormalizeResult;

const CONVERSION_SYNC_OFF = 'conversion sync is off';

/** Guest checkouts and charges have no Stripe customer, so their conversions have none either. */
function customerRef(id: string | null | undefined, email?: string | null, name?: string | null): CustomerRef | undefined {
  return id ? { externalId: id, email: email ?? null, name: name ?? null } : undefined;
}

const checkoutCompleted: Handler = (object, { settings, occurredAt }) => {
  if (!settings.syncConversions) return ignored(CONVERSION_SYNC_OFF);
  const session = expectShape(checkoutSessionSchema, object, 'checkout session');
  if (session.mode === 'setup') return ignored('setup-mode checkout takes no payment');
  if (session.payment_status !== 'paid') return ignored(`checkout payment_status is ${session.payment_status}`);
  if (session.amount_total == null || !session.currency) return ignored('checkout session has no amount');
  const currency = session.currency.toUpperCase();
  // The invoice id makes a subscription checkout and its invoice.paid one sale; a one-off payment is keyed
  // by its payment intent so that its refunds (which know the intent) find it.
  const externalId = session.invoice ?? session.payment_intent ?? session.id;
  return apply(
    conversionEffect({
      type: 'sale',
      eventName: 'Purchase',
      externalId,
      customer: customerRef(session.customer, session.customer_details?.email, session.customer_details?.name),
      amountMinor: fromStripeAmount(session.amount_total - (session.total_details?.amount_tax ?? 0), currency),
      currency,
      occurredAt,
      ...attributionFrom({ clickId: clickIdOfReference(session.client_reference_id) }, session.metadata),
    }),
    // A one-off payment with an invoice (invoice_creation) is keyed by the invoice; its refunds name the intent.
    ...paidWith(externalId, [session.payment_intent]),
  );
};

/** The sale's aliases: the payment intents and charges that paid it, which its refunds name. */
function paidWith(saleExternalId: string, payments: Array<string | null | undefined>) {
  return [...new Set(payments)].flatMap((payment) => (payment && payment !== saleExternalId ? [saleAliasEffect(saleExternalId, payment)] : []));
}

/**
 * What was paid, without its share of the tax. When the customer's credit balance paid part of the
 * invoice, `amount_paid` is less than `total` and holds only part of the tax: the whole tax taken from it
 * would understate the sale (or make it negative), so the paid share of the pre-tax total counts.
 */
function paidNetOfTax(amountPaid: number, total: number | null | undefined, tax: number): number {
  if (!total || total <= 0 || amountPaid >= total) return amountPaid - tax;
  return Math.round((amountPaid * (total - tax)) / total);
}

const invoicePaid: Handler = (object, { settings, occurredAt }) => {
  if (!settings.syncConversions) return ignored(CONVERSION_SYNC_OFF);
  const invoice = expectShape(invoiceSchema, object, 'invoice');
  if (invoice.amount_paid === 0) return ignored('invoice paid nothing (trial or fully discounted)');
  const tax = invoice.tax ?? (invoice.total_taxes ?? []).reduce((sum, entry) => sum + entry.amount, 0);
  const currency = invoice.currency.toUpperCase();
  // Webhook payloads carry the first page of lines only; enough for seat counts in practice.
  const quantity = (invoice.lines?.data ?? []).reduce((sum, line) => sum + (line.quantity ?? 0), 0);
  return apply(
    conversionEffect({
      type: 'sale',
      eventName: 'Purchase',
      externalId: invoice.id,
      customer: customerRef(invoice.customer, invoice.customer_email, invoice.customer_name),
      amountMinor: fromStripeAmount(paidNetOfTax(invoice.amount_paid, invoice.total, tax), currency),
      currency,
      ...(settings.trackSeats && { quantity }),
      occurredAt,
      ...attributionFrom(
        invoice.metadata,
        invoice.parent?.subscription_details?.metadata,
        invoice.subscription_details?.metadata,
      ),
    }),
    ...paidWith(invoice.id, [
      invoice.payment_intent,
      invoice.charge,
      ...(invoice.payments?.data ?? []).filter((payment) => (payment.status ?? 'paid') === 'paid').flatMap(({ payment }) => [payment.payment_intent, payment.charge]),
    ]),
  );
};

/** API 2025-03-31 and later: how an invoice was paid (a Charge no longer names its invoice). */
const invoicePaymentPaid: Handler = (object, { settings }) => {
  if (!settings.syncConversions) return ignored(CONVERSION_SYNC_OFF);
  const { id, invoice, payment } = expectShape(invoicePaymentSchema, object, 'invoice payment');
  const aliases = paidWith(invoice, [payment.payment_intent, payment.charge]);
  return aliases.length > 0 ? apply(...aliases) : ignored(`invoice payment ${id} names no payment intent or charge`);
};

const customerCreated: Handler = (object, { settings, occurredAt }) => {
  const customer = expectShape(customerSchema, object, 'customer');
  const ref = { externalId: customer.id, email: customer.email ?? null, name: customer.name ?? null };
  if (!settings.syncLifecycle) return apply(customerEffect(ref));
  return apply(
    customerEffect(ref),
    conversionEffect({
      type: 'lead',
      eventName: 'Sign up',
      externalId: customer.id,
      customer: ref,
      occurredAt,
      ...attributionFrom(customer.metadata),
    }),
  );
};

const subscriptionCreated: Handler = (object, { settings, occurredAt }) => {
  if (!settings.trackFreeTrials) return ignored('free-trial tracking is off');
  const subscription = expectShape(subscriptionSchema, object, 'subscription');
  if (subscription.status !== 'trialing') return ignored(`subscription status is ${subscription.status}, not trialing`);
  const quantity = subscription.items?.data[0]?.quantity;
  return apply(
    conversionEffect({
      type: 'lead',
      eventName: 'Started Trial',
      externalId: subscription.id,
      customer: { externalId: subscription.customer },
      ...(settings.trackSeats && quantity != null && { quantity }),
      occurredAt,
      ...attributionFrom(subscription.metadata),
    }),
  );
};

/** Refunds: see refunds.ts. */
const chargeWasRefunded: Handler = (object, { settings, occurredAt, previous }) => {
  if (!settings.syncConversions) return ignored(CONVERSION_SYNC_OFF);
  const before = expectShape(chargeBeforeSchema, previous, 'charge.refunded previous_attributes');
  return chargeRefunded(expectShape(chargeSchema, object, 'charge'), before?.amount_refunded, occurredAt);
};

const refundChanged: Handler = (object, { settings }) => {
  if (!settings.syncConversions) return ignored(CONVERSION_SYNC_OFF);
  return refundReported(expectShape(refundSchema, object, 'refund'));
};

const deauthorized: Handler = () => apply(disconnectEffect('the Stripe account deauthorized the application'));

const SYNC = 'with syncConversions';
const events: EventTable<Handler> = {
  'checkout.session.completed': { handle: checkoutCompleted, records: ['sale', 'sale alias'], when: `a paid checkout (not setup mode), ${SYNC}` },
  // Delayed payment methods (bank debits) complete the session unpaid and pay it later.
  'checkout.session.async_payment_succeeded': { handle: checkoutCompleted, records: ['sale', 'sale alias'], when: `a delayed payment that succeeded, ${SYNC}` },
  'invoice.paid': { handle: invoicePaid, records: ['sale', 'sale alias'], when: `an invoice that paid something, ${SYNC}` },
  'customer.created': { handle: customerCreated, records: ['customer', 'lead'], when: 'a "Sign up" lead with syncLifecycle' },
  'customer.subscription.created': { handle: subscriptionCreated, records: ['lead'], when: 'a "Started Trial" lead for a trialing subscription, with trackFreeTrials' },
  'invoice_payment.paid': { handle: invoicePaymentPaid, records: ['sale alias'], when: `the payment that paid an invoice, so that its refunds find the sale, ${SYNC}` },
  'charge.refunded': { handle: chargeWasRefunded, records: ['refund'], when: SYNC },
  'refund.created': { handle: refundChanged, records: ['refund'], when: `unless failed or canceled, ${SYNC}` },
  'refund.updated': { handle: refundChanged, records: ['refund'], when: `unless failed or canceled, ${SYNC}` },
  'account.application.deauthorized': { handle: deauthorized, records: ['disconnect'] },
};

export const STRIPE_EVENTS = eventKindsOf(events);

export const normalizeStripe = ignoringMalformed((event: ParsedEvent, settings: StripeSettings): NormalizeResult => {
  const stripeEvent = expectShape(stripeEventSchema, event.payload, 'Stripe event');
  const live = settings.mode === 'live';
  if (stripeEvent.livemode !== live) {
    return ignored(live ? 'test-mode event at a live integration' : 'live-mode event at a test integration');
  }
  if (settings.accountId && stripeEvent.account && stripeEvent.account !== settings.accountId) {
    return ignored(`event of Stripe account ${stripeEvent.account}, not ${settings.accountId}`);
  }
  const handler = handlerOf(events, stripeEvent.type);
  if (!handler) return ignored(`unhandled event type ${stripeEvent.type}`);
  return handler(stripeEvent.data.object, { settings, occurredAt: isoFromMs(stripeEvent.created * 1000), previous: stripeEvent.data.previous_attributes });
});
