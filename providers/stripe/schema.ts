import { z } from 'zod';

export const stripeSettingsSchema = z.strictObject({
  mode: z.enum(['live', 'test']).default('live').describe('Events from the other mode are ignored'),
  accountId: z.string().regex(/^acct_\w+$/).optional().describe('Connected account id (acct_…)'),
  syncConversions: z.boolean().default(true).describe('Record sales and refunds (checkouts, paid invoices, refunded charges)'),
  syncLifecycle: z.boolean().default(true).describe('Record a "Sign up" lead when a Stripe customer is created'),
  trackFreeTrials: z.boolean().default(true).describe('Record a "Started Trial" lead when a trialing subscription starts'),
  trackSeats: z.boolean().default(false).describe('Record quantities (seats) on sales and trials'),
});
export type StripeSettings = z.infer<typeof stripeSettingsSchema>;

const webhookSecret = z.string().regex(/^whsec_\S+$/, 'a Stripe webhook signing secret (whsec_…)');

export const stripeSecretsSchema = z.strictObject({
  webhookSecret: webhookSecret.optional(),
  testWebhookSecret: webhookSecret.optional(),
  apiKey: z.string().regex(/^(sk|rk)_(live|test)_\w+$/, 'a secret (sk_…) or restricted (rk_…) API key').optional(),
});
export type StripeSecrets = z.infer<typeof stripeSecretsSchema>;
