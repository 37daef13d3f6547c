import { z } from 'zod';
import { currencySchema } from '../../contract/workspace-event-payloads';

export const hubspotSettingsSchema = z.strictObject({
  portalId: z.string().regex(/^\d+$/).optional().describe('HubSpot account (portal) id; events of other portals are ignored'),
  leadTriggerEvent: z.enum(['dealCreated', 'lifecycleStageReached']).default('dealCreated'),
  leadLifecycleStage: z.string().min(1).default('marketingqualifiedlead').describe('Lifecycle stage that records a lead'),
  closedWonStageId: z.string().min(1).default('closedwon').describe('Deal stage id that records a sale'),
  currency: currencySchema.default('USD').describe("The portal's company currency, for deal amounts"),
});
export type HubspotSettings = z.infer<typeof hubspotSettingsSchema>;

export const hubspotSecretsSchema = z.strictObject({
  clientSecret: z.string().min(1).optional().describe('App client secret: signs webhooks (signature v3)'),
  accessToken: z.string().min(1).optional(),
});
export type HubspotSecrets = z.infer<typeof hubspotSecretsSchema>;

/** One app (one client secret) serves every portal that installed it: events of another portal are not this integration's. */
export function ofOtherPortal(portalId: string | undefined, settings: HubspotSettings): boolean {
  return Boolean(settings.portalId && portalId && portalId !== settings.portalId);
}
