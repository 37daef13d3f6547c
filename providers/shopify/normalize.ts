import type { CustomerRef, NormalizeResult, ParsedEvent } from '../types';
import { attributionFrom } from '../shared/attribution';
import { toMinor } from '../shared/money';
import { expectShape } from '../shared/payload';
import { apply, conversionEffect, customerEffect, disconnectEffect, ignored, ignoringMalformed } from '../shared/results';
import { orderSchema, refundSchema, shopifyCustomerSchema } from './resources';
import type { ShopifySettings } from './schema';

type Handler = (payload: unknown, settings: ShopifySettings) => NormalizeResult;

function customerRef(customer: { id: string; email?: string | null; first_name?: string | null; last_name?: string | null }): CustomerRef {
  const name = [customer.first_name, customer.last_name].filter(Boolean).join(' ');
  return { externalId: customer.id, email: customer.email ?? null, name: name || null };
}

/** The subtotal (after discounts, before shipping and taxes) in the shop's currency. */
const orderPaid: Handler = (payload, settings) => {
  if (!settings.syncOrders) return ignored('order sync is off');
  const order = expectShape(orderSchema, payload, 'Shopify order');
  const shopMoney = order.subtotal_price_set?.shop_money;
  const amount = shopMoney?.amount ?? order.subtotal_price;
  const currency = (shopMoney?.currency_code ?? order.currency)?.toUpperCase();
  if (amount == null || !currency) return ignored('order has no subtotal');
  const customer = order.customer ? customerRef({ ...order.customer, email: order.customer.email ?? order.email }) : undefined;
  const notes = Object.fromEntries((order.note_attributes ?? []).map((note) => [note.name, note.value]));
  return apply(
    conversionEffect({
      type: 'sale',
      eventName: 'Purchase',
      externalId: order.id,
      customer,
      amountMinor: toMinor(amount, currency),
      currency,
      quantity: order.line_items.reduce((sum, item) => sum + item.quantity, 0),
      occurredAt: order.processed_at ?? order.created_at,
      ...attributionFrom(notes),
    }),
  );
};

const customerCreated: Handler = (payload, settings) => {
  if (!settings.syncCustomers) return ignored('customer sync is off');
  return apply(customerEffect(customerRef(expectShape(shopifyCustomerSchema, payload, 'Shopify customer'))));
};

/** What the refund's successful refund transactions returned, in their currency. */
const refundCreated: Handler = (payload, settings) => {
  if (!settings.syncRefunds) return ignored('refund sync is off');
  const refund = expectShape(refundSchema, payload, 'Shopify refund');
  const moneyBack = refund.transactions.filter((t) => t.kind === 'refund' && (t.status ?? 'success') === 'success');
  if (moneyBack.length === 0) return ignored('refund returned no money (restock or adjustment only)');
  const currency = moneyBack[0].currency.toUpperCase();
  return apply(
    conversionEffect({
      type: 'refund',
      eventName: 'Refund',
      externalId: refund.id,
      refundsExternalId: refund.order_id,
      amountMinor: moneyBack.reduce((sum, t) => sum + toMinor(t.amount, currency), 0),
      currency,
      occurredAt: refund.processed_at ?? refund.created_at,
    }),
  );
};

const appUninstalled: Handler = () => apply(disconnectEffect('the app was uninstalled from the Shopify shop'));

const handlers: Record<string, Handler> = {
  'orders/paid': orderPaid,
  'customers/create': customerCreated,
  'refunds/create': refundCreated,
  'app/uninstalled': appUninstalled,
};

export const SHOPIFY_TOPICS = Object.keys(handlers);

export const normalizeShopify = ignoringMalformed((event: ParsedEvent, settings: ShopifySettings): NormalizeResult => {
  const handler = Object.hasOwn(handlers, event.type) ? handlers[event.type] : undefined;
  if (!handler) return ignored(`unhandled event type ${event.type}`);
  return handler(event.payload, settings);
});
