import { z } from 'zod';
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

const moneySchema = z.looseObject({ amount: decimalSchema, currency_code: z.string() });

export const orderSchema = z.looseObject({
  id: idSchema,
  email: z.string().nullish(),
  currency: z.string().nullish(),
  subtotal_price: decimalSchema.nullish(),
  subtotal_price_set: z.looseObject({ shop_money: moneySchema }).nullish(),
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
  transactions: z.array(
    z.looseObject({ kind: z.string(), status: z.string().nullish(), amount: decimalSchema, currency: z.string() }),
  ),
});
