import type { InboundContext, InboundRequest, VerifyResult } from '../types';
import { hmac } from '../shared/crypto';
import { rejected, secretValues, verifySignature } from '../shared/verify';
import type { SegmentSecrets, SegmentSettings } from './schema';

/** `X-Signature` value (also signs our test events). */
export function signSegment(secret: string, body: string | Buffer): string {
  return hmac('sha1', secret, [body], 'hex');
}

/** `X-Signature` = hex HMAC-SHA1 of the raw body with the shared secret (Segment sends no timestamp). */
export function verifySegment(req: InboundRequest, ctx: InboundContext<SegmentSettings, SegmentSecrets>): VerifyResult {
  const signature = req.headers['x-signature'];
  if (!signature) return rejected('missing_signature');
  const keys = secretValues(ctx.secrets, 'sharedSecret');
  return verifySignature(keys, [signature], (key) => signSegment(key, req.rawBody));
}
