import { z } from 'zod';
import { currencySchema } from '../../contract/workspace-event-payloads';
import { decimalSchema } from '../shared/money';
import { dateSchema, idSchema } from '../shared/payload';

/** The fields we read from Shopify webhook resources (REST Admin API representation). */
export const shopifyCustomerSchema = z.looseObject({
  id: idSchema,
  email: z.string().nullish(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  created_at: dateSchema,
});

const moneySchema = z.looseObject({ amount: decimalSchema, currency_code: currencySchema });
export type ShopifyMoney = z.output<typeof moneySchema>;

/** Shopify's `*_set` amounts: in the shop's currency and in the one the customer paid in (presentment). */
const moneyBagSchema = z.looseObject({ shop_money: moneySchema, presentment_money: moneySchema.nullish() });

export const orderSchema = z.looseObject({
  id: idSchema,
  email: z.string().nullish(),
  currency: currencySchema.nullish(),
  subtotal_price: decimalSchema.nullish(),
  subtotal_price_set: moneyBagSchema.nullish(),
  customer: shopifyCustomerSchema.partial({ created_at: true }).nullish(),
  line_items: z.array(z.looseObject({ quantity: z.number().int() })).default([]),
  note_attributes: z.array(z.looseObject({ name: z.string(), value: z.unknown() })).nullish(),
  processed_at: dateSchema.nullish(),
  created_at: dateSchema,
});

export const refundSchema = z.looseObject({
  id: idSchema,
  order_id: idSchema,
  created_at: dateSchema,
  processed_at: dateSchema.nullish(),
  refund_line_items: z.array(z.looseObject({ subtotal_set: moneyBagSchema })).default([]),
  /** `refund_discrepancy`: the part of a custom refund amount not matched to line items (negative when more was refunded). */
  order_adjustments: z.array(z.looseObject({ kind: z.string(), amount_set: moneyBagSchema })).default([]),
  transactions: z
    .array(z.looseObject({ kind: z.string(), status: z.string().nullish(), amount: decimalSchema, currency: currencySchema }))
    .default([]),
});
