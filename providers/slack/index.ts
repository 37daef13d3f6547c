import { WORKSPACE_EVENT_TYPES } from '../../contract/workspace-events';
import type { ProviderModule } from '../types';
import { slackCredentials } from './credentials';
import { slackOutbound } from './deliver';
import { slackSecretsSchema, slackSettingsSchema, type SlackSecrets, type SlackSettings } from './schema';

export const slack: ProviderModule<SlackSettings, SlackSecrets> = {
  id: 'slack',
  displayName: 'Slack',
  class: 'chat',
  description: 'Posts sales, leads, refunds and integration alerts to Slack channels.',
  capabilities: { inbound: false, outbound: true },
  inboundEvents: [],
  // Not link.clicked: one message per click would flood a channel (and Slack's rate limits).
  outboundTriggerEvents: WORKSPACE_EVENT_TYPES.filter((type) => type !== 'link.clicked'),
  settingsSchema: slackSettingsSchema,
  secretsSchema: slackSecretsSchema,
  externalAccountId: (settings) => settings.teamId ?? null,
  isAuthorized: (secrets) => Boolean(secrets.botToken),
  installsWithOAuth: true,
  outbound: slackOutbound,
  credentials: slackCredentials,
};
