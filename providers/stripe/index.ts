import type { ProviderModule } from '../types';
import { stripeCredentials } from './credentials';
import { normalizeStripe, STRIPE_EVENTS } from './normalize';
import { parseStripe } from './parse';
import { stripeSample } from './sample';
import { stripeSecretsSchema, stripeSettingsSchema, type StripeSecrets, type StripeSettings } from './schema';
import { verifyStripe } from './verify';

export const stripe: ProviderModule<StripeSettings, StripeSecrets> = {
  id: 'stripe',
  displayName: 'Stripe',
  class: 'payments',
  description: 'Sales from checkouts and paid invoices, sign-ups, free trials and refunds from Stripe webhooks.',
  capabilities: { inbound: true, outbound: false },
  inboundEvents: STRIPE_EVENTS,
  outboundTriggerEvents: [],
  settingsSchema: stripeSettingsSchema,
  secretsSchema: stripeSecretsSchema,
  externalAccountId: (settings) => settings.accountId ?? null,
  isAuthorized: (secrets) => Boolean(secrets.webhookSecret || secrets.testWebhookSecret),
  // Stripe issues the signing secret (per webhook endpoint); the caller passes the new one.
  rotation: { field: 'webhookSecret' },
  inbound: { verify: verifyStripe, parse: parseStripe, normalize: normalizeStripe },
  credentials: stripeCredentials,
  sampleEvent: stripeSample,
};
