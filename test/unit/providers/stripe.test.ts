import Stripe from 'stripe';
import { stripe } from '../../../providers/stripe';
import type { StripeSecrets, StripeSettings } from '../../../providers/stripe/schema';
import { MalformedPayloadError } from '../../../providers/types';
import { API, type ApiVersion, charge, invoice, invoicePayment, refund } from '../../support/stripe-objects';
import { NOW_MS, NOW_SECONDS, context, conversionOf, effectsOf, expectRecordsAsDeclared, receive, request } from './support';

const SECRET = 'whsec_current_0123456789abcdef';
const OLD_SECRET = 'whsec_previous_0123456789abcdef';
const signer = new Stripe('sk_test_x').webhooks;
const inbound = stripe.inbound!;
const OCCURRED_AT = new Date(NOW_MS).toISOString();

function settings(overrides: Partial<StripeSettings> = {}): StripeSettings {
  return stripe.settingsSchema.parse(overrides);
}

function event(type: string, object: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    id: `evt_${type.replace(/\W/g, '_')}`,
    object: 'event',
    api_version: '2025-03-31.basil',
    created: NOW_SECONDS,
    livemode: true,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
    ...extra,
  };
}

function signed(payload: string, secret = SECRET, timestamp = NOW_SECONDS) {
  return request(payload, { 'stripe-signature': signer.generateTestHeaderString({ payload, secret, timestamp }) });
}

function normalizeOne(body: object, overrides: Partial<StripeSettings> = {}, secrets: StripeSecrets[] = [{ webhookSecret: SECRET }]) {
  const { events, results } = receive(stripe, signed(JSON.stringify(body)), context(settings(overrides), secrets));
  expect(events).toHaveLength(1);
  return results[0];
}

const subscriptionCheckout = {
  id: 'cs_live_a1',
  object: 'checkout.session',
  mode: 'subscription',
  status: 'complete',
  payment_status: 'paid',
  amount_subtotal: 5000,
  amount_total: 5400,
  currency: 'usd',
  total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 400 },
  customer: 'cus_ada',
  customer_details: { email: 'ada@example.com', name: 'Ada Lovelace' },
  invoice: 'in_ada_1',
  payment_intent: null,
  subscription: 'sub_ada',
  metadata: { dub_id: 'clk_123', link_key: 'launch' },
};

const subscriptionInvoice = {
  id: 'in_ada_1',
  object: 'invoice',
  amount_due: 5400,
  amount_paid: 5400,
  currency: 'usd',
  customer: 'cus_ada',
  customer_email: 'ada@example.com',
  customer_name: 'Ada Lovelace',
  status: 'paid',
  total_taxes: [{ amount: 400, tax_behavior: 'exclusive', taxability_reason: 'standard_rated' }],
  lines: { object: 'list', data: [{ id: 'il_1', quantity: 3 }, { id: 'il_2', quantity: 2 }], has_more: false },
  metadata: {},
  parent: { type: 'subscription_details', subscription_details: { metadata: { clickId: 'clk_sub' }, subscription: 'sub_ada' } },
};

