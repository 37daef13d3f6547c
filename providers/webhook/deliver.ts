import type { OutboundHandler } from '../types';
import { notSent } from '../shared/http-delivery';
import { sendStandardWebhook } from '../shared/webhook-delivery';
import type { WebhookSecrets, WebhookSettings } from './schema';

/** Workspace events to `targetUrl`, signed with `signingSecret` (Standard Webhooks); Zapier REST hooks too. */
export const webhookOutbound: OutboundHandler<WebhookSettings, WebhookSecrets> = {
  subscribes: (event, settings) => (settings.triggerEvents as string[]).includes(event.type),
  // Without a targetUrl it only receives.
  canDeliver: (settings, secrets) => Boolean(settings.targetUrl && secrets.signingSecret),
  destinationUrls: (settings) => (settings.targetUrl ? [{ field: 'targetUrl', url: settings.targetUrl }] : []),
  deliver: async (ctx) => {
    const { targetUrl } = ctx.settings;
    const secret = ctx.secrets.signingSecret;
    if (!targetUrl) return notSent('no targetUrl configured');
    if (!secret) return notSent('no signing secret: rotate the signing secret to create one');
    return sendStandardWebhook({ url: targetUrl, secret }, ctx);
  },
};
