/**
 * Stripe objects shaped like Stripe's published examples — `openapi/fixtures3.json` of github.com/stripe/openapi
 * (event, charge, refund, invoice, checkout.session) and, for `invoice_payment`, the InvoicePayment type of the
 * `stripe` library — with what a real event of the given API version carries:
 * - before 2022-11-15 a Charge lists its `refunds`; from then on it does not;
 * - before 2025-03-31 a Charge names its `invoice` and an Invoice its `payment_intent` and `charge`; from then
 *   on neither does, and an invoice's payments are InvoicePayment objects (`invoice_payment.paid`).
 * Amounts are in Stripe's smallest unit of the currency, like Stripe's.
 */
export const API = { listsRefunds: '2022-08-01', namesInvoice: '2024-06-20', basil: '2025-03-31.basil' } as const;
export type ApiVersion = (typeof API)[keyof typeof API];

const listsRefunds = (api: ApiVersion) => api < '2022-11-15';
const namesInvoice = (api: ApiVersion) => api < '2025-03-31';
const unix = () => Math.floor(Date.now() / 1000);
const list = (url: string, data: object[]) => ({ object: 'list', data, has_more: false, url });

export interface RefundFields {
  id: string;
  amount: number;
  charge: string;
  currency: string;
  paymentIntent?: string | null;
  status?: 'pending' | 'requires_action' | 'succeeded' | 'failed' | 'canceled';
  created?: number;
}

export function refund(fields: RefundFields) {
  return {
    id: fields.id,
    object: 'refund',
    amount: fields.amount,
    balance_transaction: `txn_${fields.id}`,
    charge: fields.charge,
    created: fields.created ?? unix(),
    currency: fields.currency,
    destination_details: { card: { reference_status: 'pending', reference_type: 'acquirer_reference_number', type: 'refund' }, type: 'card' },
    metadata: {},
    payment_intent: fields.paymentIntent ?? null,
    reason: 'requested_by_customer',
    receipt_number: null,
    source_transfer_reversal: null,
    status: fields.status ?? 'succeeded',
    transfer_reversal: null,
  };
}

export interface ChargeFields {
  id: string;
  amount: number;
  currency: string;
  amountRefunded: number;
  customer?: string | null;
  paymentIntent?: string | null;
  invoice?: string | null;
  /** Listed (newest first) on API versions that list them. */
  refunds?: Array<ReturnType<typeof refund>>;
}

export function charge(api: ApiVersion, fields: ChargeFields) {
  return {
    id: fields.id,
    object: 'charge',
    amount: fields.amount,
    amount_captured: fields.amount,
    amount_refunded: fields.amountRefunded,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: `txn_${fields.id}`,
    billing_details: { address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null }, email: null, name: 'Jenny Rosen', phone: null },
    calculated_statement_descriptor: 'LINQUID',
    captured: true,
    created: unix() - 3600,
    currency: fields.currency,
    customer: fields.customer ?? null,
    description: null,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: null,
    failure_message: null,
    fraud_details: {},
    ...(namesInvoice(api) && { invoice: fields.invoice ?? null }),
    livemode: true,
    metadata: {},
    on_behalf_of: null,
    outcome: { network_status: 'approved_by_network', reason: null, risk_level: 'normal', seller_message: 'Payment complete.', type: 'authorized' },
    paid: true,
    payment_intent: fields.paymentIntent ?? null,
    payment_method: 'pm_1PgafuB7WZ01zgkW',
    payment_method_details: { card: { brand: 'visa', country: 'US', exp_month: 8, exp_year: 2030, funding: 'credit', last4: '4242', network: 'visa' }, type: 'card' },
    receipt_email: null,
    receipt_number: null,
    receipt_url: `https://pay.stripe.com/receipts/payment/${fields.id}`,
    refunded: fields.amountRefunded === fields.amount,
    ...(listsRefunds(api) && { refunds: list(`/v1/charges/${fields.id}/refunds`, fields.refunds ?? []) }),
    review: null,
    shipping: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: 'succeeded',
    transfer_data: null,
    transfer_group: null,
  };
}

export interface InvoiceFields {
  id: string;
  currency: string;
  customer: string;
  /** What the customer paid, tax included. */
  amountPaid: number;
  tax: number;
  subscription: string;
  paymentIntent?: string | null;
  charge?: string | null;
  /** API 2025-03-31+: the `payments` list, present when the event includes it. */
  payments?: Array<ReturnType<typeof invoicePayment>>;
  quantity?: number;
}

