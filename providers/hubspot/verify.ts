import type { InboundContext, InboundRequest, VerifyResult } from '../types';
import { hmac } from '../shared/crypto';
import { checkTimestamp, integerHeader, rejected, secretValues, verifySignature } from '../shared/verify';
import type { HubspotSecrets, HubspotSettings } from './schema';

const TOLERANCE_MS = 5 * 60 * 1000;

/** HubSpot signs the URL with these characters decoded (developers.hubspot.com, request validation v3). */
const DECODED_IN_URI = /%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi;

function hubspotSignedUri(url: string): string {
  return url.replace(DECODED_IN_URI, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** `X-HubSpot-Signature-v3` value (also signs our test events). */
export function signHubspot(secret: string, method: string, url: string, body: string | Buffer, timestampMs: string): string {
  return hmac('sha256', secret, [`${method.toUpperCase()}${hubspotSignedUri(url)}`, body, timestampMs], 'base64');
}

/** `X-HubSpot-Signature-v3` = base64 HMAC-SHA256(client secret, method + URI + body + timestamp in ms). */
export function verifyHubspot(req: InboundRequest, ctx: InboundContext<HubspotSettings, HubspotSecrets>): VerifyResult {
  const signature = req.headers['x-hubspot-signature-v3'];
  const timestampHeader = req.headers['x-hubspot-request-timestamp'];
  if (!signature || !timestampHeader) return rejected('missing_signature');
  const timestampMs = integerHeader(timestampHeader);
  if (timestampMs === undefined) return rejected('bad_signature', 'X-HubSpot-Request-Timestamp is not a timestamp');
  const keys = secretValues(ctx.secrets, 'clientSecret');
  const result = verifySignature(keys, [signature], (key) => signHubspot(key, req.method, req.url, req.rawBody, timestampHeader));
  if (!result.ok) return result;
  return checkTimestamp(timestampMs, ctx.nowMs, TOLERANCE_MS);
}
