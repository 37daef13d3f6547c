import { z } from 'zod';
import { currencySchema } from '../../contract/workspace-event-payloads';
import { workspaceEventSchema } from '../../contract/workspace-events';

const channelSchema = z.string().trim().min(1);

export const slackSettingsSchema = z.strictObject({
  // Slack's answer to “Add to Slack” (oauth.ts): read-only, no request sets or changes them.
  teamId: z.string().optional().meta({ title: 'Team id', description: 'The Slack workspace (T…) it posts to, set by “Add to Slack”', readOnly: true }),
  teamName: z.string().optional().meta({ title: 'Team name', description: 'The Slack workspace’s name, set by “Add to Slack”', readOnly: true }),
  channel: channelSchema.optional().meta({ title: 'Default channel', description: 'Channel id (C…) or name (#sales) for the events no route claims' }),
  events: z
    .array(workspaceEventSchema)
    .default(['lead.created', 'sale.created', 'refund.created', 'integration.error'])
    .meta({ title: 'Default channel events', description: 'The events posted to the default channel when no route claims them' }),
  routes: z
    .array(
      z.strictObject({
        events: z.array(workspaceEventSchema).min(1).meta({ title: 'Events', description: 'The events this route posts' }),
        channel: channelSchema.meta({ title: 'Channel', description: 'Channel id (C…) or name (#sales)' }),
        minAmountMinor: z.number().int().nonnegative().optional().meta({ title: 'Minimum amount', description: 'Only sales and refunds of at least this amount, in the currency’s minor unit (cents)' }),
        currency: currencySchema.optional().meta({ title: 'Currency', description: 'Only amounts in this currency (ISO 4217)' }),
      }).meta({ title: 'Route' }),
    )
    .default([])
    .meta({ title: 'Routes', description: 'Events to post to other channels, the first matching route wins' }),
});
export type SlackSettings = z.infer<typeof slackSettingsSchema>;

export const slackSecretsSchema = z.strictObject({
  botToken: z.string().regex(/^xoxb-\S+$/, 'a bot token (xoxb-…)').optional().meta({ title: 'Bot token', description: 'The app’s bot token (xoxb-…), set by “Add to Slack”' }),
});
export type SlackSecrets = z.infer<typeof slackSecretsSchema>;
