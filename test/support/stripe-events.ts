/**
 * A Stripe `invoice.paid` event shaped like Stripe's published fixtures (event envelope, invoice with its
 * line list): each becomes one sale under the invoice id (its business key) and one customer.
 */
export function stripeInvoicePaid(eventId: string, invoiceId: string, amountMinor = 1000, currency = 'usd'): string {
  return JSON.stringify({
    id: eventId,
    object: 'event',
    api_version: '2024-06-20',
    created: Math.floor(Date.now() / 1000),
    livemode: true,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'invoice.paid',
    data: {
      object: {
        id: invoiceId,
        object: 'invoice',
        amount_due: amountMinor,
        amount_paid: amountMinor,
        amount_remaining: 0,
        currency,
        customer: `cus_${invoiceId}`,
        status: 'paid',
        lines: { object: 'list', data: [], has_more: false },
      },
    },
  });
}
