import { apiBase, credentialVerdict, getJson } from '../shared/api-check';
import type { CredentialsHandler } from '../types';
import type { ShopifySecrets, ShopifySettings } from './schema';

/** The Admin API version we speak (the sample webhooks announce it too). */
export const ADMIN_API_VERSION = '2024-10';

/** Reads the shop with the Admin API access token: 401/403 once the app is uninstalled or the token revoked. */
export const shopifyCredentials: CredentialsHandler<ShopifySettings, ShopifySecrets> = {
  check: async ({ settings, secrets, apiUrl, timeoutMs }) => {
    if (!secrets.accessToken) return 'unchecked';
    // Each shop has its own API host.
    const base = apiBase(apiUrl, `https://${settings.shopDomain}`);
    const answer = await getJson(`${base}/admin/api/${ADMIN_API_VERSION}/shop.json`, { 'x-shopify-access-token': secrets.accessToken }, timeoutMs);
    return credentialVerdict(answer.status, 'Shopify');
  },
};
