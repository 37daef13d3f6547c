import type { InboundContext, InboundRequest, VerifyResult } from '../types';
import { hmac } from '../shared/crypto';
import { checkTimestamp, integerHeader, rejected, secretValues, verifySignature } from '../shared/verify';
import type { StripeSecrets, StripeSettings } from './schema';

/** Stripe's library default; we apply it to future timestamps too. */
const TOLERANCE_MS = 300 * 1000;

/** The `v1` signature: hex HMAC-SHA256 of `"<timestamp>." + body` (also signs our test events). */
export function signStripe(secret: string, timestampSeconds: number, body: string | Buffer): string {
  return hmac('sha256', secret, [`${timestampSeconds}.`, body], 'hex');
}

/** `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">[,v1=…]` (several v1 while Stripe rolls a secret). */
export function verifyStripe(req: InboundRequest, ctx: InboundContext<StripeSettings, StripeSecrets>): VerifyResult {
  const header = req.headers['stripe-signature'];
  if (!header) return rejected('missing_signature');
  const pairs = header.split(',').map((pair) => pair.trim().split('='));
  const timestamp = integerHeader(pairs.find(([key]) => key === 't')?.[1]);
  const signatures = pairs.filter(([key, value]) => key === 'v1' && value).map(([, value]) => value);
  if (timestamp === undefined || signatures.length === 0) {
    return rejected('bad_signature', 'Stripe-Signature has no t= timestamp or v1= signature');
  }
  const keys = secretValues(ctx.secrets, 'webhookSecret', 'testWebhookSecret');
  const signature = verifySignature(keys, signatures, (key) => signStripe(key, timestamp, req.rawBody));
  if (!signature.ok) return signature;
  return checkTimestamp(timestamp * 1000, ctx.nowMs, TOLERANCE_MS);
}
