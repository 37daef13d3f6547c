import { WORKSPACE_EVENT_TYPES } from '../../contract/workspace-events';
import type { InboundHandler, ProviderModule } from '../types';
import { randomSecret } from '../shared/crypto';
import { webhookOutbound } from './deliver';
import { normalizeWebhook, WEBHOOK_EVENTS } from './normalize';
import { parseWebhook } from './parse';
import { webhookSample } from './sample';
import { webhookSecretsSchema, webhookSettingsSchema, type WebhookSecrets, type WebhookSettings } from './schema';
import { verifyWebhook } from './verify';

type Protocol = Pick<
  ProviderModule<WebhookSettings, WebhookSecrets>,
  'capabilities' | 'inboundEvents' | 'outboundTriggerEvents' | 'settingsSchema' | 'secretsSchema' | 'isAuthorized' | 'rotation' | 'outbound' | 'sampleEvent'
> & { inbound: InboundHandler<WebhookSettings, WebhookSecrets> };

/** The HTTP webhook protocol both ways (Standard Webhooks or a token in); Zapier speaks it too. */
export const webhookProtocol: Protocol = {
  capabilities: { inbound: true, outbound: true },
  // Inbound types are whatever the sender names in `type`, mapped per integration.
  inboundEvents: WEBHOOK_EVENTS,
  outboundTriggerEvents: WORKSPACE_EVENT_TYPES,
  settingsSchema: webhookSettingsSchema,
  secretsSchema: webhookSecretsSchema,
  isAuthorized: (secrets) => Boolean(secrets.signingSecret || secrets.token),
  rotation: { field: 'signingSecret', generate: () => randomSecret('whsec_') },
  inbound: { verify: verifyWebhook, parse: parseWebhook, normalize: normalizeWebhook },
  outbound: webhookOutbound,
  sampleEvent: webhookSample,
};

export const webhook: ProviderModule<WebhookSettings, WebhookSecrets> = {
  id: 'webhook',
  displayName: 'Webhook',
  class: 'automation',
  description: 'Any HTTP endpoint: receive signed events as conversions, deliver workspace events (Standard Webhooks).',
  ...webhookProtocol,
};
