import { z } from 'zod';

export const shopifySettingsSchema = z.strictObject({
  shopDomain: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, 'the shop’s *.myshopify.com domain')
    .describe('Webhooks from any other shop are refused'),
  syncOrders: z.boolean().default(true).describe('Record a sale when an order is paid'),
  syncRefunds: z.boolean().default(true).describe('Record refunds'),
  syncCustomers: z.boolean().default(true).describe('Record new customers'),
});
export type ShopifySettings = z.infer<typeof shopifySettingsSchema>;

export const shopifySecretsSchema = z.strictObject({
  webhookSecret: z.string().min(1).optional().describe('App client secret (or the webhook signing key of a custom app)'),
  accessToken: z.string().min(1).optional(),
});
export type ShopifySecrets = z.infer<typeof shopifySecretsSchema>;
