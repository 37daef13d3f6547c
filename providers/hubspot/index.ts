import type { ProviderModule } from '../types';
import { hubspotCredentials } from './credentials';
import { enrichHubspot, readPendingHubspotAmounts } from './enrich';
import { HUBSPOT_EVENTS, normalizeHubspot } from './normalize';
import { parseHubspot } from './parse';
import { hubspotSample } from './sample';
import { hubspotSecretsSchema, hubspotSettingsSchema, type HubspotSecrets, type HubspotSettings } from './schema';
import { verifyHubspot } from './verify';

export const hubspot: ProviderModule<HubspotSettings, HubspotSecrets> = {
  id: 'hubspot',
  displayName: 'HubSpot',
  class: 'crm',
  description: 'Contacts as customers, leads from new deals or lifecycle stages, and sales from closed-won deals.',
  capabilities: { inbound: true, outbound: false },
  inboundEvents: HUBSPOT_EVENTS,
  outboundTriggerEvents: [],
  settingsSchema: hubspotSettingsSchema,
  secretsSchema: hubspotSecretsSchema,
  externalAccountId: (settings) => settings.portalId ?? null,
  isAuthorized: (secrets) => Boolean(secrets.clientSecret),
  // The HubSpot app's client secret, rotated in the developer account; the caller passes the new one.
  rotation: { field: 'clientSecret' },
  inbound: { verify: verifyHubspot, parse: parseHubspot, normalize: normalizeHubspot, enrich: enrichHubspot, readPendingAmounts: readPendingHubspotAmounts },
  credentials: hubspotCredentials,
  sampleEvent: hubspotSample,
};
