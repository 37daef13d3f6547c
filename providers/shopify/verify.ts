import type { InboundContext, InboundRequest, VerifyResult } from '../types';
import { hmac } from '../shared/crypto';
import { rejected, secretValues, verified, verifySignature } from '../shared/verify';
import type { ShopifySecrets, ShopifySettings } from './schema';

/** `X-Shopify-Hmac-Sha256` value (also signs our test events). */
export function signShopify(secret: string, body: string | Buffer): string {
  return hmac('sha256', secret, [body], 'base64');
}

/** `X-Shopify-Hmac-Sha256` = base64 HMAC-SHA256 of the raw body; `X-Shopify-Shop-Domain` must be our shop. */
export function verifyShopify(req: InboundRequest, ctx: InboundContext<ShopifySettings, ShopifySecrets>): VerifyResult {
  const signature = req.headers['x-shopify-hmac-sha256'];
  if (!signature) return rejected('missing_signature');
  const keys = secretValues(ctx.secrets, 'webhookSecret');
  const result = verifySignature(keys, [signature], (key) => signShopify(key, req.rawBody));
  if (!result.ok) return result;
  // One app secret signs the webhooks of every shop that installed the app.
  const shop = req.headers['x-shopify-shop-domain']?.trim().toLowerCase();
  if (shop !== ctx.settings.shopDomain) return rejected('wrong_account', `webhook of shop ${shop ?? '(none)'}`);
  return verified;
}
