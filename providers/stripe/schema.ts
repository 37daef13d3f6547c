import { z } from 'zod';

export const stripeSettingsSchema = z.strictObject({
  mode: z.enum(['live', 'test']).default('live').meta({ title: 'Mode', description: 'Live or test mode: events from the other mode are ignored' }),
  accountId: z.string().regex(/^acct_\w+$/).optional().meta({ title: 'Account id', description: 'The connected account (acct_…); events of other accounts are ignored' }),
  syncConversions: z.boolean().default(true).meta({ title: 'Record sales and refunds', description: 'From completed checkouts, paid invoices and refunds' }),
  syncLifecycle: z.boolean().default(true).meta({ title: 'Record sign-ups', description: 'A "Sign up" lead when a Stripe customer is created' }),
  trackFreeTrials: z.boolean().default(true).meta({ title: 'Record free trials', description: 'A "Started Trial" lead when a trialing subscription starts' }),
  trackSeats: z.boolean().default(false).meta({ title: 'Record seats', description: 'Quantities (seats) on sales and trials' }),
});
export type StripeSettings = z.infer<typeof stripeSettingsSchema>;

const webhookSecret = z.string().regex(/^whsec_\S+$/, 'a Stripe webhook signing secret (whsec_…)');

export const stripeSecretsSchema = z.strictObject({
  webhookSecret: webhookSecret.optional().meta({ title: 'Signing secret', description: 'The live webhook endpoint’s signing secret (whsec_…, Developers → Webhooks)' }),
  testWebhookSecret: webhookSecret.optional().meta({ title: 'Test-mode signing secret', description: 'The signing secret of the test-mode endpoint (whsec_…)' }),
  apiKey: z
    .string()
    .regex(/^(sk|rk)_(live|test)_\w+$/, 'a secret (sk_…) or restricted (rk_…) API key')
    .optional()
    .meta({ title: 'API key', description: 'A secret (sk_…) or restricted (rk_…) key, to check the account; webhooks work without it' }),
});
export type StripeSecrets = z.infer<typeof stripeSecretsSchema>;
