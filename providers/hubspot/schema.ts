import { z } from 'zod';
import { currencySchema } from '../../contract/workspace-event-payloads';

export const hubspotSettingsSchema = z.strictObject({
  portalId: z.string().regex(/^\d+$/).optional().meta({ title: 'Portal id', description: 'The HubSpot account (portal) id; events of other portals are ignored' }),
  leadTriggerEvent: z
    .enum(['dealCreated', 'lifecycleStageReached'])
    .default('dealCreated')
    .meta({ title: 'Lead trigger', description: 'Record a lead when a deal is created, or when a contact reaches the lead lifecycle stage' }),
  leadLifecycleStage: z.string().min(1).default('marketingqualifiedlead').meta({ title: 'Lead lifecycle stage', description: 'The contact lifecycle stage that records a lead (with the lifecycle stage trigger)' }),
  closedWonStageId: z.string().min(1).default('closedwon').meta({ title: 'Closed-won stage id', description: 'The deal stage id that records a sale' }),
  currency: currencySchema.default('USD').meta({ title: 'Currency', description: 'The portal’s company currency, for deal amounts (ISO 4217)' }),
});
export type HubspotSettings = z.infer<typeof hubspotSettingsSchema>;

export const hubspotSecretsSchema = z.strictObject({
  clientSecret: z.string().min(1).optional().meta({ title: 'Client secret', description: 'The app’s client secret: signs its webhooks (signature v3)' }),
  accessToken: z.string().min(1).optional().meta({ title: 'Access token', description: 'A private app or OAuth token, to read deal amounts and contacts' }),
});
export type HubspotSecrets = z.infer<typeof hubspotSecretsSchema>;

/** One app (one client secret) serves every portal that installed it: events of another portal are not this integration's. */
export function ofOtherPortal(portalId: string | undefined, settings: HubspotSettings): boolean {
  return Boolean(settings.portalId && portalId && portalId !== settings.portalId);
}