describe('stripe verify', () => {
  const body = JSON.stringify(event('customer.created', { id: 'cus_1' }));
  const ctx = context(settings(), [{ webhookSecret: SECRET }]);

  it('accepts a signature made by the Stripe library', () => {
    expect(inbound.verify(signed(body), ctx)).toEqual({ ok: true });
  });

  it('refuses a missing header, a wrong secret and a tampered body', () => {
    expect(inbound.verify(request(body, {}), ctx)).toMatchObject({ ok: false, reason: 'missing_signature' });
    expect(inbound.verify(signed(body, 'whsec_somebody_else'), ctx)).toMatchObject({ ok: false, reason: 'bad_signature' });
    const tampered = { ...signed(body), rawBody: Buffer.from(body.replace('cus_1', 'cus_2')) };
    expect(inbound.verify(tampered, ctx)).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(inbound.verify(request(body, { 'stripe-signature': 'v1=abc' }), ctx)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('refuses timestamps more than 300 s old or ahead, accepts them within', () => {
    expect(inbound.verify(signed(body, SECRET, NOW_SECONDS - 301), ctx)).toMatchObject({ ok: false, reason: 'stale_timestamp' });
    expect(inbound.verify(signed(body, SECRET, NOW_SECONDS + 301), ctx)).toMatchObject({ ok: false, reason: 'future_timestamp' });
    expect(inbound.verify(signed(body, SECRET, NOW_SECONDS - 299), ctx)).toEqual({ ok: true });
    expect(inbound.verify(signed(body, SECRET, NOW_SECONDS + 299), ctx)).toEqual({ ok: true });
  });

  it('accepts a secret still in its rotation grace period and the test-mode secret', () => {
    const rotated = context(settings(), [{ webhookSecret: SECRET }, { webhookSecret: OLD_SECRET }]);
    expect(inbound.verify(signed(body, OLD_SECRET), rotated)).toEqual({ ok: true });
    const testMode = context(settings({ mode: 'test' }), [{ testWebhookSecret: SECRET }]);
    expect(inbound.verify(signed(body), testMode)).toEqual({ ok: true });
    expect(inbound.verify(signed(body, OLD_SECRET), ctx)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('accepts any of several v1 signatures (Stripe sends two while it rolls the endpoint secret)', () => {
    const other = signer.generateTestHeaderString({ payload: body, secret: 'whsec_new_unknown', timestamp: NOW_SECONDS });
    const ours = signer.generateTestHeaderString({ payload: body, secret: SECRET, timestamp: NOW_SECONDS });
    const header = `${other},${ours.split(',')[1]}`;
    expect(inbound.verify(request(body, { 'stripe-signature': header }), ctx)).toEqual({ ok: true });
  });

  it('refuses everything when no secret is configured', () => {
    expect(inbound.verify(signed(body), context(settings(), [{}]))).toMatchObject({ ok: false, reason: 'bad_signature' });
  });
});

describe('stripe parse', () => {
  it('keys the inbox by the event id and keeps livemode', () => {
    const body = event('customer.created', { id: 'cus_1' }, { id: 'evt_42', livemode: false });
    expect(inbound.parse(request(JSON.stringify(body), {}))).toEqual([
      { dedupKey: 'evt_42', type: 'customer.created', payload: body, livemode: false },
    ]);
  });

  it('throws MalformedPayloadError for invalid JSON and for a non-event', () => {
    expect(() => inbound.parse(request('{not json', {}))).toThrow(MalformedPayloadError);
    expect(() => inbound.parse(request(JSON.stringify({ id: 'evt_1' }), {}))).toThrow(MalformedPayloadError);
  });
});

describe('stripe normalize', () => {
  it('records a paid subscription checkout as a sale keyed by its invoice, net of tax, with attribution', () => {
    expect(conversionOf(normalizeOne(event('checkout.session.completed', subscriptionCheckout)))).toEqual({
      type: 'sale',
      eventName: 'Purchase',
      externalId: 'in_ada_1',
      customer: { externalId: 'cus_ada', email: 'ada@example.com', name: 'Ada Lovelace' },
      amountMinor: 5000,
      currency: 'USD',
      occurredAt: OCCURRED_AT,
      clickId: 'clk_123',
      linkKey: 'launch',
    });
  });

  it('reads a click id from Checkout\'s client_reference_id when a prefix says so (dub_id_, linquid_click_id_), before the metadata keys', () => {
    const checkout = (reference: string | null, metadata: Record<string, string>) =>
      conversionOf(normalizeOne(event('checkout.session.completed', { ...subscriptionCheckout, client_reference_id: reference, metadata })));
    expect(checkout('dub_id_clk_ref', { dub_id: 'clk_meta', link_key: 'launch' })).toMatchObject({ clickId: 'clk_ref', linkKey: 'launch' });
    expect(checkout('linquid_click_id_clk_lq', {})).toMatchObject({ clickId: 'clk_lq' });
    // A reference without the prefix is the merchant's own (a user or cart id): not a click id.
    expect(checkout('user_42', { clickId: 'clk_meta' }).clickId).toBe('clk_meta');
    expect(checkout('user_42', {}).clickId).toBeUndefined();
    expect(checkout('dub_id_', {}).clickId).toBeUndefined();
    expect(checkout(null, { click_id: 'clk_snake' }).clickId).toBe('clk_snake');
  });

  it('records invoice.paid under the same invoice id as its checkout (one sale), with seats when tracked', () => {
    const sale = conversionOf(normalizeOne(event('invoice.paid', subscriptionInvoice), { trackSeats: true }));
    expect(sale).toEqual({
      type: 'sale',
      eventName: 'Purchase',
      externalId: 'in_ada_1',
      customer: { externalId: 'cus_ada', email: 'ada@example.com', name: 'Ada Lovelace' },
      amountMinor: 5000,
      currency: 'USD',
      quantity: 5,
      occurredAt: OCCURRED_AT,
      clickId: 'clk_sub',
    });
    const checkout = conversionOf(normalizeOne(event('checkout.session.completed', subscriptionCheckout)));
    expect(checkout.externalId).toBe(sale.externalId);
    expect(conversionOf(normalizeOne(event('invoice.paid', subscriptionInvoice))).quantity).toBeUndefined();
  });

  it('subtracts the legacy invoice tax field and converts three-decimal KWD and two-decimal-in-Stripe ISK', () => {
    const kwd = { ...subscriptionInvoice, total_taxes: undefined, tax: 340, amount_paid: 12340, currency: 'kwd' };
    expect(conversionOf(normalizeOne(event('invoice.paid', kwd)))).toMatchObject({ amountMinor: 12000, currency: 'KWD' });
    const isk = { ...subscriptionInvoice, total_taxes: [], amount_paid: 50000, currency: 'isk' };
    expect(conversionOf(normalizeOne(event('invoice.paid', isk)))).toMatchObject({ amountMinor: 500, currency: 'ISK' });
  });

  it('counts the paid share of the pre-tax total when the credit balance paid part of the invoice', () => {
    // total 54.00 with 4.00 tax; the balance covered 40.50, the card 13.50: a quarter of 50.00 net.
    const partlyFromBalance = { ...subscriptionInvoice, total: 5400, amount_due: 1350, amount_paid: 1350 };
    expect(conversionOf(normalizeOne(event('invoice.paid', partlyFromBalance)))).toMatchObject({ amountMinor: 1250, currency: 'USD' });
    expect(conversionOf(normalizeOne(event('invoice.paid', { ...subscriptionInvoice, total: 5400 })))).toMatchObject({ amountMinor: 5000 });
  });

  it('ignores a zero-amount invoice (trial start)', () => {
    const trialInvoice = { ...subscriptionInvoice, amount_paid: 0, total_taxes: [] };
    expect(normalizeOne(event('invoice.paid', trialInvoice))).toEqual({
      status: 'ignored',
      reason: 'invoice paid nothing (trial or fully discounted)',
    });
  });

  it('keys a one-off JPY payment by its payment intent, amount in yen', () => {
    const session = {
      ...subscriptionCheckout,
      id: 'cs_live_jpy',
      mode: 'payment',
      amount_total: 1500,
      currency: 'jpy',
      total_details: { amount_tax: 0 },
      invoice: null,
      payment_intent: 'pi_jpy',
      customer: null,
      metadata: {},
    };
    expect(conversionOf(normalizeOne(event('checkout.session.completed', session)))).toEqual({
      type: 'sale',
      eventName: 'Purchase',
      externalId: 'pi_jpy',
      amountMinor: 1500,
      currency: 'JPY',
      occurredAt: OCCURRED_AT,
    });
  });

  it('refuses a checkout whose tax exceeds its total instead of counting a negative sale', () => {
    const inconsistent = { ...subscriptionCheckout, amount_total: 4200, total_details: { amount_tax: 5000 } };
    expect(normalizeOne(event('checkout.session.completed', inconsistent))).toEqual({
      status: 'ignored',
      reason: expect.stringMatching(/^malformed payload: sale in_ada_1 amount -800: never negative/),
    });
  });

  it('ignores unpaid and setup-mode checkouts', () => {
    const unpaid = { ...subscriptionCheckout, payment_status: 'unpaid' };
    expect(normalizeOne(event('checkout.session.completed', unpaid))).toEqual({
      status: 'ignored',
      reason: 'checkout payment_status is unpaid',
    });
    const setup = { ...subscriptionCheckout, mode: 'setup', payment_status: 'no_payment_required' };
    expect(normalizeOne(event('checkout.session.completed', setup))).toMatchObject({ status: 'ignored' });
  });

  it('records a delayed payment when it succeeds', () => {
    const sale = conversionOf(normalizeOne(event('checkout.session.async_payment_succeeded', subscriptionCheckout)));
    expect(sale).toMatchObject({ type: 'sale', externalId: 'in_ada_1', amountMinor: 5000 });
  });

  const customer = {
    id: 'cus_grace',
    object: 'customer',
    email: 'grace@example.com',
    name: 'Grace Hopper',
    metadata: { linquid_click_id: 'clk_signup' },
  };

  it('records customer.created as a customer and a "Sign up" lead', () => {
    const ref = { externalId: 'cus_grace', email: 'grace@example.com', name: 'Grace Hopper' };
    expect(effectsOf(normalizeOne(event('customer.created', customer)))).toEqual([
      { kind: 'customer', customer: ref },
      {
        kind: 'conversion',
        conversion: {
          type: 'lead',
          eventName: 'Sign up',
          externalId: 'cus_grace',
          customer: ref,
          occurredAt: OCCURRED_AT,
          clickId: 'clk_signup',
        },
      },
    ]);
    expect(effectsOf(normalizeOne(event('customer.created', customer), { syncLifecycle: false }))).toEqual([
      { kind: 'customer', customer: ref },
    ]);
  });

  const trialing = {
    id: 'sub_trial',
    object: 'subscription',
    status: 'trialing',
    customer: 'cus_grace',
    items: { object: 'list', data: [{ id: 'si_1', quantity: 4 }] },
    metadata: {},
  };

  it('records a trialing subscription as a "Started Trial" lead, with seats when tracked', () => {
    expect(conversionOf(normalizeOne(event('customer.subscription.created', trialing), { trackSeats: true }))).toEqual({
      type: 'lead',
      eventName: 'Started Trial',
      externalId: 'sub_trial',
      customer: { externalId: 'cus_grace' },
      quantity: 4,
      occurredAt: OCCURRED_AT,
    });
    expect(normalizeOne(event('customer.subscription.created', { ...trialing, status: 'active' }))).toEqual({
      status: 'ignored',
      reason: 'subscription status is active, not trialing',
    });
    expect(normalizeOne(event('customer.subscription.created', trialing), { trackFreeTrials: false })).toEqual({
      status: 'ignored',
      reason: 'free-trial tracking is off',
    });
  });

  const refunded = (api: ApiVersion, fields: Parameters<typeof charge>[1], before?: number) => {
    const body = event('charge.refunded', charge(api, fields));
    return before === undefined ? body : { ...body, data: { ...body.data, previous_attributes: { amount_refunded: before, refunded: false } } };
  };
  const chargeBase = { id: 'ch_1', amount: 5400, currency: 'usd', customer: 'cus_ada', paymentIntent: 'pi_1', invoice: 'in_ada_1' };
  const re = (id: string, amount: number, status?: Parameters<typeof refund>[0]['status']) =>
    refund({ id, amount, charge: 'ch_1', currency: 'usd', paymentIntent: 'pi_1', status, created: NOW_SECONDS - 60 });

  it('records each refund a charge lists (API versions before 2022-11-15) under its id, skipping failed ones', () => {
    const listed = refunded(API.listsRefunds, { ...chargeBase, amountRefunded: 4000, refunds: [re('re_2', 3000), re('re_x', 500, 'failed'), re('re_1', 1000)] }, 1000);
    expect(effectsOf(normalizeOne(listed)).map((effect) => effect.kind === 'conversion' && effect.conversion)).toEqual([
      {
        type: 'refund',
        eventName: 'Refund',
        externalId: 're_2',
        refundsExternalId: 'in_ada_1',
        refundOf: { payment: 'ch_1' },
        customer: { externalId: 'cus_ada' },
        amountMinor: 3000,
        currency: 'USD',
        occurredAt: new Date((NOW_SECONDS - 60) * 1000).toISOString(),
      },
      expect.objectContaining({ externalId: 're_1', amountMinor: 1000 }),
    ]);
    expect(normalizeOne(refunded(API.listsRefunds, { ...chargeBase, amountRefunded: 0, refunds: [re('re_x', 500, 'failed')] }, 500))).toEqual({
      status: 'ignored',
      reason: 'charge ch_1 lists no refund that returned money',
    });
  });

  it('records a charge.refunded without its refunds list as the step from previous_attributes.amount_refunded, against the invoice or else what paid', () => {
    expect(conversionOf(normalizeOne(refunded(API.namesInvoice, { ...chargeBase, amountRefunded: 4000 }, 1000)))).toEqual({
      type: 'refund',
      eventName: 'Refund',
      externalId: 'ch_1/refunded/1000-4000',
      refundsExternalId: 'in_ada_1',
      refundOf: { payment: 'ch_1', step: 'ch_1/refunded/1000-4000' },
      customer: { externalId: 'cus_ada' },
      amountMinor: 3000,
      currency: 'USD',
      occurredAt: OCCURRED_AT,
    });
    // 2025-03-31+: a Charge no longer names its invoice.
    expect(conversionOf(normalizeOne(refunded(API.basil, { ...chargeBase, currency: 'jpy', amountRefunded: 700 }, 0)))).toMatchObject({
      refundsExternalId: 'pi_1',
      amountMinor: 700,
      currency: 'JPY',
    });
    const kwd = conversionOf(normalizeOne(refunded(API.basil, { ...chargeBase, paymentIntent: null, currency: 'kwd', amountRefunded: 12345 }, 10000)));
    expect(kwd).toMatchObject({ refundsExternalId: 'ch_1', amountMinor: 2345, currency: 'KWD' });
  });

  it('ignores a charge.refunded that cannot say which refund it reports, or whose amount_refunded did not grow', () => {
    expect(normalizeOne(refunded(API.basil, { ...chargeBase, amountRefunded: 5400 }))).toMatchObject({
      status: 'ignored',
      reason: expect.stringContaining('neither the charge\'s refunds nor data.previous_attributes.amount_refunded'),
    });
    expect(normalizeOne(refunded(API.basil, { ...chargeBase, amountRefunded: 1000 }, 1000))).toEqual({
      status: 'ignored',
      reason: 'amount_refunded of ch_1 did not grow (1000 to 1000)',
    });
  });

  it('records refund.created / refund.updated under the refund id while it returns money, nothing once failed or canceled', () => {
    expect(conversionOf(normalizeOne(event('refund.created', re('re_1', 1000, 'pending'))))).toEqual({
      type: 'refund',
      eventName: 'Refund',
      externalId: 're_1',
      refundsExternalId: 'pi_1',
      refundOf: { payment: 'ch_1' },
      amountMinor: 1000,
      currency: 'USD',
      occurredAt: new Date((NOW_SECONDS - 60) * 1000).toISOString(),
    });
    expect(conversionOf(normalizeOne(event('refund.updated', re('re_1', 1000))))).toMatchObject({ externalId: 're_1', amountMinor: 1000 });
    for (const status of ['failed', 'canceled'] as const) {
      expect(normalizeOne(event('refund.updated', re('re_1', 1000, status)))).toEqual({ status: 'ignored', reason: `refund re_1 is ${status}: nothing was returned` });
    }
  });

  it('records the payments that paid an invoice as aliases of its sale: invoice_payment.paid, invoice.paid and a one-off Checkout with an invoice', () => {
    const paid = (fields: Parameters<typeof invoicePayment>[0]) => effectsOf(normalizeOne(event('invoice_payment.paid', invoicePayment(fields))));
    expect(paid({ invoice: 'in_1', amount: 100, currency: 'usd', paymentIntent: 'pi_9' })).toEqual([{ kind: 'saleAlias', saleExternalId: 'in_1', alias: 'pi_9' }]);
    expect(paid({ invoice: 'in_1', amount: 100, currency: 'usd', charge: 'ch_9' })).toEqual([{ kind: 'saleAlias', saleExternalId: 'in_1', alias: 'ch_9' }]);
    const outOfBand = { ...invoicePayment({ invoice: 'in_1', amount: 100, currency: 'usd' }), payment: { type: 'payment_record', payment_record: 'pr_1' } };
    expect(normalizeOne(event('invoice_payment.paid', outOfBand))).toMatchObject({ status: 'ignored', reason: expect.stringContaining('names no payment intent or charge') });

    const legacy = invoice(API.namesInvoice, { id: 'in_2', currency: 'usd', customer: 'cus_ada', amountPaid: 1200, tax: 200, subscription: 'sub_1', paymentIntent: 'pi_2', charge: 'ch_2' });
    expect(effectsOf(normalizeOne(event('invoice.paid', legacy))).slice(1)).toEqual([
      { kind: 'saleAlias', saleExternalId: 'in_2', alias: 'pi_2' },
      { kind: 'saleAlias', saleExternalId: 'in_2', alias: 'ch_2' },
    ]);
    const payments = [invoicePayment({ invoice: 'in_3', amount: 1200, currency: 'usd', paymentIntent: 'pi_3' })];
    const basil = invoice(API.basil, { id: 'in_3', currency: 'usd', customer: 'cus_ada', amountPaid: 1200, tax: 200, subscription: 'sub_1', payments });
    const [sale, ...aliases] = effectsOf(normalizeOne(event('invoice.paid', basil)));
    expect(sale).toMatchObject({ kind: 'conversion', conversion: { externalId: 'in_3', amountMinor: 1000 } });
    expect(aliases).toEqual([{ kind: 'saleAlias', saleExternalId: 'in_3', alias: 'pi_3' }]);
    const expanded = { ...basil, payments: { object: 'list', data: [{ ...payments[0], payment: { type: 'payment_intent', payment_intent: { id: 'pi_3' } } }] } };
    expect(conversionOf(normalizeOne(event('invoice.paid', expanded)))).toMatchObject({ externalId: 'in_3', amountMinor: 1000 });

    const withInvoice = { ...subscriptionCheckout, mode: 'payment', invoice: 'in_4', payment_intent: 'pi_4' };
    expect(effectsOf(normalizeOne(event('checkout.session.completed', withInvoice))).slice(1)).toEqual([{ kind: 'saleAlias', saleExternalId: 'in_4', alias: 'pi_4' }]);
  });

  it('turns a deauthorization into a disconnect', () => {
    expect(effectsOf(normalizeOne(event('account.application.deauthorized', { id: 'ca_1', object: 'application' })))).toEqual([
      { kind: 'lifecycle', action: 'disconnect', reason: 'the Stripe account deauthorized the application' },
    ]);
  });

  it('records for each event type what the catalog says it does', () => {
    const withInvoice = { ...subscriptionCheckout, mode: 'payment', invoice: 'in_4', payment_intent: 'pi_4' };
    const legacyInvoice = invoice(API.namesInvoice, { id: 'in_2', currency: 'usd', customer: 'cus_ada', amountPaid: 1200, tax: 200, subscription: 'sub_1', paymentIntent: 'pi_2' });
    const trial = { id: 'sub_trial', object: 'subscription', status: 'trialing', customer: 'cus_grace', metadata: {} };
    const one = (type: string, object: Record<string, unknown>) => [normalizeOne(event(type, object))];
    expectRecordsAsDeclared(stripe, {
      'checkout.session.completed': one('checkout.session.completed', withInvoice),
      'checkout.session.async_payment_succeeded': one('checkout.session.async_payment_succeeded', withInvoice),
      'invoice.paid': one('invoice.paid', legacyInvoice),
      'customer.created': one('customer.created', customer),
      'customer.subscription.created': one('customer.subscription.created', trial),
      'invoice_payment.paid': one('invoice_payment.paid', invoicePayment({ invoice: 'in_1', amount: 100, currency: 'usd', paymentIntent: 'pi_9' })),
      'charge.refunded': [normalizeOne(refunded(API.basil, { ...chargeBase, amountRefunded: 4000 }, 1000))],
      'refund.created': one('refund.created', re('re_1', 1000)),
      'refund.updated': one('refund.updated', re('re_1', 1000)),
      'account.application.deauthorized': one('account.application.deauthorized', { id: 'ca_1', object: 'application' }),
    });
  });

  it('ignores conversions when conversion sync is off', () => {
    for (const [type, object] of [
      ['checkout.session.completed', subscriptionCheckout],
      ['invoice.paid', subscriptionInvoice],
      ['charge.refunded', refunded(API.basil, { ...chargeBase, amountRefunded: 4000 }, 1000).data.object],
      ['refund.created', re('re_1', 1000)],
      ['invoice_payment.paid', invoicePayment({ invoice: 'in_1', amount: 100, currency: 'usd', paymentIntent: 'pi_9' })],
    ] as const) {
      expect(normalizeOne(event(type, object), { syncConversions: false })).toEqual({ status: 'ignored', reason: 'conversion sync is off' });
    }
  });

  it('ignores events of the other mode and of another connected account', () => {
    const testEvent = event('customer.created', customer, { livemode: false });
    expect(normalizeOne(testEvent)).toEqual({ status: 'ignored', reason: 'test-mode event at a live integration' });
    expect(normalizeOne(event('customer.created', customer), { mode: 'test' })).toEqual({
      status: 'ignored',
      reason: 'live-mode event at a test integration',
    });
    expect(effectsOf(normalizeOne(testEvent, { mode: 'test' }))).toHaveLength(2);
    const connected = event('customer.created', customer, { account: 'acct_other' });
    expect(normalizeOne(connected, { accountId: 'acct_mine' })).toMatchObject({ status: 'ignored' });
    expect(effectsOf(normalizeOne(connected, { accountId: 'acct_other' }))).toHaveLength(2);
  });

  it('ignores unhandled types and records a malformed object as ignored with the reason', () => {
    expect(normalizeOne(event('payment_intent.created', { id: 'pi_1' }))).toEqual({
      status: 'ignored',
      reason: 'unhandled event type payment_intent.created',
    });
    const result = normalizeOne(event('invoice.paid', { id: 'in_1', currency: 'usd' }));
    expect(result.status).toBe('ignored');
    expect(result.status === 'ignored' && result.reason).toMatch(/^malformed payload: .*amount_paid/);
  });
});
