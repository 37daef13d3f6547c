import type { InboundRequest, VerifyResult } from '../types';
import { hmac } from './crypto';
import { checkTimestamp, integerHeader, rejected, verifySignature } from './verify';

/** Standard Webhooks: 5 minutes either way. */
const TOLERANCE_MS = 5 * 60 * 1000;

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed with the base64 part of a `whsec_` secret. */
export function signStandardWebhook(secret: string, msgId: string, timestampSeconds: number, body: string | Buffer): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${hmac('sha256', key, [`${msgId}.${timestampSeconds}.`, body], 'base64')}`;
}

export function verifyStandardWebhook(req: InboundRequest, secrets: string[], nowMs: number): VerifyResult {
  const msgId = req.headers['webhook-id'];
  const timestampHeader = req.headers['webhook-timestamp'];
  const signatureHeader = req.headers['webhook-signature'];
  if (!msgId || !timestampHeader || !signatureHeader) return rejected('missing_signature');
  const timestamp = integerHeader(timestampHeader);
  if (timestamp === undefined) return rejected('bad_signature', 'webhook-timestamp is not a unix timestamp');
  const provided = signatureHeader.split(' ').filter((entry) => entry.startsWith('v1,'));
  const signature = verifySignature(secrets, provided, (secret) => signStandardWebhook(secret, msgId, timestamp, req.rawBody));
  if (!signature.ok) return signature;
  return checkTimestamp(timestamp * 1000, nowMs, TOLERANCE_MS);
}
