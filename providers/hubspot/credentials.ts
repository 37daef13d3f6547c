import { z } from 'zod';
import { apiBase, credentialVerdict, getJson } from '../shared/api-check';
import { type CredentialContext, type CredentialsHandler, ProviderApiError } from '../types';
import type { HubspotSecrets, HubspotSettings } from './schema';

const pipelinesSchema = z.looseObject({
  results: z.array(z.looseObject({ label: z.string().optional(), stages: z.array(z.looseObject({ id: z.string(), label: z.string().optional() })) })),
});

/** The account's deal pipelines: a cheap read that works with OAuth and private-app tokens alike. */
function readPipelines(ctx: CredentialContext<HubspotSettings, HubspotSecrets>) {
  return getJson(`${apiBase(ctx.apiUrl, 'https://api.hubapi.com')}/crm/v3/pipelines/deals`, { authorization: `Bearer ${ctx.secrets.accessToken}` }, ctx.timeoutMs);
}

/** One read answers both: the token works, and `closedWonStageId` is a stage of one of the account's deal pipelines (or no sale is ever recorded). */
export const hubspotCredentials: CredentialsHandler<HubspotSettings, HubspotSecrets> = {
  check: async (ctx) => {
    if (!ctx.secrets.accessToken) return 'unchecked';
    const answer = await readPipelines(ctx);
    const credentials = credentialVerdict(answer.status, 'HubSpot');
    if (credentials !== 'ok') return credentials;
    const parsed = pipelinesSchema.safeParse(answer.body);
    if (!parsed.success) throw new ProviderApiError('HubSpot answered an unexpected deal pipelines body');
    const allowed = parsed.data.results.flatMap((pipeline) => pipeline.stages.map((stage) => stage.id));
    if (allowed.includes(ctx.settings.closedWonStageId)) return 'ok';
    return {
      credentials,
      problems: [
        {
          path: 'settings.closedWonStageId',
          message: `deal stage "${ctx.settings.closedWonStageId}" is not a stage of any deal pipeline in this HubSpot account`,
          allowed,
        },
      ],
    };
  },
};
