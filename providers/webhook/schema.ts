import { z } from 'zod';
import { workspaceEventSchema } from '../../contract/workspace-events';
import { eventMappingSchema } from '../shared/schemas';

export const webhookSettingsSchema = z.strictObject({
  targetUrl: z.url({ protocol: /^https?$/ }).optional().meta({ title: 'Destination URL', description: 'Where workspace events are delivered (https)' }),
  triggerEvents: z.array(workspaceEventSchema).default(['lead.created', 'sale.created']).meta({ title: 'Trigger events', description: 'The workspace events delivered to the destination' }),
  inboundAuth: z
    .enum(['standard-webhooks', 'token'])
    .default('standard-webhooks')
    .meta({ title: 'Inbound authentication', description: 'Inbound requests are signed (Standard Webhooks, with the signing secret) or carry the token' }),
  tokenHeader: z
    .string()
    .trim()
    .toLowerCase()
    .min(1)
    .default('authorization')
    .meta({ title: 'Token header', description: 'The header holding the token ("Bearer <token>" or the bare token)' }),
  eventMapping: eventMappingSchema,
});
export type WebhookSettings = z.infer<typeof webhookSettingsSchema>;

export const webhookSecretsSchema = z.strictObject({
  signingSecret: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, 'a Standard Webhooks secret (whsec_ + base64)')
    .optional()
    .meta({ title: 'Signing secret', description: 'Signs deliveries and verifies inbound requests (Standard Webhooks); Linquid issues it' }),
  token: z.string().min(16).optional().meta({ title: 'Inbound token', description: 'For senders that cannot sign: at least 16 characters, sent in the token header' }),
});
export type WebhookSecrets = z.infer<typeof webhookSecretsSchema>;
