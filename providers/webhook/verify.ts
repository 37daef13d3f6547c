import type { InboundContext, InboundRequest, VerifyResult } from '../types';
import { verifyStandardWebhook } from '../shared/standard-webhooks';
import { rejected, secretValues, verifySignature } from '../shared/verify';
import type { WebhookSecrets, WebhookSettings } from './schema';

export function verifyWebhook(req: InboundRequest, ctx: InboundContext<WebhookSettings, WebhookSecrets>): VerifyResult {
  if (ctx.settings.inboundAuth === 'standard-webhooks') {
    return verifyStandardWebhook(req, secretValues(ctx.secrets, 'signingSecret'), ctx.nowMs);
  }
  const header = req.headers[ctx.settings.tokenHeader];
  if (!header) return rejected('missing_signature');
  const token = header.replace(/^Bearer\s+/i, '');
  return verifySignature(secretValues(ctx.secrets, 'token'), [token], (key) => key);
}
