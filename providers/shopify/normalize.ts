import type { CustomerRef, NormalizeResult, ParsedEvent } from '../types';
import { attributionFrom } from '../shared/attribution';
import { eventKindsOf, type EventTable, handlerOf } from '../shared/event-table';
import { expectShape } from '../shared/payload';
import { apply, conversionEffect, customerEffect, disconnectEffect, ignored, ignoringMalformed } from '../shared/results';
import { moneyOf, sum } from './money';
import { orderSchema, refundSchema, shopifyCustomerSchema } from './resources';
import type { ShopifySettings } from './schema';

type Handler = (payload: unknown, settings: ShopifySettings) => NormalizeResult;

function customerRef(customer: { id: string; email?: string | null; first_name?: string | null; last_name?: string | null }): CustomerRef {
  const name = [customer.first_name, customer.last_name].filter(Boolean).join(' ');
  return { externalId: customer.id, email: customer.email ?? null, name: name || null };
}

/**
 * A sale of the subtotal (after discounts, before shipping, duties and taxes) in the shop's currency,
 * where the order's refunds are booked too; the customer's (presentment) money goes to metadata.
 */
const orderPaid: Handler = (payload, settings) => {
  if (!settings.syncOrders) return ignored('order sync is off');
  const order = expectShape(orderSchema, payload, 'Shopify order');
  const legacySubtotal = order.subtotal_price != null && order.currency ? { amount: order.subtotal_price, currency_code: order.currency } : undefined;
  const shopMoney = order.subtotal_price_set?.shop_money ?? legacySubtotal;
  if (!shopMoney) return ignored('order has no subtotal');
  const presentment = order.subtotal_price_set?.presentment_money;
  const customer = order.customer ? customerRef({ ...order.customer, email: order.customer.email ?? order.email }) : undefined;
  const notes = Object.fromEntries((order.note_attributes ?? []).map((note) => [note.name, note.value]));
  return apply(
    conversionEffect({
      type: 'sale',
      eventName: 'Purchase',
      externalId: order.id,
      customer,
      ...moneyOf(shopMoney),
      quantity: order.line_items.reduce((total, item) => total + item.quantity, 0),
      occurredAt: order.processed_at ?? order.created_at,
      ...attributionFrom(notes),
      ...(presentment && { metadata: { presentmentMoney: moneyOf(presentment) } }),
    }),
  );
};

const customerCreated: Handler = (payload, settings) => {
  if (!settings.syncCustomers) return ignored('customer sync is off');
  return apply(customerEffect(customerRef(expectShape(shopifyCustomerSchema, payload, 'Shopify customer'))));
};

/**
 * A refund on the sale's terms: in the shop's currency, the refunded line items' subtotals (after
 * discounts, before tax) corrected by refund discrepancies (custom amounts not matched to line items);
 * refunded shipping, duties and taxes are left out, as the sale leaves them out. Only a refund that
 * returned money counts (a restock alone is not one). Metadata: the same in the customer's currency,
 * and what the refund transactions returned (taxes and shipping included, in the payment's currency).
 */
const refundCreated: Handler = (payload, settings) => {
  if (!settings.syncRefunds) return ignored('refund sync is off');
  const refund = expectShape(refundSchema, payload, 'Shopify refund');
  const moneyBack = refund.transactions.filter((t) => t.kind === 'refund' && (t.status ?? 'success') === 'success');
  if (moneyBack.length === 0) return ignored('refund returned no money (restock or adjustment only)');
  const parts = [
    ...refund.refund_line_items.map((line) => ({ bag: line.subtotal_set, sign: 1 as const })),
    ...refund.order_adjustments.filter((adjustment) => adjustment.kind === 'refund_discrepancy').map((adjustment) => ({ bag: adjustment.amount_set, sign: -1 as const })),
  ];
  const shopMoney = sum(parts.map(({ bag, sign }) => ({ money: bag.shop_money, sign })));
  if (!shopMoney || shopMoney.amountMinor <= 0) return ignored('refund returned no merchandise value (only shipping, duties or taxes, which sales leave out)');
  const presentment = parts.every(({ bag }) => bag.presentment_money) ? sum(parts.map(({ bag, sign }) => ({ money: bag.presentment_money!, sign }))) : undefined;
  const moneyReturned = sum(moneyBack.map((t) => ({ money: { amount: t.amount, currency_code: t.currency }, sign: 1 as const })));
  return apply(
    conversionEffect({
      type: 'refund',
      eventName: 'Refund',
      externalId: refund.id,
      refundsExternalId: refund.order_id,
      ...shopMoney,
      occurredAt: refund.processed_at ?? refund.created_at,
      metadata: { ...(presentment && { presentmentMoney: presentment }), moneyReturned },
    }),
  );
};

const appUninstalled: Handler = () => apply(disconnectEffect('the app was uninstalled from the Shopify shop'));

const events: EventTable<Handler> = {
  'orders/paid': { handle: orderPaid, records: ['sale'], when: 'with syncOrders' },
  'customers/create': { handle: customerCreated, records: ['customer'], when: 'with syncCustomers' },
  'refunds/create': { handle: refundCreated, records: ['refund'], when: 'a refund that returned merchandise value, with syncRefunds' },
  'app/uninstalled': { handle: appUninstalled, records: ['disconnect'] },
};

export const SHOPIFY_EVENTS = eventKindsOf(events);

export const normalizeShopify = ignoringMalformed((event: ParsedEvent, settings: ShopifySettings): NormalizeResult => {
  const handler = handlerOf(events, event.type);
  if (!handler) return ignored(`unhandled event type ${event.type}`);
  return handler(event.payload, settings);
});
