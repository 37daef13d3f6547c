import { z } from 'zod';

export const shopifySettingsSchema = z.strictObject({
  shopDomain: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, 'the shop’s *.myshopify.com domain')
    .meta({
      title: 'Shop domain',
      description: 'The shop’s *.myshopify.com domain; webhooks from any other shop are refused',
      // The JSON Schema judges the input, before the trim and lower-casing above: forms must accept " Demo.MyShopify.com".
      pattern: '^\\s*[A-Za-z0-9][A-Za-z0-9-]*\\.[Mm][Yy][Ss][Hh][Oo][Pp][Ii][Ff][Yy]\\.[Cc][Oo][Mm]\\s*$',
    }),
  syncOrders: z.boolean().default(true).meta({ title: 'Record orders', description: 'A sale when an order is paid' }),
  syncRefunds: z.boolean().default(true).meta({ title: 'Record refunds', description: 'A refund of the order’s sale when money is returned' }),
  syncCustomers: z.boolean().default(true).meta({ title: 'Record customers', description: 'A customer when one is created in the shop' }),
});
export type ShopifySettings = z.infer<typeof shopifySettingsSchema>;

export const shopifySecretsSchema = z.strictObject({
  webhookSecret: z.string().min(1).optional().meta({ title: 'Signing secret', description: 'The app’s client secret (or a custom app’s webhook signing key)' }),
  accessToken: z.string().min(1).optional().meta({ title: 'Access token', description: 'The Admin API access token (shpat_…), to check the shop' }),
});
export type ShopifySecrets = z.infer<typeof shopifySecretsSchema>;
