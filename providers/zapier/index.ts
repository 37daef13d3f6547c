import type { ProviderModule } from '../types';
import { webhookProtocol } from '../webhook';
import type { WebhookSecrets, WebhookSettings } from '../webhook/schema';

/** A Zap's "Webhooks by Zapier" step talks to us over the generic webhook protocol; only the catalog differs. */
export const zapier: ProviderModule<WebhookSettings, WebhookSecrets> = {
  id: 'zapier',
  displayName: 'Zapier',
  class: 'automation',
  description: 'Trigger Zaps from workspace events, and record leads and sales sent by a Zap.',
  ...webhookProtocol,
};
