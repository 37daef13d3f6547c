import { bearer, type FakeProviderApi, startFakeProviderApi } from './fake-provider-api';

export const STRIPE_ACCOUNT_ID = 'acct_1FakeHealth';

/** `GET /v1/account` (the key's own account) and `GET /v1/accounts/:id` (a connected one), as the Stripe API answers. */
export function startFakeStripeApi(apiKeys: string[]): Promise<FakeProviderApi> {
  return startFakeProviderApi(
    {
      tokenOf: bearer,
      route: (path) => (path === '/v1/account' || path.startsWith('/v1/accounts/') ? { id: path.split('/')[3] ?? STRIPE_ACCOUNT_ID, object: 'account', charges_enabled: true } : undefined),
      unauthorized: { error: { type: 'invalid_request_error', message: 'Invalid API Key provided: sk_test_****' } },
    },
    apiKeys,
  );
}
