import { z } from 'zod';
import { currencySchema } from '../../contract/workspace-event-payloads';
import { workspaceEventSchema } from '../../contract/workspace-events';

const channelSchema = z.string().trim().min(1).describe('Channel id (C…) or name (#sales)');

export const slackSettingsSchema = z.strictObject({
  teamId: z.string().optional(),
  teamName: z.string().optional(),
  channel: channelSchema.optional().describe('Default channel for events no route claims'),
  events: z
    .array(workspaceEventSchema)
    .default(['lead.created', 'sale.created', 'refund.created', 'integration.error'])
    .describe('Events posted to the default channel when no route claims them'),
  routes: z
    .array(
      z.strictObject({
        events: z.array(workspaceEventSchema).min(1),
        channel: channelSchema,
        minAmountMinor: z.number().int().nonnegative().optional().describe('Only sales/refunds of at least this amount'),
        currency: currencySchema.optional().describe('Only amounts in this currency'),
      }),
    )
    .default([]),
});
export type SlackSettings = z.infer<typeof slackSettingsSchema>;

export const slackSecretsSchema = z.strictObject({
  botToken: z.string().regex(/^xoxb-\S+$/, 'a bot token (xoxb-…)').optional(),
});
export type SlackSecrets = z.infer<typeof slackSecretsSchema>;
