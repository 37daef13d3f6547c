import { type FakeProviderApi, startFakeProviderApi } from './fake-provider-api';

export const SHOP_PATH = '/admin/api/2024-10/shop.json';

/** `GET /admin/api/2024-10/shop.json` with `X-Shopify-Access-Token`, as the Admin API answers it. */
export function startFakeShopifyApi(accessTokens: string[]): Promise<FakeProviderApi> {
  return startFakeProviderApi(
    {
      tokenOf: (request) => request.headers['x-shopify-access-token'] as string | undefined,
      route: (path) => (path === SHOP_PATH ? { shop: { id: 1, name: 'Acme', myshopify_domain: 'acme.myshopify.com', currency: 'USD' } } : undefined),
      unauthorized: { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' },
    },
    accessTokens,
  );
}
