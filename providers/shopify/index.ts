import type { ProviderModule } from '../types';
import { shopifyCredentials } from './credentials';
import { normalizeShopify, SHOPIFY_EVENTS } from './normalize';
import { parseShopify } from './parse';
import { shopifySample } from './sample';
import { shopifySecretsSchema, shopifySettingsSchema, type ShopifySecrets, type ShopifySettings } from './schema';
import { verifyShopify } from './verify';

export const shopify: ProviderModule<ShopifySettings, ShopifySecrets> = {
  id: 'shopify',
  displayName: 'Shopify',
  class: 'ecommerce',
  description: 'Sales from paid orders, customers and refunds from a Shopify shop.',
  capabilities: { inbound: true, outbound: false },
  inboundEvents: SHOPIFY_EVENTS,
  outboundTriggerEvents: [],
  settingsSchema: shopifySettingsSchema,
  secretsSchema: shopifySecretsSchema,
  externalAccountId: (settings) => settings.shopDomain,
  isAuthorized: (secrets) => Boolean(secrets.webhookSecret),
  // Shopify issues the app secret; the caller passes the new one.
  rotation: { field: 'webhookSecret' },
  inbound: { verify: verifyShopify, parse: parseShopify, normalize: normalizeShopify },
  credentials: shopifyCredentials,
  sampleEvent: shopifySample,
};
