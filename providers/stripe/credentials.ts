import Stripe from 'stripe';
import { apiBase } from '../shared/api-check';
import { type CredentialContext, type CredentialsHandler, ProviderApiError } from '../types';
import type { StripeSecrets, StripeSettings } from './schema';

/** The official client pointed at `STRIPE_API_URL`; one call, no retries of its own (the activity retries). */
function stripeClient(apiKey: string, { apiUrl, timeoutMs }: CredentialContext<unknown, unknown>): Stripe {
  const url = new URL(apiBase(apiUrl, 'https://api.stripe.com'));
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return new Stripe(apiKey, {
    host: url.hostname,
    port: url.port || (protocol === 'http' ? 80 : 443),
    protocol,
    maxNetworkRetries: 0,
    timeout: timeoutMs,
    telemetry: false,
  });
}

/** Retrieves the connected account (or the key's own account): 401/403 mean the key is revoked or the account disconnected us. */
export const stripeCredentials: CredentialsHandler<StripeSettings, StripeSecrets> = {
  check: async (ctx) => {
    const { apiKey } = ctx.secrets;
    if (!apiKey) return 'unchecked';
    try {
      await stripeClient(apiKey, ctx).accounts.retrieve(ctx.settings.accountId ?? null);
      return 'ok';
    } catch (error) {
      if (error instanceof Stripe.errors.StripeError && (error.statusCode === 401 || error.statusCode === 403)) return 'unauthorized';
      throw new ProviderApiError(`Stripe account check failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  },
};
