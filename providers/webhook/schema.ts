import { z } from 'zod';
import { workspaceEventSchema } from '../../contract/workspace-events';
import { eventMappingSchema } from '../shared/schemas';

export const webhookSettingsSchema = z.strictObject({
  targetUrl: z.url({ protocol: /^https?$/ }).optional().describe('Where workspace events are delivered'),
  triggerEvents: z.array(workspaceEventSchema).default(['lead.created', 'sale.created']).describe('Workspace events delivered'),
  inboundAuth: z
    .enum(['standard-webhooks', 'token'])
    .default('standard-webhooks')
    .describe('Inbound requests are signed (Standard Webhooks, with signingSecret) or carry the token'),
  tokenHeader: z.string().trim().toLowerCase().min(1).default('authorization').describe('Header holding the token ("Bearer <token>" or the bare token)'),
  eventMapping: eventMappingSchema,
});
export type WebhookSettings = z.infer<typeof webhookSettingsSchema>;

export const webhookSecretsSchema = z.strictObject({
  signingSecret: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, 'a Standard Webhooks secret (whsec_ + base64)')
    .optional()
    .describe('Signs outbound deliveries and verifies inbound requests'),
  token: z.string().min(16).optional().describe('Inbound token for senders that cannot sign'),
});
export type WebhookSecrets = z.infer<typeof webhookSecretsSchema>;