export function invoice(api: ApiVersion, fields: InvoiceFields) {
  const subtotal = fields.amountPaid - fields.tax;
  const line = {
    id: `il_${fields.id}`,
    object: 'line_item',
    amount: subtotal,
    currency: fields.currency,
    description: '1 × Pro plan',
    discount_amounts: [],
    discountable: true,
    discounts: [],
    invoice: fields.id,
    livemode: true,
    metadata: {},
    period: { end: unix() + 30 * 86400, start: unix() },
    quantity: fields.quantity ?? 1,
  };
  return {
    id: fields.id,
    object: 'invoice',
    account_country: 'US',
    account_name: 'Linquid Test',
    amount_due: fields.amountPaid,
    amount_paid: fields.amountPaid,
    amount_remaining: 0,
    amount_shipping: 0,
    attempt_count: 1,
    attempted: true,
    billing_reason: 'subscription_create',
    collection_method: 'charge_automatically',
    created: unix() - 60,
    currency: fields.currency,
    customer: fields.customer,
    customer_email: `${fields.customer}@example.com`,
    customer_name: null,
    discounts: [],
    lines: list(`/v1/invoices/${fields.id}/lines`, [line]),
    livemode: true,
    metadata: {},
    number: `LQ-${fields.id}`,
    status: 'paid',
    status_transitions: { finalized_at: unix() - 60, marked_uncollectible_at: null, paid_at: unix() - 59, voided_at: null },
    subtotal,
    total: fields.amountPaid,
    ...(namesInvoice(api)
      ? { charge: fields.charge ?? null, payment_intent: fields.paymentIntent ?? null, subscription: fields.subscription, tax: fields.tax }
      : {
          parent: { quote_details: null, subscription_details: { metadata: {}, subscription: fields.subscription }, type: 'subscription_details' },
          total_taxes: fields.tax === 0 ? [] : [{ amount: fields.tax, tax_behavior: 'exclusive', tax_rate_details: { tax_rate: 'txr_1' }, taxability_reason: 'standard_rated', taxable_amount: subtotal, type: 'tax_rate_details' }],
          ...(fields.payments && { payments: list(`/v1/invoice_payments?invoice=${fields.id}`, fields.payments) }),
        }),
  };
}

export function invoicePayment(fields: { invoice: string; amount: number; currency: string; paymentIntent?: string; charge?: string }) {
  return {
    id: `inpay_${fields.invoice}`,
    object: 'invoice_payment',
    amount_paid: fields.amount,
    amount_requested: fields.amount,
    created: unix() - 60,
    currency: fields.currency,
    invoice: fields.invoice,
    is_default: true,
    livemode: true,
    payment: fields.paymentIntent ? { payment_intent: fields.paymentIntent, type: 'payment_intent' } : { charge: fields.charge, type: 'charge' },
    status: 'paid',
    status_transitions: { canceled_at: null, paid_at: unix() - 59 },
  };
}

export function checkoutSession(fields: {
  id: string;
  mode: 'payment' | 'subscription';
  amountTotal: number;
  tax: number;
  currency: string;
  customer: string;
  paymentIntent?: string | null;
  invoice?: string | null;
  clientReferenceId?: string | null;
  metadata?: Record<string, string>;
}) {
  return {
    id: fields.id,
    object: 'checkout.session',
    after_expiration: null,
    allow_promotion_codes: null,
    amount_subtotal: fields.amountTotal - fields.tax,
    amount_total: fields.amountTotal,
    automatic_tax: { enabled: fields.tax > 0, liability: { type: 'self' }, status: fields.tax > 0 ? 'complete' : null },
    billing_address_collection: null,
    cancel_url: 'https://example.com/cancel',
    client_reference_id: fields.clientReferenceId ?? null,
    created: unix() - 120,
    currency: fields.currency,
    customer: fields.customer,
    customer_creation: 'always',
    customer_details: { address: { city: null, country: 'JP', line1: null, line2: null, postal_code: null, state: null }, email: `${fields.customer}@example.com`, name: 'Jenny Rosen', phone: null, tax_exempt: 'none', tax_ids: [] },
    customer_email: null,
    expires_at: unix() + 86400,
    invoice: fields.invoice ?? null,
    livemode: true,
    locale: null,
    metadata: fields.metadata ?? {},
    mode: fields.mode,
    payment_intent: fields.paymentIntent ?? null,
    payment_link: null,
    payment_method_types: ['card'],
    payment_status: 'paid',
    status: 'complete',
    subscription: fields.mode === 'subscription' ? `sub_${fields.id}` : null,
    success_url: 'https://example.com/success',
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: fields.tax },
    url: null,
  };
}

/** A webhook event: `previous` becomes `data.previous_attributes` (`charge.refunded` carries the charge's `amount_refunded` before). */
export function stripeEvent(api: ApiVersion, id: string, type: string, object: object, previous?: Record<string, unknown>) {
  return {
    id,
    object: 'event',
    api_version: api,
    created: unix(),
    data: { object, ...(previous && { previous_attributes: previous }) },
    livemode: true,
    pending_webhooks: 1,
    request: { id: `req_${id}`, idempotency_key: null },
    type,
  };
}
