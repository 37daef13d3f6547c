import { DATA_EVENT_TYPES } from '../../contract/workspace-events';
import type { ProviderModule } from '../types';
import { randomSecret } from '../shared/crypto';
import { segmentOutbound } from './deliver';
import { normalizeSegment, SEGMENT_EVENTS } from './normalize';
import { parseSegment } from './parse';
import { segmentSample } from './sample';
import { segmentSecretsSchema, segmentSettingsSchema, type SegmentSecrets, type SegmentSettings } from './schema';
import { verifySegment } from './verify';

export const segment: ProviderModule<SegmentSettings, SegmentSecrets> = {
  id: 'segment',
  displayName: 'Segment',
  class: 'automation',
  description: 'Leads and sales from Segment track calls, customers from identify calls; workspace events to Segment.',
  capabilities: { inbound: true, outbound: true },
  inboundEvents: SEGMENT_EVENTS,
  // What the workspace's data does, not its integrations' lifecycle: Segment tracks users.
  outboundTriggerEvents: DATA_EVENT_TYPES,
  settingsSchema: segmentSettingsSchema,
  secretsSchema: segmentSecretsSchema,
  // Either half works on its own: the write key sends, the shared secret receives.
  isAuthorized: (secrets) => Boolean(secrets.writeKey || secrets.sharedSecret),
  // We issue the shared secret; the user pastes it into the Segment webhook destination.
  rotation: { field: 'sharedSecret', generate: () => randomSecret() },
  inbound: { verify: verifySegment, parse: parseSegment, normalize: normalizeSegment },
  outbound: segmentOutbound,
  sampleEvent: segmentSample,
};
